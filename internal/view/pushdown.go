// SPDX-License-Identifier: Apache-2.0

package view

import (
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/filter"
)

// Kernel push-down for a fixed view: which events a live source must
// deliver so that the view's table comes out as it would from every
// event. The filter's own analysis (filter.KernelPushDown) keeps the
// types the filter can match; for tables whose columns are all either
// thread state (proc.*, thread.*, user.*, group.*, container.* kept as the
// first value or as MAX/MIN) or I/O lengths (evt.buflen.*), the columns
// narrow it further: the state comes from the events that change it
// (process and fd life cycle, memory calls, procinfo), which are always
// kept, and every thread gets its row from the end-of-sample pass over the
// thread table, so only I/O calls add anything else. This is the procs
// and threads views' case (procs_cpu counts every call): the bulk of a
// busy machine's calls (futex, clock_gettime, poll...) is then never
// copied. A table whose I/O columns come from the kernel's per-thread
// counters (UseThreadIO) needs no I/O call either: only the state's events. Context switches are delivered only when asked for, as before.
// One difference remains possible: a MAX of a memory size over a sample
// misses a value a thread had only before it shrank within the sample
// when none of its calls in between was kept. Views of flow records
// (net.*) need only the state's events (the records' processes).

// stateColumn reports whether a column only shows thread state.
func stateColumn(cs *colSpec) bool {
	if cs.isList {
		return false
	}
	if strings.HasPrefix(cs.name, "thread.cpu") {
		return true // a value on procinfo events only, which are kept
	}
	for _, agg := range []Aggregation{cs.agg, cs.gagg} {
		switch agg {
		case AggNone, AggMax, AggMin:
		default:
			return false
		}
	}
	for _, p := range []string{"proc.", "thread.", "user.", "group.", "container."} {
		if strings.HasPrefix(cs.name, p) {
			return true
		}
	}
	return false
}

// usesCPU reports whether a column of the table shows thread.cpu (or its
// user and system parts), which live sources compute from procinfo events.
func (t *Table) usesCPU() bool {
	for j := range t.cols {
		if strings.HasPrefix(t.cols[j].name, "thread.cpu") {
			return true
		}
	}
	return false
}

// ioColumn reports whether a column sums I/O lengths.
func ioColumn(cs *colSpec) bool {
	return !cs.isList && strings.HasPrefix(cs.name, "evt.buflen")
}

// KernelPushDown returns what a live source may drop in the kernel for
// this table (EventTypes nil: nothing by type).
func (t *Table) KernelPushDown() filter.PushDown {
	var pd filter.PushDown
	if t.flt != nil {
		pd = filter.KernelPushDown(t.flt)
	}
	if t.list || t.spec != nil {
		return pd
	}
	io := false
	for j := range t.cols {
		cs := &t.cols[j]
		switch {
		case stateColumn(cs):
		case ioColumn(cs):
			// (Counters, when the table has them, need no event.)
			io = io || t.io == nil
		case t.flows && strings.HasPrefix(cs.name, "net."):
			// Flow records, not events (ProcessFlows).
		default:
			return pd
		}
	}
	var allowed map[event.Type]bool
	if pd.EventTypes != nil {
		allowed = map[event.Type]bool{}
		for _, ty := range pd.EventTypes {
			allowed[ty] = true
		}
	}
	var out []event.Type
	for ty := event.Type(0); int(ty) < event.MaxType; ty++ {
		info := ty.Info()
		if info == nil {
			continue
		}
		state := filter.StateType(ty)
		if !state && !(io && info.Category&event.CatIORead != 0) {
			continue
		}
		// The filter's restriction still holds, but the state's events
		// are always delivered.
		if allowed != nil && !allowed[ty] && !state {
			continue
		}
		out = append(out, ty)
	}
	pd.EventTypes = out
	return pd
}
