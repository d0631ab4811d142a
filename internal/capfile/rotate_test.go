// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// timedEvents returns n events, perSec per second, starting at a whole second.
func timedEvents(n, perSec int, payload int) []*event.Event {
	g := &synth.Gen{TS: 1_690_557_262_000_000_000, Step: uint64(1e9 / perSec)}
	data := bytes.Repeat([]byte{'d'}, payload)
	for i := 0; i < n; i++ {
		e, _ := synth.Current("write")
		g.Emit(e+1, 100, int64(payload), data)
	}
	return g.Events()
}

// writeRotated writes evs through a FileWriter and returns the files left in
// dir (sorted) with their event counts.
func writeRotated(t *testing.T, dir, name string, evs []*event.Event, opts Options) map[string]int {
	t.Helper()
	fw, err := Create(filepath.Join(dir, name), testSnapshot(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := fw.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return countFiles(t, dir)
}

func countFiles(t *testing.T, dir string) map[string]int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n, _, err := readCount(data)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out[e.Name()] = n
	}
	return out
}

func TestRotation(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		name  string
		file  string
		evs   []*event.Event
		opts  Options
		files map[string]int
	}{
		{"single file", "out.scap", timedEvents(50, 10, 10), Options{}, map[string]int{"out.scap": 50}},
		{"events per file", "ev.scap", timedEvents(477, 100, 10), Options{EventsPerFile: 100},
			map[string]int{"ev.scap0": 99, "ev.scap1": 100, "ev.scap2": 100, "ev.scap3": 100, "ev.scap4": 78}},
		{"events per file, ring of 3", "ev.scap", timedEvents(477, 100, 10), Options{EventsPerFile: 100, Limit: 3},
			map[string]int{"ev.scap0": 100, "ev.scap1": 78, "ev.scap2": 100}},
		{"size", "c.scap", timedEvents(3000, 1000, 1000), Options{SizeMB: 1},
			map[string]int{"c.scap0": 950, "c.scap1": 950, "c.scap2": 950, "c.scap3": 150}},
		{"size, ring of 10 (two digits)", "c.scap", timedEvents(3000, 1000, 1000), Options{SizeMB: 1, Limit: 10},
			map[string]int{"c.scap00": 950, "c.scap01": 950, "c.scap02": 950, "c.scap03": 150}},
		{"size, ring of 2", "c.scap", timedEvents(3000, 1000, 1000), Options{SizeMB: 1, Limit: 2},
			map[string]int{"c.scap0": 950, "c.scap1": 150}},
		{"seconds with counter", "g.scap", timedEvents(25, 10, 10), Options{Seconds: 1},
			map[string]int{"g.scap0": 10, "g.scap1": 10, "g.scap2": 5}},
		{"seconds with strftime", "g_%H%M%S.scap", timedEvents(25, 10, 10), Options{Seconds: 1, Location: utc},
			map[string]int{"g_151422.scap": 10, "g_151423.scap": 10, "g_151424.scap": 5}},
		{"seconds with strftime, ring of 2", "g_%Y-%m-%d_%H%M%S.scap", timedEvents(35, 10, 10), Options{Seconds: 1, Limit: 2, Location: utc},
			map[string]int{"g_2023-07-28_151424.scap": 10, "g_2023-07-28_151425.scap": 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			got := writeRotated(t, dir, tc.file, tc.evs, tc.opts)
			if !reflect.DeepEqual(got, tc.files) {
				t.Fatalf("files %v, want %v", got, tc.files)
			}
			if tc.opts.SizeMB > 0 {
				// Every file but the last went just past the limit: the
				// check happens before each event.
				for name, n := range got {
					st, _ := os.Stat(filepath.Join(dir, name))
					limit := int64(tc.opts.SizeMB) * 1000000
					if n == 950 && (st.Size() <= limit || st.Size() > limit+1100) {
						t.Errorf("%s: %d bytes for a %d-byte limit", name, st.Size(), limit)
					}
				}
			}
		})
	}
}

func TestRotationSnapshotsAndPerms(t *testing.T) {
	dir := t.TempDir()
	calls := 0
	opts := Options{EventsPerFile: 10, Snapshot: func() *event.Snapshot {
		calls++
		return &event.Snapshot{Machine: event.Machine{Hostname: fmt.Sprintf("host%d", calls)}}
	}}
	fw, err := Create(filepath.Join(dir, "s.scap"), &event.Snapshot{Machine: event.Machine{Hostname: "host0"}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range timedEvents(35, 10, 1) {
		if err := fw.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"s.scap0", "s.scap1", "s.scap2", "s.scap3"}; !reflect.DeepEqual(baseNames(fw.Files()), want) {
		t.Fatalf("files %v, want %v", fw.Files(), want)
	}
	for i, p := range fw.Files() {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, st.Mode().Perm())
		}
		data, _ := os.ReadFile(p)
		snap, _, err := readAll(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("host%d", i); snap.Machine.Hostname != want {
			t.Errorf("%s: snapshot of %q, want %q", p, snap.Machine.Hostname, want)
		}
	}
}

func baseNames(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, filepath.Base(p))
	}
	return out
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2023, 7, 8, 5, 4, 3, 0, time.UTC)
	tests := []struct{ in, want string }{
		{"cap-%Y%m%d-%H%M%S.scap", "cap-20230708-050403.scap"},
		{"%y %j %a %A %b %B %e %I %p %s %Z %F %T %%", "23 189 Sat Saturday Jul July  8 05 AM 1688792643 UTC 2023-07-08 05:04:03 %"},
		{"no format", "no format"},
		{"trailing %", "trailing %"},
		{"%Q unknown", "%Q unknown"},
	}
	for _, tc := range tests {
		if got := strftime(tc.in, tm); got != tc.want {
			t.Errorf("strftime(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRotationMatchesSysdig rotates sample.scap with sysdig and with ferret
// and compares the file names and the number of events in each file.
func TestRotationMatchesSysdig(t *testing.T) {
	bin := needSysdig(t)
	orig := trace(t, "sample.scap")
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	snap, evs, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		opts Options
	}{
		{"events", []string{"-e", "100"}, Options{EventsPerFile: 100}},
		{"events ring", []string{"-e", "100", "-W", "3"}, Options{EventsPerFile: 100, Limit: 3}},
		{"seconds", []string{"-G", "1"}, Options{Seconds: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sd, fd := t.TempDir(), t.TempDir()
			cmd := exec.Command(bin, append([]string{"-r", orig, "-w", filepath.Join(sd, "r.scap")}, tc.args...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("sysdig: %v: %s", err, out)
			}
			want := countFiles(t, sd)
			fw, err := Create(filepath.Join(fd, "r.scap"), snap, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if err := fw.WriteEvent(ev); err != nil {
					t.Fatal(err)
				}
			}
			fw.Close()
			got := countFiles(t, fd)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("ferret files %v, sysdig files %v", keys(got), keys(want))
			}
		})
	}
}

func keys(m map[string]int) string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s:%d", k, v))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}
