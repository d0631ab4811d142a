// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/ferret-observability/ferret/internal/ebpf/threadio"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// ThreadIO serves the I/O columns of live tables of threads and processes
// (FILE and NET of the procs and threads views: evt.buflen.file,
// evt.buflen.net, their in/out parts and evt.buflen itself) from per-thread
// counters kept in the kernel (bpf/threadio), so that no I/O event needs
// to be copied for them. The counters sum what the events would give (the
// non-negative return values of the I/O calls that name a descriptor, by
// the descriptor's kind), so a table gets the same totals either way: each
// thread's bytes since the previous read go into its row of the sample's
// end-of-sample pass, and a thread that exits gives its last bytes with
// its procexit event, while it is still in the thread table.
//
// Tables that counters cannot serve keep the event path (Table.CountersServe):
// columns other than thread state and summed I/O lengths, filters on
// anything but the thread's state and the event type (and the event type
// only where it treats I/O calls as it treats the end-of-sample pass and
// procexit events), list, spectrogram and flow views, capture files.
type ThreadIO struct {
	probe *threadio.Probe
	// cur holds the totals of the last read, last what the tables have
	// been given of them, per thread.
	cur, last map[int64]threadio.Counts
	// absent holds, per thread with counters missing from the thread
	// table, when that was first seen (wall clock): the events may not
	// have reached its birth yet. Once they have (by a margin) and it is
	// still missing, its counters are deleted (a thread whose creation
	// or exit was not seen).
	absent map[int64]uint64
	gone   []int64
	err    error
}

// absentMargin is how far (ns) the events must be past the moment a
// thread with counters was first missed before its counters are deleted.
const absentMargin = 2_000_000_000

// OpenThreadIO loads the counters (live, as root).
func OpenThreadIO() (*ThreadIO, error) {
	p, err := threadio.Open()
	if err != nil {
		return nil, err
	}
	return &ThreadIO{probe: p, cur: map[int64]threadio.Counts{}, last: map[int64]threadio.Counts{},
		absent: map[int64]uint64{}}, nil
}

// Close unloads the counters.
func (x *ThreadIO) Close() error {
	if x == nil {
		return nil
	}
	return x.probe.Close()
}

// Err returns (and forgets) the last error reading the counters.
func (x *ThreadIO) Err() error {
	err := x.err
	x.err = nil
	return err
}

// read takes the kernel's totals.
func (x *ThreadIO) read() {
	clear(x.cur)
	if err := x.probe.Read(func(tid int64, c threadio.Counts) { x.cur[tid] = c }); err != nil {
		x.err = err
	}
}

// baseline makes what was counted so far given: a table attached now
// starts from here.
func (x *ThreadIO) baseline() {
	x.read()
	clear(x.last)
	for tid, c := range x.cur {
		x.last[tid] = c
	}
}

// take returns what thread tid counted since it was last given (after a
// read).
func (x *ThreadIO) take(tid int64) threadio.Counts {
	c, ok := x.cur[tid]
	if !ok {
		return threadio.Counts{}
	}
	d := c.Sub(x.last[tid])
	x.last[tid] = c
	return d
}

// exit returns the last bytes of thread tid, which exits, and forgets it.
func (x *ThreadIO) exit(tid int64) threadio.Counts {
	c, ok := x.probe.Lookup(tid)
	if !ok {
		return threadio.Counts{}
	}
	d := c.Sub(x.last[tid])
	x.probe.Delete([]int64{tid})
	delete(x.last, tid)
	delete(x.cur, tid)
	delete(x.absent, tid)
	return d
}

// sweep deletes the counters of threads that are missing from st although
// the events (at ts) are well past the time they were first missed (after
// a read).
func (x *ThreadIO) sweep(st *state.State, ts uint64) {
	x.gone = x.gone[:0]
	now := uint64(time.Now().UnixNano())
	for tid := range x.cur {
		if st.Thread(tid) != nil {
			delete(x.absent, tid)
			continue
		}
		first, ok := x.absent[tid]
		if !ok {
			x.absent[tid] = now
		} else if ts > first+absentMargin {
			x.gone = append(x.gone, tid)
		}
	}
	for tid := range x.absent {
		if _, ok := x.cur[tid]; !ok {
			delete(x.absent, tid)
		}
	}
	if len(x.gone) == 0 {
		return
	}
	x.probe.Delete(x.gone)
	for _, tid := range x.gone {
		delete(x.last, tid)
		delete(x.absent, tid)
	}
}

// ioKind is which counter an I/O column shows.
type ioKind uint8

const (
	ioNone ioKind = iota
	ioAny
	ioAnyIn
	ioAnyOut
	ioFile
	ioFileIn
	ioFileOut
	ioNet
	ioNetIn
	ioNetOut
)

