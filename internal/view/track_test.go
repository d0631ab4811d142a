// SPDX-License-Identifier: Apache-2.0

package view

import (
	"bytes"
	"fmt"
	"math/rand"
	"os/exec"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// churn makes a random workload over an idle machine's processes:
// processes and threads starting, exec'ing, writing, switching and
// mapping memory (memory figures), changing directory and exiting, with quiet stretches of
// several samples between bursts.
func churn(seed int64, n int) *synth.Gen {
	rng := rand.New(rand.NewSource(seed))
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 3_000_000}
	type proc struct{ tid, pid int64 }
	var live []proc
	for i := 0; i < 40; i++ {
		live = append(live, proc{int64(1000 + i), int64(1000 + i)})
	}
	next := int64(9000)
	for i := 0; i < n; i++ {
		if rng.Intn(40) == 0 {
			g.TS += uint64(rng.Intn(5)) * 100_000_000 // quiet for a few samples
		}
		p := live[rng.Intn(len(live))]
		switch k := rng.Intn(20); {
		case k < 2: // a new process
			g.Clone(p.tid, next, synth.Proc{PID: next, PTID: p.tid, Exe: "/bin/w", Comm: "w", Args: []string{"a"}, Cwd: "/"}, 0)
			live = append(live, proc{next, next})
			next++
		case k < 4: // a new thread of p's process
			g.Clone(p.tid, next, synth.Proc{PID: p.pid, PTID: p.pid, Exe: "/bin/w", Comm: "w", Cwd: "/"}, 0x2000)
			live = append(live, proc{next, p.pid})
			next++
		case k < 5:
			g.Execve(p.tid, synth.Proc{PID: p.pid, PTID: 1, Exe: "/bin/x", Comm: fmt.Sprintf("x%d", i%3), Args: []string{"b"}, Cwd: "/"}, 0)
		case k < 7: // exits
			if len(live) > 10 {
				g.ProcExit(p.tid, 0)
				for j := range live {
					if live[j] == p {
						live = append(live[:j], live[j+1:]...)
						break
					}
				}
			}
		case k < 10:
			g.Emit(event.SchedSwitch, p.tid, 0, uint64(i), uint64(2*i), uint64(5000+i), uint64(900+i%50), uint64(0))
		case k < 11:
			g.Chdir(p.tid, "/tmp", 0)
		case k < 13: // memory figures of the calling thread
			g.Syscall("mmap", p.tid, []any{uint64(0), uint64(4096), uint32(3), uint32(0x22), int64(-1), uint64(0)},
				[]any{uint64(0x7f0000000000), uint32(6000 + rng.Intn(4000)), uint32(900 + rng.Intn(300)), uint32(0)})
		default:
			g.Write(p.tid, 1, make([]byte, 1+rng.Intn(300)))
		}
	}
	return g
}

// twoTables samples a tracked and an untracked table of one view side by
// side and compares their --raw output at every sample.
type twoTables struct {
	t              *testing.T
	a, b           *Table // a tracked
	st             *state.State
	iv, next       uint64
	samples, pause int
	rng            *rand.Rand
	oa, ob         bytes.Buffer
}

func (c *twoTables) OnCaptureStart(r *engine.Run) error { c.st = r.State; return nil }
func (c *twoTables) OnCaptureEnd(r *engine.Run) error   { return nil }
func (c *twoTables) OnEvent(ctx *fields.Ctx) error {
	if ts := ctx.Ev.TS; ts > c.next {
		if c.next != 0 {
			paused := c.rng.Intn(15) == 0 // a sample dropped without its pass
			if paused {
				c.pause++
			} else {
				c.a.ProcessThreads(ctx, c.st, ts)
				c.b.ProcessThreads(ctx, c.st, ts)
			}
			ra, rb := c.a.Sample(), c.b.Sample()
			c.oa.Reset()
			c.ob.Reset()
			if err := c.a.WriteRaw(&c.oa, ra, c.iv); err != nil {
				return err
			}
			if err := c.b.WriteRaw(&c.ob, rb, c.iv); err != nil {
				return err
			}
			if !bytes.Equal(c.oa.Bytes(), c.ob.Bytes()) {
				c.t.Fatalf("sample %d (paused %v): tracked\n%s\nwant\n%s", c.samples, paused, c.oa.Bytes(), c.ob.Bytes())
			}
			c.samples++
		}
		c.next = ts - ts%c.iv + c.iv
	}
	if err := c.a.Process(ctx); err != nil {
		return err
	}
	return c.b.Process(ctx)
}

