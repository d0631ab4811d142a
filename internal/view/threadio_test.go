// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.MaybeIOTrigger()
	os.Exit(m.Run())
}

// TestCountersServe lists which tables the thread I/O counters serve.
func TestCountersServe(t *testing.T) {
	cat := (&Config{Dirs: []string{}}).Catalog()
	for _, c := range []struct {
		view, filter string
		want         bool
	}{
		{"procs", "", true},
		{"threads", "", true},
		{"procs", "proc.name=bash", true},
		{"procs", "proc.name=bash and evt.type!=switch", true},
		{"procs", "container.name!=host", true},
		{"procs", "fd.name=/etc/passwd", false}, // the descriptor: events only
		{"procs", "evt.type=read", false},       // I/O events, not the pass
		{"procs", "evt.dir=<", false},           // procexit is an enter
		{"procs", "evt.buflen>100", false},
		{"procs", "thread.cpu>1", false},
		{"files", "", false},
		{"connections", "", false},
		{"syscalls", "", false},
		{"spy_syslog", "", false},
	} {
		d := cat.Find(c.view)
		if d == nil {
			t.Fatalf("no view %s", c.view)
		}
		tb, err := NewTable(d, Options{Filter: c.filter})
		if err != nil {
			t.Fatal(err)
		}
		if got := tb.CountersServe(); got != c.want {
			t.Errorf("view %s, filter %q: CountersServe %v, want %v", c.view, c.filter, got, c.want)
		}
	}
}

// twoPaths feeds one live capture to tables of views, each view twice:
// from the I/O events and from the thread I/O counters. It sums their I/O
// columns per row key over the samples.
type twoPaths struct {
	tables     [][2]*Table // per view: events, counters
	cols       [][]int     // per view: the visible I/O columns
	sums       [][2]map[string][]uint64
	iv, next   uint64
	samples    int
	exitSeenAt int           // samples when the trigger's procexit was seen (-1: not yet)
	exits      map[int64]int // samples when each tid's procexit was seen
	trigger    chan int64
	pid        int64
	started    chan struct{}
	after      int // samples to wait after the trigger's exit
	limit      int // samples after which to give up
	run        *engine.Run
}

func (p *twoPaths) OnCaptureStart(r *engine.Run) error { p.run = r; return nil }
func (p *twoPaths) OnCaptureEnd(r *engine.Run) error   { return nil }

