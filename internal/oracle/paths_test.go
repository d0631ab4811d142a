// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestPathResolutionMatchesSysdig opens every kind of relative and odd path
// (and the empty path) from working directories and directory fds of every kind (a directory, a
// socket, an fd that is not open, the root) and compares the resolved
// argument and fd names with sysdig's.
func TestPathResolutionMatchesSysdig(t *testing.T) {
	r, _ := setup(t)
	var threads []event.Thread
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	cwds := []string{"/", "", "/a//b/", "/var/lib/../log/", "/tmp", "rel/dir/", "/x/."}
	names := []string{"./here", "../up.txt", "rel", "a/./b/../c", "<NA>", "//x", "/abs/../y", "..", ".", "a//b", "\x01ctl", "bad\xffutf8", "../../../..", ""}
	for i, cwd := range cwds {
		tid := int64(100 + i)
		threads = append(threads, event.Thread{TID: tid, PID: tid, PTID: 1, Comm: "p", Exe: "p", Cwd: cwd, VTID: tid, VPID: tid,
			FDs: []event.FD{{Num: 5, Type: event.FDDirectory, Name: "/d/dir"},
				{Num: 6, Type: event.FDIPv4Sock, SrcIP: []byte{1, 2, 3, 4}, DstIP: []byte{5, 6, 7, 8}, SPort: 1, DPort: 2, L4Proto: event.L4TCP},
				{Num: 8, Type: event.FDDirectory, Name: "/"}}})
		for _, n := range names {
			g.Open(tid, n, synth.ORdonly, 0, 3)
			for _, dfd := range []int64{synth.AtFDCWD, 5, 6, 7, 8} {
				g.OpenAt(tid, dfd, n, synth.ORdonly, 0, 3)
				_, x := synth.Current("fchmodat")
				g.Emit(x, tid, int64(0), dfd, n, uint32(0))
			}
		}
	}
	c := &Capture{Snap: &event.Snapshot{Machine: event.Machine{NumCPUs: 1}, Threads: threads}, Events: g.Events(),
		Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "paths.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	m := Mode{Group: "-p", Args: []string{"-p", "%evt.num %proc.cwd %evt.type %evt.args %fd.name"}}
	v := r.Check(p, m)
	if !v.Agree {
		t.Fatal(describe(v))
	}
	if n := strings.Count(string(v.Want.Stdout), "\n"); n < 500 {
		t.Fatalf("sysdig printed only %d lines", n)
	}
}
