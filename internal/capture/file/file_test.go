// SPDX-License-Identifier: Apache-2.0

package file

import (
	"errors"
	"github.com/ferret-observability/ferret/internal/testutil"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

func TestReadTraces(t *testing.T) {
	td := testutil.Reference(t, "traces")
	tests := []struct {
		file      string
		events    uint64
		threads   int
		firstType uint16
		errSub    string
	}{
		{"curl_google.scap", 1536, 0, 0, ""},
		{"sample.scap", 477, 0, 0, ""},
		{"test_ipv6_client.scap", 326, 0, 0, ""},
		{"single_ipv6_conn.scap", 1728, 0, 0, ""},
		{"curl_google_comments.scap", 1536, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			s, err := Open(filepath.Join(td, tc.file))
			if err != nil {
				if tc.errSub != "" && strings.Contains(err.Error(), tc.errSub) {
					return
				}
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			var n uint64
			for {
				ev, err := s.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("after %d events: %v", n, err)
				}
				n++
				if ev.Num != n {
					t.Fatalf("event %d numbered %d", n, ev.Num)
				}
			}
			snap := s.Snapshot()
			t.Logf("%s: %d events, %d threads, %d ifaces, %d users, host %q", tc.file, n, len(snap.Threads), len(snap.Interfaces), len(snap.Users), snap.Machine.Hostname)
			if n != tc.events {
				t.Errorf("got %d events, want %d", n, tc.events)
			}
		})
	}
}

func readEvents(t *testing.T, s *Source) (nums []uint64, ts []uint64, hosts []string, newSec []uint64, err error) {
	t.Helper()
	for {
		ev, e := s.Next()
		if errors.Is(e, io.EOF) {
			return
		}
		if e != nil {
			err = e
			return
		}
		nums = append(nums, ev.Num)
		ts = append(ts, ev.TS)
		hosts = append(hosts, s.Snapshot().Machine.Hostname)
		if s.NewSection() {
			newSec = append(newSec, ev.Num)
		}
	}
}

func TestOpenSeveralFiles(t *testing.T) {
	td := testutil.Reference(t, "traces")
	s, err := Open(filepath.Join(td, "test_ipv6_client.scap"), filepath.Join(td, "sample.scap"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h := s.Snapshot().Machine.Hostname; h != "ip-10-0-0-79" {
		t.Fatalf("first snapshot from %q", h)
	}
	nums, _, hosts, newSec, err := readEvents(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(nums) != 326+477 || nums[len(nums)-1] != 326+477 {
		t.Fatalf("%d events, last %d", len(nums), nums[len(nums)-1])
	}
	if len(newSec) != 1 || newSec[0] != 327 {
		t.Fatalf("new sections at %v, want [327]", newSec)
	}
	if hosts[325] != "ip-10-0-0-79" || hosts[326] != "ubuntu2204.localdomain" {
		t.Fatalf("snapshots %q then %q", hosts[325], hosts[326])
	}
	if st := s.Stats(); st.Events != 803 || st.Bytes == 0 {
		t.Fatalf("stats %+v", st)
	}
}

// writeSet writes n events of one-second steps in files of per events each.
func writeSet(t *testing.T, base string, n int, opts capfile.Options) []string {
	t.Helper()
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 1_000_000_000}
	for i := 0; i < n; i++ {
		g.Emit(4, 1, int64(i))
	}
	fw, err := capfile.Create(base, &event.Snapshot{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range g.Events() {
		if err := fw.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return fw.Files()
}

func TestRotatedSet(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		opts    capfile.Options
		mtimes  []int // modification order of base0, base1, ... (seconds)
		firstTS int   // index of the first event read back
		events  int
	}{
		{"plain sequence", 45, capfile.Options{EventsPerFile: 10}, []int{1, 2, 3, 4, 5}, 0, 45},
		{"wrapped ring", 45, capfile.Options{EventsPerFile: 10, Limit: 3}, []int{4, 5, 3}, 19, 26},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "set.scap")
			files := writeSet(t, base, tc.n, tc.opts)
			if len(files) == 0 {
				t.Fatal("no files")
			}
			now := time.Now()
			for i, m := range tc.mtimes {
				p := base + strconv.Itoa(i)
				mt := now.Add(time.Duration(m) * time.Second)
				if err := os.Chtimes(p, mt, mt); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(base)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			nums, ts, _, _, err := readEvents(t, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(nums) != tc.events {
				t.Fatalf("%d events, want %d", len(nums), tc.events)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i] <= ts[i-1] {
					t.Fatalf("event %d goes back in time", i+1)
				}
			}
			if want := uint64(1_700_000_000_000_000_000 + uint64(tc.firstTS)*1_000_000_000); ts[0] != want {
				t.Fatalf("first event at %d, want %d", ts[0], want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.scap")); err == nil || !strings.Contains(err.Error(), "no such file or rotated set") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := Open(); err == nil {
		t.Fatal("no error without files")
	}
	// A truncated second file: the first file's events, then an error
	// naming the file and the offset.
	files := writeSet(t, filepath.Join(dir, "a.scap"), 5, capfile.Options{})
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.scap")
	if err := os.WriteFile(bad, data[:len(data)-7], 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(files[0], bad)
	if err != nil {
		t.Fatal(err)
	}
	nums, _, _, _, err := readEvents(t, s)
	if len(nums) != 9 || err == nil || !strings.HasPrefix(err.Error(), bad+": reading event block at offset") || !strings.Contains(err.Error(), "(file truncated?)") {
		t.Fatalf("%d events, err %v", len(nums), err)
	}
	if _, err2 := s.Next(); err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("error not sticky: %v", err2)
	}
}

// TestCommentsTrace: curl_google_comments.scap has pcapng options in its
// section header (sysdig 0.29.3 cannot read it). ferret honours the block
// length and reads the same events as curl_google.scap.
func TestCommentsTrace(t *testing.T) {
	td := testutil.Reference(t, "traces")
	read := func(name string) [][]byte {
		s, err := Open(filepath.Join(td, name))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var out [][]byte
		for {
			ev, err := s.Next()
			if errors.Is(err, io.EOF) {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, append([]byte(nil), ev.Raw...))
		}
	}
	a, b := read("curl_google.scap"), read("curl_google_comments.scap")
	if len(a) != len(b) {
		t.Fatalf("%d vs %d events", len(a), len(b))
	}
	for i := range a {
		if string(a[i]) != string(b[i]) {
			t.Fatalf("event %d differs", i+1)
		}
	}
}