func (p *twoPaths) OnEvent(c *fields.Ctx) error {
	ts := c.Ev.TS
	if ts > p.next {
		if p.next != 0 {
			p.sample(c, ts)
		}
		p.next = ts - ts%p.iv + p.iv
	}
	select {
	case pid := <-p.trigger:
		p.pid = pid
	default:
	}
	// The trigger's pid comes once it has exited, which the capture may
	// have seen already: every exit is remembered until then.
	if procExitType[c.Ev.Type] {
		if _, ok := p.exits[c.Ev.TID]; !ok {
			p.exits[c.Ev.TID] = p.samples
		}
	}
	if _, ok := p.exits[p.pid]; ok && p.pid != 0 && p.exitSeenAt < 0 {
		// the samples to wait for are counted from here
		p.exitSeenAt = p.samples
	}
	for _, pair := range p.tables {
		for _, tb := range pair {
			if err := tb.Process(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *twoPaths) sample(c *fields.Ctx, ts uint64) {
	for v, pair := range p.tables {
		for i, tb := range pair {
			tb.ProcessThreads(c, p.run.State, ts)
			for _, r := range tb.Sample() {
				s := p.sums[v][i][r.KeyText]
				if s == nil {
					s = make([]uint64, len(p.cols[v]))
					p.sums[v][i][r.KeyText] = s
				}
				for k, j := range p.cols[v] {
					s[k] += r.Values[j].U
				}
			}
		}
	}
	p.samples++
	if p.samples == 2 {
		close(p.started) // the trigger may start
	}
	if (p.exitSeenAt >= 0 && p.samples >= p.exitSeenAt+p.after) || p.samples >= p.limit {
		p.run.Stop()
	}
}

// TestThreadIOMatchesEvents runs a program doing a known amount of I/O
// (a file written and read back, a TCP exchange with itself, a pipe) while
// the procs and threads views aggregate a live capture both from the I/O
// events and from the counters: the program's row gets the same FILE and
// NET totals both ways, and NET the exact byte count it moved over TCP.
// The views filter on the program's name (a filter the counters serve),
// which also keeps the capture small.
func TestThreadIOMatchesEvents(t *testing.T) {
	testutil.RequireRoot(t)
	cat := (&Config{Dirs: []string{}}).Catalog()
	comm := filepath.Base(os.Args[0])
	if len(comm) > 15 {
		comm = comm[:15]
	}
	flt := "proc.name=" + comm
	views := []string{"procs", "threads"}
	p := &twoPaths{iv: 200_000_000, exitSeenAt: -1, exits: map[int64]int{}, trigger: make(chan int64, 1),
		started: make(chan struct{}), after: 3, limit: 600}
	var names [][]string
	for _, id := range views {
		d := cat.Find(id)
		ev, err := NewTable(d, Options{Filter: flt})
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := NewTable(d, Options{Filter: flt})
		// (One set of counters per table: a table takes what it shows.)
		x, err := OpenThreadIO()
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if !ct.UseThreadIO(x) {
			t.Fatalf("the counters do not serve view %s", id)
		}
		hdr, _ := ev.Headers()
		var cols []int
		var cn []string
		for i, n := range hdr {
			if ioColumn(ev.valueCol(i)) {
				cols = append(cols, i)
				cn = append(cn, n)
			}
		}
		if len(cols) != 2 {
			t.Fatalf("view %s: I/O columns %v", id, cn)
		}
		p.tables = append(p.tables, [2]*Table{ev, ct})
		p.cols = append(p.cols, cols)
		p.sums = append(p.sums, [2]map[string][]uint64{{}, {}})
		names = append(names, cn)
	}
	// The events of the event path's tables (I/O and state), a superset
	// of what the counters' tables need.
	src, err := openFor(&Config{}, p.tables[0][0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	run := engine.New(src, EngineOptions(0), p)
	errc := make(chan error, 1)
	go func() { errc <- run.Loop() }()
	// Samples follow the events' time stamps, and the filter passes only
	// this program's command name: the trigger runs from a launcher of
	// that name which, before the trigger starts and once it is gone,
	// makes some (an open and close of /dev/null every 20 ms), so that
	// the samples, and the run's end after them, keep coming.
	launcher := testutil.StartIOLauncher(t)
	select {
	case <-p.started:
	case err := <-errc:
		t.Fatalf("capture ended: %v", err)
	}
	pid := launcher.Run(t)
	p.trigger <- int64(pid)
	err = <-errc
	if err != nil {
		t.Fatal(err)
	}
	drops := src.Stats().TotalDrops()
	if p.exitSeenAt < 0 {
		if drops > 0 {
			t.Skipf("the capture lost %d events, the trigger's exit among them", drops)
		}
		t.Fatal("the trigger's exit was not seen")
	}
	key := strconv.Itoa(pid)
	f, n := uint64(testutil.TriggerFileBytes), uint64(testutil.TriggerNetBytes)
	for v, id := range views {
		evs, cts := p.sums[v][0][key], p.sums[v][1][key]
		cn := names[v]
		t.Logf("%s row %s: %v events %v, counters %v", id, key, cn, evs, cts)
		if drops > 0 {
			t.Logf("the capture lost %d events: not compared", drops)
			continue
		}
		if cts == nil {
			t.Errorf("%s: no row %s from the counters", id, key)
			continue
		}
		if cts[0] < 2*f || cts[1] != 2*n {
			t.Errorf("%s: counters give %s %d (want at least %d), %s %d (want %d)", id, cn[0], cts[0], 2*f, cn[1], cts[1], 2*n)
		}
		if fmt.Sprint(evs) != fmt.Sprint(cts) {
			t.Errorf("%s: events give %v, counters %v", id, evs, cts)
		}
	}
}
