// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestThreadGroupFieldsMatchSysdig compares the fields that read a
// thread's process with sysdig's: threads of the process table with and
// without CLONE_THREAD (only those count for proc.nthreads and
// proc.nchilds, and only CLONE_FILES shares the fd table), a thread whose
// main thread is not listed, a context switch of a secondary thread (its
// memory figures are its process's), a thread cloned by a secondary
// thread (whose parent is that thread), a main thread's procexit while
// its threads live, and ancestors and login shells seen from threads.
func TestThreadGroupFieldsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000, Step: 1000}
	x20 := cloneExit(t, "clone", 20)
	const thread = 0x2000 | 0x800 | 0x100 | 0x1 | 0x8000
	clone := func(tid, res, pid, ptid int64, flags uint32) {
		g.Emit(x20, tid, res, "/usr/bin/app", []string{"-w"}, tid, pid, ptid, "", int64(2048), uint64(0), uint64(0),
			uint32(5000), uint32(400), uint32(0), "app", []string{"cpu=/"}, flags, uint32(1000), uint32(1000), res, pid)
	}
	touch := func(tid int64) { g.Kill(tid, 1, 0, 0) }
	for _, tid := range []int64{100, 200, 201, 202, 301} {
		touch(tid)
	}
	// a secondary thread is switched out: the process's figures change
	g.Build(event.SchedSwitch, 201, func(b *event.Builder) {
		b.U64(100)
		b.U64(3)
		b.U64(4)
		b.U32(777)
		b.U32(55)
		b.U32(6)
	})
	touch(200)
	touch(202)
	// a secondary thread starts a thread and a process
	clone(201, 203, 200, 100, thread)
	clone(203, 0, 200, 100, thread)
	clone(201, 400, 200, 100, 0)
	clone(400, 0, 400, 201, 0)
	for _, tid := range []int64{203, 400, 200} {
		touch(tid)
	}
	// the main thread exits while its threads live
	g.ProcExit(200, 0)
	for _, tid := range []int64{201, 203, 400} {
		touch(tid)
	}
	g.ProcExit(203, 0)
	touch(201)
	g.ProcExit(201, 0)
	touch(202)
	touch(400)
	th := func(tid, pid, ptid int64, comm string, flags uint32, fds int) event.Thread {
		t := event.Thread{TID: tid, PID: pid, PTID: ptid, Comm: comm, Exe: comm, ExePath: "/bin/" + comm, Cwd: "/srv/", VTID: tid, VPID: pid,
			Flags: flags, FDLimit: 1000 + tid, UID: 1000, GID: 1000, VMSizeKB: uint32(10 * tid), VMRSSKB: uint32(tid), SID: 100, VPGID: 100}
		for i := 0; i < fds; i++ {
			t.FDs = append(t.FDs, event.FD{Num: int64(3 + i), Type: event.FDFile, Name: "/srv/" + comm + ".log"})
		}
		return t
	}
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Users: []event.User{{UID: 1000, GID: 1000, Name: "alice", HomeDir: "/home/alice", Shell: "/bin/zsh"}},
		Threads: []event.Thread{
			th(100, 100, 1, "zsh", 0, 1),
			th(202, 200, 100, "app", 0, 0), // listed before its main thread, no CLONE_THREAD
			th(200, 200, 100, "app", 0, 3),
			th(201, 200, 100, "app", thread, 0),
			th(301, 300, 100, "worker", thread, 2), // its main thread is not listed
		}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "threads.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Mode{{Group: "default"},
		{Group: "-p", Args: []string{"-p", "*%evt.num %thread.tid %proc.pid %proc.ppid %proc.pname %proc.nthreads %proc.nchilds %proc.fdopencount %proc.fdlimit %proc.fdusage %proc.vmsize %proc.vmrss %thread.vmsize %thread.vmrss"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %thread.tid %proc.apid[1] %proc.apid[2] %proc.aname[0] %proc.aname[1] %proc.aname[2] %proc.loginshellid %proc.sname"}},
		{Group: "filter", Args: []string{"proc.aname=zsh"}},
		{Group: "chisel:ps", Args: []string{"-c", "ps"}, Cmp: RowSet}} {
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