// TestTrackedTablesMatch: a tracked table (Table.Track), which visits
// only the threads that changed, prints every sample as a table visiting
// every thread does, while processes and threads start, exec, write,
// switch and exit, for the procs and threads views, with and without a
// filter on the thread; and it visits fewer threads than there are.
func TestTrackedTablesMatch(t *testing.T) {
	for _, tc := range []struct{ view, filter string }{
		{"procs", ""}, {"threads", ""}, {"procs", "proc.name!=x1 and user.name=root"},
	} {
		for seed := int64(1); seed <= 3; seed++ {
			g := churn(seed, 6000)
			mk := func(track bool) *Table {
				tb, err := NewTable(NewCatalog(Builtin(), false, false).Find(tc.view), Options{Filter: tc.filter})
				if err != nil {
					t.Fatal(err)
				}
				tb.ReuseRows, tb.Track = true, track
				return tb
			}
			c := &twoTables{t: t, a: mk(true), b: mk(false), iv: 100_000_000, rng: rand.New(rand.NewSource(seed))}
			snap := idleMachine(300)
			if err := engine.New(g.Source(snap), EngineOptions(0), c).Loop(); err != nil {
				t.Fatal(err)
			}
			if !c.a.trk.ok || c.b.trk.ok {
				t.Fatalf("%s: tracked %v/%v", tc.view, c.a.trk.ok, c.b.trk.ok)
			}
			perSample := float64(c.a.trk.visits) / float64(c.samples-c.pause)
			if c.samples < 50 || perSample > 150 {
				t.Errorf("%s %q seed %d: %d samples, %.0f threads visited per sample of ~340", tc.view, tc.filter, seed, c.samples, perSample)
			}
			t.Logf("%s %q seed %d: %d samples (%d paused), %.0f threads visited per sample", tc.view, tc.filter, seed, c.samples, c.pause, perSample)
		}
	}
}

// TestTrackingNeedsLocalColumns: views with columns or filters that
// depend on more than the thread (descriptors, time, other threads) are
// not tracked.
func TestTrackingNeedsLocalColumns(t *testing.T) {
	cat := NewCatalog(Builtin(), false, false)
	for _, tc := range []struct {
		view, filter string
		want         bool
	}{
		{"procs", "", true},
		{"threads", "", true},
		{"procs", "fd.name contains /etc", false},
		{"procs", "proc.pname=bash", false},
		{"files", "", false},
		{"connections", "", false},
	} {
		d := cat.Find(tc.view)
		if d == nil {
			t.Fatalf("no view %s", tc.view)
		}
		tb, err := NewTable(d, Options{Filter: tc.filter})
		if err != nil {
			t.Fatal(err)
		}
		tb.ReuseRows, tb.Track = true, true
		if got := tb.tracked(); got != tc.want {
			t.Errorf("%s %q: tracked %v, want %v", tc.view, tc.filter, got, tc.want)
		}
	}
}

// stopAfter stops a run after n samples of a twoTables.
type stopAfter struct {
	*twoTables
	n   int
	run *engine.Run
}

func (s *stopAfter) OnCaptureStart(r *engine.Run) error {
	s.run = r
	return s.twoTables.OnCaptureStart(r)
}
func (s *stopAfter) OnEvent(ctx *fields.Ctx) error {
	if s.samples >= s.n {
		s.run.Stop()
	}
	return s.twoTables.OnEvent(ctx)
}

// TestTrackedTablesMatchLive: on a live capture of the whole machine
// (whatever else runs on it, with processes started and ended
// meanwhile), the tracked procs and threads tables print every sample
// as the untracked ones do.
func TestTrackedTablesMatchLive(t *testing.T) {
	testutil.RequireRoot(t)
	cat := NewCatalog(Builtin(), false, false)
	for _, id := range []string{"procs", "threads"} {
		mk := func(track bool) *Table {
			tb, err := NewTable(cat.Find(id), Options{})
			if err != nil {
				t.Fatal(err)
			}
			tb.ReuseRows, tb.Track = true, track
			return tb
		}
		c := &stopAfter{twoTables: &twoTables{t: t, a: mk(true), b: mk(false), iv: 200_000_000, rng: rand.New(rand.NewSource(1))}, n: 25}
		src, err := openFor(&Config{}, c.b)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			// Processes and threads come and go meanwhile.
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				case <-time.After(30 * time.Millisecond):
				}
				if cmd := exec.Command("sh", "-c", "echo x >/dev/null; sleep 0.05"); cmd.Start() == nil {
					go cmd.Wait()
				}
			}
		}()
		err = engine.New(src, EngineOptions(0), c).Loop()
		close(done)
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !c.a.trk.ok || c.samples < c.n {
			t.Fatalf("%s: tracked %v, %d samples", id, c.a.trk.ok, c.samples)
		}
		t.Logf("%s: %d samples, %d threads visited by the tracked passes, %d rows in the last", id, c.samples, c.a.trk.visits, len(c.a.pre))
	}
}