var ioKinds = map[string]ioKind{
	"evt.buflen": ioAny, "evt.buflen.in": ioAnyIn, "evt.buflen.out": ioAnyOut,
	"evt.buflen.file": ioFile, "evt.buflen.file.in": ioFileIn, "evt.buflen.file.out": ioFileOut,
	"evt.buflen.net": ioNet, "evt.buflen.net.in": ioNetIn, "evt.buflen.net.out": ioNetOut,
}

func (k ioKind) of(c *threadio.Counts) uint64 {
	switch k {
	case ioAny:
		return c.Any
	case ioAnyIn:
		return c.AnyIn
	case ioAnyOut:
		return c.AnyOut
	case ioFile:
		return c.File
	case ioFileIn:
		return c.FileIn
	case ioFileOut:
		return c.FileOut
	case ioNet:
		return c.Net
	case ioNetIn:
		return c.NetIn
	case ioNetOut:
		return c.NetOut
	}
	return 0
}

// counterTypes are the event types whose part in a table counters take
// over or stand in for: the exits of the counted I/O calls (and their
// enters, which only give rows), the end-of-sample pass's events and
// procexit.
func counterTypes() []event.Type {
	var out []event.Type
	for _, r := range event.Routes() {
		info := r.Exit.Info()
		if info == nil || info.Category&event.CatIORead == 0 || info.Flags&event.FlagUsesFD == 0 {
			continue
		}
		out = append(out, r.Enter, r.Exit)
	}
	out = append(out, event.EvSysdigeventX)
	for ty := event.Type(0); int(ty) < event.MaxType; ty++ {
		if isProcExit(ty) {
			out = append(out, ty)
		}
	}
	return out
}

func isProcExit(ty event.Type) bool {
	info := ty.Info()
	return info != nil && info.Name == "procexit"
}

// procExitType is isProcExit by event type.
var procExitType = func() []bool {
	out := make([]bool, event.MaxType)
	for ty := range out {
		out[ty] = isProcExit(event.Type(ty))
	}
	return out
}()

func summed(a Aggregation) bool { return a == AggSum || a == AggTimeAvg }

// threadField reports whether a filter's field is a value of the thread's
// state alone (not of the event, nor of the time).
func threadField(name string) bool {
	switch {
	case strings.HasPrefix(name, "thread.cpu"), name == "proc.duration",
		strings.HasPrefix(name, "thread.exectime"), strings.HasPrefix(name, "thread.totexectime"):
		return false
	}
	for _, p := range []string{"proc.", "thread.", "user.", "group.", "container."} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// CountersServe reports whether ThreadIO can serve the table's I/O columns:
// see ThreadIO.
func (t *Table) CountersServe() bool {
	if t.list || t.spec != nil || t.flows {
		return false
	}
	io := false
	for j := range t.cols {
		cs := &t.cols[j]
		switch {
		case ioColumn(cs) && j > 0:
			if ioKinds[cs.name] == ioNone {
				return false
			}
			// Sums only: an average or a maximum counts events.
			if !summed(cs.agg) || (t.groupBy && !summed(cs.gagg)) {
				return false
			}
			io = true
		case stateColumn(cs):
		default:
			return false
		}
	}
	return io && t.flt.SameAcross(counterTypes(), threadField)
}

// UseThreadIO makes the table take its I/O columns from x when it can
// (CountersServe), counting from now; it reports whether it does. The
// table then needs no I/O event (KernelPushDown) and ignores the I/O
// lengths of those it still gets (state changes such as close), which the
// counters have.
func (t *Table) UseThreadIO(x *ThreadIO) bool {
	if x == nil || !t.CountersServe() {
		return false
	}
	t.io = x
	for j := range t.cols {
		t.cols[j].io = ioKinds[t.cols[j].name]
	}
	x.baseline()
	return true
}

// ThreadIOErr returns the last error of the table's counters, if any.
func (t *Table) ThreadIOErr() error {
	if t.io == nil {
		return nil
	}
	if err := t.io.Err(); err != nil {
		return fmt.Errorf("thread I/O counters: %w", err)
	}
	return nil
}

// ioCell is the value of I/O column cs of the event being added: the
// counters given with it (ioCur), else nothing.
func (t *Table) ioCell(cs *colSpec) Cell {
	if t.ioCur == nil {
		return Cell{}
	}
	if v := cs.io.of(t.ioCur); v > 0 {
		return Cell{U: v, Cnt: 1}
	}
	return Cell{}
}

// exitIO gives the current event, a thread's procexit, that thread's last
// counted bytes (Process).
func (t *Table) exitIO(c *fields.Ctx) {
	if t.ioBuf = t.io.exit(c.Ev.TID); !t.ioBuf.IsZero() {
		t.ioCur = &t.ioBuf
	}
}
