// SPDX-License-Identifier: Apache-2.0

package view

import (
	"math"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// localFields are the fields whose value for a thread's end-of-sample
// event is a function of that thread's record, its main thread's (child
// count, parent), the count of threads naming its process and the user
// and group tables (which only a load changes), and nothing else: not
// the event, the time, descriptors or other threads.
var localFields = map[string]bool{
	"proc.pid": true, "proc.exe": true, "proc.name": true, "proc.args": true, "proc.cmdline": true,
	"proc.exeline": true, "proc.nthreads": true, "proc.nchilds": true, "proc.ppid": true, "proc.vpid": true,
	"proc.vmsize": true, "proc.vmrss": true, "proc.vmswap": true, "proc.sid": true, "proc.exepath": true,
	"proc.vpgid": true, "proc.is_exe_writable": true,
	"thread.tid": true, "thread.vtid": true, "thread.ismain": true, "thread.nametid": true,
	"thread.vmsize": true, "thread.vmrss": true, "thread.vmsize.b": true, "thread.vmrss.b": true,
	"thread.pfmajor": true, "thread.pfminor": true,
	"user.uid": true, "user.name": true, "user.homedir": true, "user.shell": true,
	"group.gid": true, "group.name": true,
}

// localColumn reports whether column cs takes the same value on every
// end-of-sample event of a thread the state has not changed: a local
// field, thread.cpu (a value of procinfo events only, none here) or a
// summed I/O length (none either, or the thread's counters).
func localColumn(cs *colSpec) bool {
	switch {
	case cs.isList:
		return false
	case localFields[cs.name] && cs.col.FieldAt(0) == cs.name:
		return true
	case cs.name == "thread.cpu" || cs.name == "thread.cpu.user" || cs.name == "thread.cpu.system":
		return true
	}
	return ioColumn(cs) && summed(cs.agg) && (cs.gagg == AggNone || summed(cs.gagg))
}

// tracker is what a tracked table (Table.Track) keeps between its
// end-of-sample passes.
//
// Rows stay in the table from a sample to the next (pre is not emptied).
// A row's open is the sample its values were started in; a row of an
// earlier sample is started again when an event or the pass adds to it.
// At the pass, a thread whose row would come out as it did the previous
// time keeps it untouched: one the state has not changed since the
// previous pass (nor, for a thread other than its process's main one, the
// main thread), which no event, counter or removal gave anything since.
// The others are visited as every thread is by an untracked table: those
// the state changed or added (Thread.ChangedSince), those removed from
// the thread table, and the keys events started rows for in this sample
// or the previous one, or the counters gave bytes to in the previous one
// (their rows then held more than the pass alone gives).
type tracker struct {
	checked, ok bool
	// valid: the rows are those of the previous sample's pass (else the
	// next pass visits every thread).
	valid  bool
	passed bool // a pass ran in the current sample
	sample uint64
	since  uint64          // State.Changes after the previous pass
	list   []*state.Thread // ThreadsByTID then
	// opened: keys of rows events started in the current sample; carry:
	// keys to visit again at the next pass; next: carry's next value.
	opened, carry, next []int64
	visits              int // threads visited by passes (tests)
	// keysChanged: a key was added to or dropped from pre since
	// preRows, its rows in the order of Table.preKeys, was made.
	keysChanged bool
	preRows     []*Row
}

// tracked reports whether the table keeps its rows between samples
// (Track, on a table that qualifies): views keyed by thread whose values
// and filter are local (localColumn, localFields, the event type), whose
// rows a group-by merge copies or whose caller is done with a sample's
// rows before the next (ReuseRows).
func (t *Table) tracked() bool {
	tr := &t.trk
	if tr.checked {
		return tr.ok
	}
	tr.checked = true
	if !t.Track || t.list || t.spec != nil || t.flows || !t.intKey || !t.Def.UseDefaults ||
		!(t.groupBy || t.ReuseRows) || t.cols[0].name != "thread.tid" || t.cols[0].col.FieldAt(0) != "thread.tid" {
		return false
	}
	for j := 1; j < len(t.cols); j++ {
		if !localColumn(&t.cols[j]) {
			return false
		}
	}
	if t.flt != nil {
		for _, f := range t.flt.Fields() {
			if f != "evt.type" && !localFields[f] {
				return false
			}
		}
	}
	tr.ok, tr.sample, tr.keysChanged = true, 1, true
	return true
}

// trackedPass is ProcessThreads for a tracked table (c.Ev and the
// state's current event are the pass's, restored by the caller).
func (t *Table) trackedPass(c *fields.Ctx, st *state.State, ev *event.Event) {
	tr := &t.trk
	list := st.ThreadsByTID()
	tr.next = tr.next[:0]
	if !tr.valid || st.RecountedSince(tr.since) {
		// Every thread: rows of an earlier sample go unless visited.
		for k, r := range t.preInt {
			if r.open != tr.sample {
				t.dropRow(k, r)
			}
		}
		for _, th := range list {
			t.visit(c, st, ev, th.TID, th)
		}
	} else {
		if !sameThreads(list, tr.list) {
			t.visitRemoved(c, st, ev, tr.list, list)
		}
		for _, k := range tr.carry {
			t.visit(c, st, ev, k, st.Thread(k))
		}
		for _, k := range tr.opened {
			t.visit(c, st, ev, k, st.Thread(k))
		}
		if t.io != nil {
			for tid, n := range t.io.cur {
				if n != t.io.last[tid] {
					t.visit(c, st, ev, tid, st.Thread(tid))
				}
			}
		}
		lastPID, mainChanged := int64(math.MinInt64), false
		for _, th := range list {
			changed := th.ChangedSince(tr.since)
			if !changed && th.TID != th.PID {
				if th.PID != lastPID {
					m := st.Thread(th.PID)
					lastPID, mainChanged = th.PID, m == nil || m.ChangedSince(tr.since)
				}
				changed = mainChanged
			}
			if changed {
				t.visit(c, st, ev, th.TID, th)
			}
		}
	}
	tr.next = append(tr.next, tr.opened...)
	tr.carry, tr.next = tr.next, tr.carry
	tr.opened = tr.opened[:0]
	tr.since, tr.list, tr.passed = st.Changes(), list, true
}

// sameThreads reports whether two of the state's ThreadsByTID slices are
// the same one (it is replaced whenever the thread table changes).
func sameThreads(a, b []*state.Thread) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// visitRemoved visits the threads of old (by tid) that now, also sorted
// by tid, no longer holds as they were.
func (t *Table) visitRemoved(c *fields.Ctx, st *state.State, ev *event.Event, old, now []*state.Thread) {
	j := 0
	for _, o := range old {
		for j < len(now) && now[j].TID < o.TID {
			j++
		}
		if j < len(now) && now[j] == o {
			continue
		}
		t.visit(c, st, ev, o.TID, st.Thread(o.TID))
	}
}

// visit gives key tid its row of this sample's pass: th's end-of-sample
// event added to what events gave it in this sample, or no row (a thread
// gone, or one the filter or a missing value leaves out).
func (t *Table) visit(c *fields.Ctx, st *state.State, ev *event.Event, tid int64, th *state.Thread) {
	tr := &t.trk
	r := t.preInt[tid]
	if r != nil && r.syn == tr.sample {
		return // visited already
	}
	tr.visits++
	if th != nil {
		ev.TID = th.TID
		*st.Cur() = state.Cur{Event: ev, Thread: th, FDNum: -1}
		c.Ev = ev
		t.ioCur = nil
		if t.io != nil {
			if t.ioBuf = t.io.take(th.TID); !t.ioBuf.IsZero() {
				t.ioCur = &t.ioBuf
				tr.next = append(tr.next, tid)
			}
		}
		if t.flt == nil || t.flt.Match(c) {
			t.add(c)
		}
		r = t.preInt[tid]
	}
	if r == nil {
		return
	}
	if r.open != tr.sample {
		t.dropRow(tid, r) // of an earlier sample, and nothing added now
		return
	}
	r.syn = tr.sample
}

// dropRow removes the row of key k.
func (t *Table) dropRow(k int64, r *Row) {
	delete(t.preInt, k)
	delete(t.pre, r.KeyText)
	t.trk.keysChanged = true
}

// endTracked ends a tracked table's sample (Sample): a sample without a
// pass keeps only what events gave it, and the next pass visits every
// thread.
func (t *Table) endTracked() {
	tr := &t.trk
	if !tr.passed {
		for k, r := range t.preInt {
			if r.open != tr.sample {
				t.dropRow(k, r)
			}
		}
		tr.valid = false
		tr.carry = tr.carry[:0]
	} else {
		tr.valid = true
	}
	tr.opened = tr.opened[:0]
	tr.passed = false
	tr.sample++
}
