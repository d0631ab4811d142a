// SPDX-License-Identifier: Apache-2.0

package view

import (
	"io"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// TestLiveTablesStayBounded: a live-like stream of many short-lived
// threads, half of them with their exit lost (as when a full ring drops
// it), through the procs and threads views in 500 ms samples: the state's
// thread table and the tables' rows stay at about the threads alive at a
// time, not every thread ever seen.
func TestLiveTablesStayBounded(t *testing.T) {
	const (
		threads = 20000
		perSec  = 100 // threads started per second of event time
		parent  = int64(1)
	)
	gone := map[int64]bool{}
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 1_000_000_000 / (perSec * 8)}
	for i := 0; i < threads; i++ {
		tid := int64(1000 + i)
		comm := "w" + string(rune('a'+i%26))
		g.Clone(parent, tid, synth.Proc{PID: tid, PTID: parent, Exe: "/bin/" + comm, Comm: comm, Cwd: "/"}, 0)
		g.Write(tid, 1, []byte("x"))
		g.Switch(tid, parent)
		if i%2 == 0 {
			g.ProcExit(tid, 0)
		}
		gone[tid] = true // from the stream's point of view, it has ended
		// One event of a long-lived thread, so the sample clock runs.
		g.Write(parent, 1, []byte("y"))
	}
	snap := &event.Snapshot{Threads: []event.Thread{{TID: parent, PID: parent, PTID: 0, Comm: "init", ExePath: "/sbin/init"}}}
	cat := NewCatalog(Builtin(), false, false)
	for _, id := range []string{"procs", "threads"} {
		tb, err := NewTable(cat.Find(id), Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := &Batch{Table: tb, Out: io.Discard, Live: true, Interval: 500_000_000}
		opts := EngineOptions(0)
		opts.State.Alive = func(tid int64) bool { return !gone[tid] }
		maxThreads, maxRows := 0, 0
		probe := &sizeProbe{each: func(st *state.State) {
			maxThreads = max(maxThreads, st.NumThreads())
			maxRows = max(maxRows, len(tb.pre)+len(tb.prev))
		}}
		r := engine.New(g.Source(snap), opts, b, probe)
		if err := r.Loop(); err != nil {
			t.Fatal(err)
		}
		// About 100 threads start per second and each lives 10-15 s
		// (sweep interval plus idle time) once its exit is lost.
		limit := perSec * int((state.SweepNS+state.SweepIdleNS)/1_000_000_000) * 2
		if maxThreads > limit || maxRows > 2*limit {
			t.Errorf("%s: up to %d threads in the state and %d rows in the table for %d threads started (limit %d)",
				id, maxThreads, maxRows, threads, limit)
		}
		if r.State.Counters.Swept == 0 {
			t.Errorf("%s: no thread swept", id)
		}
		t.Logf("%s: at most %d threads, %d rows; %d swept", id, maxThreads, maxRows, r.State.Counters.Swept)
	}
}

// sizeProbe is a consumer that looks at the state every 1000 events.
type sizeProbe struct {
	n    int
	st   *state.State
	each func(*state.State)
}

func (p *sizeProbe) OnCaptureStart(r *engine.Run) error { p.st = r.State; return nil }
func (p *sizeProbe) OnCaptureEnd(r *engine.Run) error   { return nil }
func (p *sizeProbe) OnEvent(c *fields.Ctx) error {
	if p.n++; p.n%1000 == 0 {
		p.each(p.st)
	}
	return nil
}
