// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"
	"math"
	"strings"
	"time"

	livenet "github.com/ferret-observability/ferret/internal/ebpf/netacct"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/netacct"
	"github.com/ferret-observability/ferret/internal/state"
)

// Flows reads `ferret net`'s kernel counters (per process and remote peer)
// for the views made of flow records (net.* fields): at the end of each
// sample the table gets one record per flow, with its traffic since the
// previous read and since the start.
type Flows struct {
	probe *livenet.Probe
	meter *netacct.Meter
	flows []netacct.Flow
	rates []netacct.FlowRate
	err   error
	last  time.Time
}

// OpenFlows loads the network accounting programs (live, as root).
func OpenFlows() (*Flows, error) {
	p, err := livenet.Open(livenet.Options{})
	if err != nil {
		return nil, fmt.Errorf("network counters: %w", err)
	}
	return &Flows{probe: p, meter: netacct.NewMeter()}, nil
}

// read returns the flows of the interval since the previous read, their
// deltas scaled to a sample of iv nanoseconds: the counters are read when
// the events reach the end of a sample, which under load (or while a
// backlog drains) is not that long after the previous read in real time.
// Entries quiet for a few reads are deleted from the kernel map (the meter
// keeps their totals).
func (f *Flows) read(iv uint64) []netacct.FlowRate {
	now := time.Now()
	scale := 1.0
	if !f.last.IsZero() && iv > 0 {
		if el := now.Sub(f.last); el > 0 {
			scale = float64(iv) / float64(el.Nanoseconds())
		}
	}
	f.last = now
	defer func() {
		for i := range f.rates {
			d := &f.rates[i].Delta
			for _, p := range []*uint64{&d.RxBytes, &d.TxBytes, &d.RxCalls, &d.TxCalls, &d.Conns} {
				*p = uint64(math.Round(float64(*p) * scale))
			}
		}
	}()
	var err error
	f.flows, err = f.probe.Flows(f.flows[:0])
	if err != nil {
		f.err = err
		return nil
	}
	var stale []netacct.FlowKey
	f.rates, stale = f.meter.Update(f.flows, f.rates[:0])
	if len(stale) > 0 {
		final, err := f.probe.Delete(stale)
		if err != nil {
			f.err = err
		}
		f.meter.Deleted(final)
	}
	return f.rates
}

func errFlowsLive(d *Def) error {
	return fmt.Errorf("view %s shows the kernel's network counters of a live system: it has nothing to show for a capture file", d.ID)
}

// Close unloads the programs.
func (f *Flows) Close() error {
	if f == nil {
		return nil
	}
	return f.probe.Close()
}

// UsesFlows reports whether the table is made of flow records (a column
// or its filter reads net.* fields): such a view needs Flows, and events
// add nothing to it.
func (t *Table) UsesFlows() bool { return t.flows }

func usesFlows(d *Def) bool {
	for _, c := range d.Columns {
		if strings.HasPrefix(c.Field, "net.") {
			return true
		}
	}
	return false
}

// ProcessFlows adds one record per flow, run through the view's filter,
// with the flow's process as the record's thread (a detached one with the
// name the kernel saw when the process is gone) at time ts.
func (t *Table) ProcessFlows(c *fields.Ctx, st *state.State, rates []netacct.FlowRate, ts uint64) {
	cur := st.Cur()
	saved := *cur
	savedEv := c.Ev
	ev := &event.Event{Type: event.EvSysdigeventX, TS: ts}
	for i := range rates {
		r := &rates[i]
		th := st.Thread(int64(r.Key.PID))
		if th == nil {
			th = &state.Thread{TID: int64(r.Key.PID), PID: int64(r.Key.PID), Comm: r.Key.Comm, ExePath: r.Key.Comm}
		}
		ev.TID = th.TID
		*cur = state.Cur{Event: ev, Thread: th, FDNum: -1}
		c.Ev, c.Flow = ev, r
		if t.flt == nil || t.flt.Match(c) {
			t.add(c)
		}
	}
	c.Flow = nil
	*cur = saved
	c.Ev = savedEv
}
