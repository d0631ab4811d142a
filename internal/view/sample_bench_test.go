// SPDX-License-Identifier: Apache-2.0

package view

import (
	"bytes"
	"fmt"
	"syscall"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// idleMachine is a snapshot of n sleeping single-threaded processes
// (children of an init), as on a machine with ~2,000 idle processes.
func idleMachine(n int) *event.Snapshot {
	snap := &event.Snapshot{Users: []event.User{{UID: 0, Name: "root"}}}
	snap.Threads = append(snap.Threads, event.Thread{TID: 1, PID: 1, Comm: "init", Exe: "/sbin/init", ExePath: "/sbin/init",
		VMSizeKB: 20000, VMRSSKB: 9000})
	for i := 0; i < n; i++ {
		tid := int64(1000 + i)
		snap.Threads = append(snap.Threads, event.Thread{TID: tid, PID: tid, PTID: 1, Comm: "sleep", Exe: "sleep",
			ExePath: "/usr/bin/sleep", Args: []string{"3600"}, VMSizeKB: 5000, VMRSSKB: 900 + uint32(i%7), Cwd: "/"})
	}
	return snap
}

// cpuTime is the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// grab keeps the run's state and context once its events have passed.
type grab struct{ run *engine.Run }

func (g *grab) OnCaptureStart(r *engine.Run) error { g.run = r; return nil }
func (g *grab) OnCaptureEnd(r *engine.Run) error   { return nil }
func (g *grab) OnEvent(c *fields.Ctx) error        { return nil }

// BenchmarkIdleSample is the per-sample work of `ferret top --raw` (procs
// view, 2 Hz) on a machine with 2,000 (and 10,000) idle processes: a few events of a
// handful of threads, then the end-of-sample pass (over every thread, or
// as a tracked table: over the threads that changed), the merge and sort,
// and the --raw text of every row.
func BenchmarkIdleSample(b *testing.B) {
	for _, bc := range []struct {
		id    string
		n     int
		track bool
	}{{"procs", 2000, false}, {"procs", 2000, true}, {"threads", 2000, false}, {"threads", 2000, true},
		{"procs", 10000, false}, {"procs", 10000, true}} {
		id := bc.id
		pass := "all"
		if bc.track {
			pass = "tracked"
		}
		b.Run(fmt.Sprintf("%s-%d-%s", bc.id, bc.n, pass), func(b *testing.B) {
			g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 1000}
			g.Write(1, 1, []byte("x"))
			keep := &grab{}
			run := engine.New(g.Source(idleMachine(bc.n)), EngineOptions(0), keep)
			if err := run.Loop(); err != nil {
				b.Fatal(err)
			}
			tb, err := NewTable(NewCatalog(Builtin(), false, false).Find(id), Options{})
			if err != nil {
				b.Fatal(err)
			}
			tb.ReuseRows = true // as RunBatch's
			tb.Track = bc.track // as RunBatch's live
			var out bytes.Buffer
			bt := &Batch{Table: tb, Out: &out, Live: true, Interval: 500_000_000}
			bt.OnCaptureStart(run)
			ts := uint64(1_700_000_001_000_000_000)
			// A few events per sample (an idle machine's 60 per
			// 500 ms come from a handful of threads).
			evs := make([]*event.Event, 0, 60)
			eg := &synth.Gen{TS: ts, Step: 1000}
			for i := 0; i < 30; i++ {
				eg.Write(int64(1000+i%5), 1, []byte("x"))
			}
			evs = append(evs, eg.Events()...)
			st := run.State
			c := run.Ctx
			step := func() {
				ts += 500_000_000
				for _, ev := range evs {
					ev.TS = ts - 1000
					st.Update(ev)
					c.Ev = ev
					if err := tb.Process(c); err != nil {
						b.Fatal(err)
					}
				}
				out.Reset()
				if err := bt.endOfSample(c, ts); err != nil {
					b.Fatal(err)
				}
			}
			step()
			step()
			if n := bytes.Count(out.Bytes(), []byte("\n")); n < bc.n {
				b.Fatalf("%d lines of output", n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				step()
			}
			// CPU time (the process's, GC included) tells the cost on a
			// loaded machine better than the wall time.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestRawLinesFollowChanges: WriteRaw's lines kept from a sample to the
// next are those a fresh rendering gives, while rows come and go and
// their values change (processes starting, writing, exiting).
func TestRawLinesFollowChanges(t *testing.T) {
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 7_000_000}
	for i := 0; i < 400; i++ {
		tid := int64(5000 + i)
		switch i % 4 {
		case 0:
			g.Clone(1, tid, synth.Proc{PID: tid, PTID: 1, Exe: "/bin/w", Comm: "w", Cwd: "/"}, 0)
		case 1:
			g.Write(tid-1, 1, make([]byte, 100*i))
		case 2:
			g.Write(int64(1000+i%9), 1, make([]byte, i))
		case 3:
			g.ProcExit(tid-3, 0)
		}
	}
	for _, id := range []string{"procs", "threads"} {
		tb, err := NewTable(NewCatalog(Builtin(), false, false).Find(id), Options{})
		if err != nil {
			t.Fatal(err)
		}
		tb.ReuseRows = id == "procs"
		chk := &rawCheck{t: t, tb: tb, iv: 100_000_000}
		if err := engine.New(g.Source(idleMachine(50)), EngineOptions(0), chk).Loop(); err != nil {
			t.Fatal(err)
		}
		if chk.samples < 20 || chk.kept == 0 || chk.changed == 0 {
			t.Errorf("%s: %d samples, %d lines kept, %d formatted again", id, chk.samples, chk.kept, chk.changed)
		}
		t.Logf("%s: %d samples, %d lines kept, %d formatted again", id, chk.samples, chk.kept, chk.changed)
	}
}

// rawCheck samples a table every iv of event time and compares what
// WriteRaw writes with the rows rendered afresh.
type rawCheck struct {
	t                      *testing.T
	tb                     *Table
	st                     *state.State
	iv, next               uint64
	samples, kept, changed int
	out                    bytes.Buffer
}

func (c *rawCheck) OnCaptureStart(r *engine.Run) error { c.st = r.State; return nil }
func (c *rawCheck) OnCaptureEnd(r *engine.Run) error   { return nil }
func (c *rawCheck) OnEvent(ctx *fields.Ctx) error {
	if ts := ctx.Ev.TS; ts > c.next {
		if c.next != 0 {
			c.tb.ProcessThreads(ctx, c.st, ts)
			rows := c.tb.Sample()
			delta := c.iv
			if c.samples%5 == 4 {
				delta *= 2 // (another duration: every rate changes)
			}
			c.out.Reset()
			if err := c.tb.WriteRaw(&c.out, rows, delta); err != nil {
				return err
			}
			var want []byte
			for _, r := range rows {
				want = c.tb.appendRaw(want, r, delta)
			}
			want = append(want, "----------------------\n"...)
			if !bytes.Equal(c.out.Bytes(), want) {
				c.t.Fatalf("sample %d:\n%s\nwant\n%s", c.samples, c.out.Bytes(), want)
			}
			c.samples++
			c.kept += c.tb.raw.kept
			c.changed += len(rows) - c.tb.raw.kept
		}
		c.next = ts - ts%c.iv + c.iv
	}
	return c.tb.Process(ctx)
}
