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

// TestCwdOriginsMatchSysdig resolves relative paths from threads whose cwd
// comes from everywhere sysdig takes one: a process-table thread with and
// without its main thread, a thread an execve exit moves into another
// process (whose main thread has no cwd of its own), children of a known
// and of an unknown parent (process and thread), and chdirs from a
// secondary thread, to an empty path and to a relative one.
func TestCwdOriginsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	th := func(tid, pid int64, cwd string) event.Thread {
		return event.Thread{TID: tid, PID: pid, PTID: 1, Comm: "p", Exe: "p", Cwd: cwd, VTID: tid, VPID: pid}
	}
	threads := []event.Thread{th(100, 100, "/m/"), th(101, 100, "/t/"), th(200, 201, "/orphan/"),
		th(300, 300, "/three/"), th(301, 300, "/three-t/"), th(400, 400, "/four/")}
	opens := func(tids ...int64) {
		for _, tid := range tids {
			g.Open(tid, "rel", synth.ORdonly, 0, 3)
			g.OpenAt(tid, synth.AtFDCWD, "../up", synth.ORdonly, 0, 4)
			g.Close(tid, 3, 0)
			g.Close(tid, 4, 0)
		}
	}
	opens(100, 101, 200, 300, 301)
	// 300 becomes a thread of process 301, which has no cwd of its own
	g.Execve(300, synth.Proc{PID: 301, PTID: 1, Exe: "x", Comm: "x", Cwd: "/ignored/"}, 0)
	opens(300, 301)
	// children of a known parent and of one never seen
	const clThread = 0x2000 | 0x8000 | 0x800 | 0x2 | 0x1 // PPM_CL_CLONE_THREAD|VM|SIGHAND|FS|FILES
	g.Clone(400, 410, synth.Proc{PID: 410, PTID: 400, Exe: "c", Comm: "c", Cwd: "/ignored/"}, 0)
	g.Clone(400, 411, synth.Proc{PID: 400, PTID: 1, Exe: "c", Comm: "c", Cwd: "/ignored/"}, clThread)
	g.Clone(500, 510, synth.Proc{PID: 510, PTID: 500, Exe: "c", Comm: "c", Cwd: "/ignored/"}, 0)
	g.Clone(500, 511, synth.Proc{PID: 500, PTID: 1, Exe: "c", Comm: "c", Cwd: "/ignored/"}, clThread)
	opens(410, 411, 500, 510, 511)
	// chdir from a secondary thread, to an empty path, to a relative one
	g.Chdir(101, "/new", 0)
	opens(100, 101)
	g.Chdir(100, "", 0)
	opens(100)
	g.Chdir(411, "sub/../dir", 0)
	opens(400, 411, 410)
	g.Chdir(200, "/lost", 0)
	opens(200)
	c := &Capture{Snap: &event.Snapshot{Machine: event.Machine{NumCPUs: 1}, Threads: threads}, Events: g.Events(),
		Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "cwds.scap")
	if d := os.Getenv("ORACLE_KEEP_DIR"); d != "" {
		p = filepath.Join(d, "cwds.scap")
	}
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Mode{{Group: "-p", Args: []string{"-p", "%evt.num %thread.tid %proc.pid %proc.cwd %evt.type %evt.args %fd.name"}},
		{Group: "default"}, {Group: "lsof", Args: []string{"-c", "lsof"}, Cmp: RowSet}} {
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
