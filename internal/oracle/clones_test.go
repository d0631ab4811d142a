// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// cloneExit finds the clone exit type of the table with n parameters.
func cloneExit(t *testing.T, name string, n int) event.Type {
	for ty := event.Type(1); int(ty) < event.MaxType; ty += 2 {
		if info := ty.Info(); info != nil && info.Name == name && len(info.Params) == n && !ty.IsEnter() {
			return ty
		}
	}
	t.Fatalf("no %s exit with %d parameters", name, n)
	return 0
}

// TestClonesMatchSysdig clones processes and threads from callers inside a
// child PID namespace (the parent side's res is then the child's tid in
// that namespace), into a new namespace (flag only), in both orders of the
// two exits, onto a tid the table already holds, onto a stale thread, and
// with the older clone layout, and compares the thread fields with
// sysdig's.
func TestClonesMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	x20 := cloneExit(t, "clone", 20)
	x16 := cloneExit(t, "clone", 16)
	const (
		thread   = 0x2000 | 0x800 | 0x100 | 0x1 | 0x8000 // CLONE_THREAD|SIGHAND|...|FILES|VM
		inPidNS  = 1 << 29
		newPidNS = 1 << 6
	)
	// exit emits one clone exit of thread tid: res, the caller's or the
	// child's ids and the flags.
	exit := func(ty event.Type, tid, res, ctid, pid, ptid, vtid, vpid int64, flags uint32) {
		vals := []any{res, "/usr/bin/python3", []string{"server.py"}, ctid, pid, ptid, "", int64(1024), uint64(0), uint64(0),
			uint32(100), uint32(50), uint32(0), "python3", []string{"cpu=/kubepods/x"}, flags, uint32(0), uint32(0), vtid, vpid}
		if len(ty.Info().Params) == 16 {
			vals = append(vals[:13], flags, uint32(0), uint32(0))
		}
		g.Emit(ty, tid, vals...)
	}
	touch := func(tid, pid int64) {
		g.Kill(tid, pid, 0, 0)
	}
	// 1: a process of a container (host 300, vtid 1) forks; parent side first
	exit(x20, 300, 7, 300, 300, 290, 1, 1, 0)
	exit(x20, 3001, 0, 3001, 3001, 300, 7, 7, 0)
	touch(3001, 7)
	touch(300, 3001)
	// 2: the same with the child's exit first, and a thread
	exit(x20, 3002, 0, 3002, 300, 290, 8, 1, thread)
	exit(x20, 300, 8, 300, 300, 290, 1, 1, thread)
	touch(3002, 8)
	touch(300, 3002)
	// 3: a host process forks into a new PID namespace: only the flag says so
	exit(x20, 310, 3101, 310, 310, 1, 310, 310, newPidNS|inPidNS)
	touch(310, 3101)
	exit(x20, 3101, 0, 3101, 3101, 310, 1, 1, newPidNS|inPidNS)
	touch(3101, 3101)
	// 4: a host fork onto a tid the table holds (its exit was lost)
	exit(x20, 320, 400, 320, 320, 1, 320, 320, 0)
	exit(x20, 400, 0, 400, 400, 320, 400, 400, 0)
	touch(400, 320)
	// 5: a child exit long after the parent side created it: stale, replaced
	exit(x20, 320, 3201, 320, 320, 1, 320, 320, 0)
	g.TS += 3_000_000_000
	exit(x20, 3201, 0, 3201, 3201, 320, 3201, 3201, 0)
	touch(3201, 320)
	// 6: a host fork of the parent side only, then the child's exit soon
	exit(x20, 320, 3202, 320, 320, 1, 320, 320, 0)
	exit(x20, 3202, 0, 3202, 3202, 320, 3202, 3202, 0)
	touch(3202, 3202)
	// 7: the older layout without vtid: only the flag tells a namespace
	exit(x16, 330, 3301, 330, 330, 1, 0, 0, inPidNS)
	exit(x16, 3301, 0, 3301, 3301, 330, 0, 0, inPidNS)
	exit(x16, 330, 3302, 330, 330, 1, 0, 0, 0)
	exit(x16, 3302, 0, 3302, 3302, 330, 0, 0, 0)
	touch(3301, 3302)
	touch(3302, 3301)
	// 8: a container caller whose thread is unknown
	exit(x20, 340, 9, 340, 340, 290, 2, 2, 0)
	exit(x20, 3401, 0, 3401, 3401, 340, 9, 9, 0)
	touch(3401, 9)
	// 9: the cwd arguments of clone and execve exits (sysdig keeps the
	// cwd it tracks)
	g.Emit(x20, 320, int64(3203), "/bin/sh", []string{"sh"}, int64(320), int64(320), int64(1), "/elsewhere/", int64(1024), uint64(0), uint64(0),
		uint32(1), uint32(1), uint32(0), "sh", []string{"cpu=/"}, uint32(0), uint32(0), uint32(0), int64(320), int64(320))
	g.Emit(x20, 3203, int64(0), "/bin/sh", []string{"sh"}, int64(3203), int64(3203), int64(320), "/elsewhere/", int64(1024), uint64(0), uint64(0),
		uint32(1), uint32(1), uint32(0), "sh", []string{"cpu=/"}, uint32(0), uint32(0), uint32(0), int64(3203), int64(3203))
	touch(3203, 320)
	g.Syscall("execve", 3203, []any{"/bin/ls"}, []any{int64(0), "/bin/ls", []string{"ls"}, int64(3203), int64(3203), int64(320), "/other/"})
	touch(3203, 320)
	proc := func(tid, pid, ptid, vtid, vpid int64, comm string) event.Thread {
		return event.Thread{TID: tid, PID: pid, PTID: ptid, Comm: comm, Exe: comm, Cwd: "/srv/", VTID: vtid, VPID: vpid,
			FDs: []event.FD{{Num: 3, Type: event.FDFile, Name: "/srv/" + comm + ".log"}}}
	}
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1}, Threads: []event.Thread{
		proc(290, 290, 1, 290, 290, "containerd-shim"), proc(300, 300, 290, 1, 1, "python3"),
		proc(310, 310, 1, 310, 310, "unshare"), proc(320, 320, 1, 320, 320, "bash"),
		proc(400, 400, 1, 400, 400, "old"), proc(330, 330, 1, 330, 330, "sh")}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "clones.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Mode{{Group: "default"}, {Group: "-j", Args: []string{"-j"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %thread.tid %thread.vtid %proc.pid %proc.vpid %proc.ppid %proc.name %proc.pname %proc.exe %thread.nametid %fd.name %proc.cwd %evt.args"}},
		{Group: "chisel:ps", Args: []string{"-c", "ps"}, Cmp: RowSet}} {
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
