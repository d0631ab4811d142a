// SPDX-License-Identifier: Apache-2.0

package view

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// typeFilter is a source that drops the event types a kernel push-down
// would drop.
type typeFilter struct {
	capture.Source
	keep    map[event.Type]bool
	dropped int
}

func (s *typeFilter) Next() (*event.Event, error) {
	for {
		ev, err := s.Source.Next()
		if err != nil || s.keep[ev.Type] {
			return ev, err
		}
		s.dropped++
	}
}

// samples splits --raw output at its separator lines, leaving out the
// samples without rows.
func samples(out string) []string {
	var res []string
	for _, s := range strings.Split(out, "----------------------\n") {
		if strings.TrimSpace(s) != "" {
			res = append(res, s)
		}
	}
	return res
}

// TestPushDownKeepsTables: a view's table from only the events its kernel
// push-down keeps is the table from every event (on the shared captures),
// while most events are dropped for the process views.
func TestPushDownKeepsTables(t *testing.T) {
	traces, _ := filepath.Glob("testdata/traces/*.scap")
	traces = append(traces, filepath.Join(testutil.TracesExtra(t), "sysdig_chisels_lab_svh5_activity.scap"))
	cat := NewCatalog(Builtin(), false, false)
	for _, c := range []struct {
		view, filter string
		narrowed     bool
	}{
		{"procs", "", true},
		{"threads", "", true},
		{"procs_cpu", "", false}, // counts every call (evt.count)
		{"procs", "proc.name=curl", true},
		{"files", "", false},
		{"syscalls", "evt.type=open", true},
	} {
		d := cat.Find(c.view)
		tbl, err := NewTable(d, Options{Filter: c.filter})
		if err != nil {
			t.Fatal(err)
		}
		pd := tbl.KernelPushDown()
		if c.narrowed != (pd.EventTypes != nil) {
			t.Errorf("%s %q: %d types kept", c.view, c.filter, len(pd.EventTypes))
		}
		if pd.EventTypes == nil {
			continue
		}
		// Context switches are not subject to the push-down: a live
		// source delivers them only when asked to, as it would without.
		keep := map[event.Type]bool{event.SchedSwitch: true}
		for _, ty := range pd.EventTypes {
			keep[ty] = true
		}
		for _, tr := range traces {
			run := func(filtered bool) (string, int) {
				src, err := file.Open(tr)
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
				var s capture.Source = src
				tf := &typeFilter{Source: src, keep: keep}
				if filtered {
					s = tf
				}
				var out bytes.Buffer
				// Samples of a fixed length, as live (a capture file's one
				// sample lasts from its first event to its last, which
				// dropping events would change).
				if err := RunBatch(s, BatchConfig{View: c.view, Filter: c.filter, Views: cat, Out: &out, Live: true, Interval: 500_000_000}); err != nil {
					t.Fatal(err)
				}
				return out.String(), tf.dropped
			}
			all, _ := run(false)
			some, dropped := run(true)
			// Samples with no kept event are not printed (a live clock
			// would tick on): compare the samples both have, at the end.
			a, s := samples(all), samples(some)
			if len(s) > len(a) {
				t.Errorf("%s on %s: %d samples pushed down, %d from all", c.view, filepath.Base(tr), len(s), len(a))
				continue
			}
			all, some = strings.Join(a[len(a)-len(s):], ""), strings.Join(s, "")
			if normalize(all) != normalize(some) {
				t.Errorf("%s %q on %s: the table differs without the %d dropped events\n--- all\n%s\n--- pushed down\n%s",
					c.view, c.filter, filepath.Base(tr), dropped, all, some)
			}
			if dropped == 0 {
				t.Errorf("%s on %s: nothing dropped", c.view, filepath.Base(tr))
			}
		}
	}
}

// TestLiveNarrowing: as root, a live session of the procs view drops
// what the view cannot use in the kernel, and switching to a view that
// needs every call brings those calls back at once.
func TestLiveNarrowing(t *testing.T) {
	testutil.RequireRoot(t)
	loop := exec.Command("sh", "-c", "while :; do sleep 0.05; done")
	if err := testutil.Start(loop); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loop.Process.Kill(); loop.Wait() })
	s, err := NewSession(Config{View: "procs", DelayMS: 200, SnapLen: 80, Dirs: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ls := s.src.(*live.Source)
	if got := ls.EventTypes(); got == nil || len(got) > 200 {
		t.Fatalf("procs view: %d event types kept in the kernel", len(got))
	}
	if err := s.SetView("syscalls"); err != nil {
		t.Fatal(err)
	}
	if got := ls.EventTypes(); got != nil {
		t.Fatalf("syscalls view: %d event types kept, want all", len(got))
	}
	// The loop's sleeps (not I/O, not state) show up in the table.
	for range s.Updated {
		sn := s.Snapshot()
		for _, r := range sn.Rows {
			if strings.Contains(r.KeyText, "nanosleep") {
				return
			}
		}
	}
}

// TestReusedStateKeepsTables: every table view over the shared captures,
// in live-like samples, is the same when the state columns of a row are
// extracted at every event as when they are reused while the state and
// the thread stay the same.
func TestReusedStateKeepsTables(t *testing.T) {
	traces, _ := filepath.Glob("testdata/traces/*.scap")
	traces = append(traces, filepath.Join(testutil.TracesExtra(t), "sysdig_chisels_lab_svh5_activity.scap"))
	cat := NewCatalog(Builtin(), false, false)
	defer func() { reuseState = true }()
	views := 0
	for _, d := range cat.Views {
		if d.Kind != KindTable {
			continue
		}
		views++
		for _, tr := range traces {
			run := func(reuse bool) string {
				reuseState = reuse
				src, err := file.Open(tr)
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
				var out bytes.Buffer
				if err := RunBatch(src, BatchConfig{View: d.ID, Views: cat, Out: &out, Live: true, Interval: 500_000_000}); err != nil {
					t.Fatalf("%s on %s: %v", d.ID, filepath.Base(tr), err)
				}
				return out.String()
			}
			if all, reused := run(false), run(true); normalize(all) != normalize(reused) {
				t.Errorf("%s on %s: the table differs with reused state columns\n--- extracted\n%s\n--- reused\n%s",
					d.ID, filepath.Base(tr), all, reused)
			}
		}
	}
	if views < 20 {
		t.Fatalf("only %d table views", views)
	}
}
