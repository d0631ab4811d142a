// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// gen builds a stream of synthetic events (timestamps 1000, 2000, ...).
type gen struct{ synth.Gen }

func newGen() *gen { return &gen{synth.Gen{TS: 1000}} }

func (g *gen) openat(tid, dirfd int64, path string, flags uint32, fd int64) {
	g.Call("openat", tid,
		func(b *event.Builder) { b.I64(dirfd).Str(path).U32(flags).U32(0) },
		func(b *event.Builder) { b.I64(fd).I64(dirfd).Str(path).U32(flags).U32(0).U32(0) })
}

func (g *gen) rw(name string, tid, fd, n int64) {
	g.Call(name, tid, func(b *event.Builder) { b.I64(fd).U32(4096) },
		func(b *event.Builder) { b.I64(n).Raw(make([]byte, max(n, 0))) })
}

func (g *gen) close(tid, fd int64) {
	g.Call("close", tid, func(b *event.Builder) { b.I64(fd) }, func(b *event.Builder) { b.I64(0) })
}

// fork emits a clone of parent creating process child, the child's exit
// event first (as it often comes), in the current layout.
func (g *gen) fork(parent, child int64) {
	e, x := synth.Current("clone")
	g.Emit(e, parent)
	exit := func(res, tid, pid, ptid int64) []any {
		return []any{res, "/bin/sh", []string{"sh"}, tid, pid, ptid, "/work", int64(1024), uint64(0), uint64(0),
			uint32(0), uint32(0), uint32(0), "sh", []string(nil), uint32(0), uint32(0), uint32(0), tid, pid}
	}
	g.Emit(x, child, exit(0, child, child, parent)...)
	g.Emit(x, parent, exit(child, parent, parent, 1)...)
}

func (g *gen) execve(tid int64, exe, comm string) {
	g.Call("execve", tid, func(b *event.Builder) { b.Str(exe) }, func(b *event.Builder) {
		// res exe args tid pid ptid cwd fdlimit pgft_maj pgft_min vm_size vm_rss vm_swap comm
		b.I64(0).Str(exe).Raw([]byte(comm + "\x00")).I64(tid).I64(tid).I64(1).Str("/work").U64(1024).
			U64(0).U64(0).U32(0).U32(0).U32(0).Str(comm)
	})
}

func (g *gen) exit(tid int64) {
	g.Build(event.ProcExit1E, tid, func(b *event.Builder) { b.I64(0).I64(0).U8(0).U8(0) })
}

// procInfo describes a process as a /proc lookup would.
type procInfo struct {
	PID, PPID      int64
	Comm, Exe, Cwd string
}

func (p procInfo) thread(tid int64) []event.Thread {
	return []event.Thread{{TID: tid, PID: tid, PTID: p.PPID, Comm: p.Comm, ExePath: p.Exe, Cwd: p.Cwd}}
}

// lookupIn looks main threads up in procs.
func lookupIn(procs map[int64]procInfo) func(int64) ([]event.Thread, bool) {
	return func(tid int64) ([]event.Thread, bool) {
		p, ok := procs[tid]
		return p.thread(tid), ok
	}
}

// lookupAll describes every tid as the main thread of a process like p.
func lookupAll(p procInfo) func(int64) ([]event.Thread, bool) {
	return func(tid int64) ([]event.Thread, bool) { return p.thread(tid), true }
}

const (
	oRDONLY  = 1
	oWRONLY  = 2
	oCREAT   = 1 << 2
	oDIR     = 1 << 10
	oCLOEXEC = 1 << 12
)

func TestProcessTree(t *testing.T) {
	g := newGen()
	g.openat(100, -100, "/work/a", oRDONLY, 3)
	g.rw("read", 100, 3, 10)
	g.rw("read", 100, 3, 0)
	g.close(100, 3)
	g.openat(100, -100, "/etc/x", oRDONLY, 3) // outside the prefix
	g.close(100, 3)
	g.fork(100, 101)
	g.openat(101, -100, "b", oWRONLY|oCREAT, 4) // relative to /work
	g.rw("write", 101, 4, 5)
	g.exit(101) // exits with b open
	g.openat(100, -100, "/work/d", oRDONLY|oDIR, 5)
	g.openat(100, 5, "c", oRDONLY, -2)         // fails
	g.openat(200, -100, "/work/z", oRDONLY, 3) // not in the tree
	g.close(200, 3)
	g.execve(300, "/usr/bin/late", "late") // started later, matches --comm
	g.openat(300, -100, "/work/l", oRDONLY, 3)
	g.close(300, 3)
	g.openat(100, -100, "/work/e", oRDONLY|oCLOEXEC, 6)
	g.execve(100, "/bin/next", "next")

	procs := map[int64]procInfo{
		100: {PID: 100, PPID: 1, Comm: "sh", Exe: "/bin/sh", Cwd: "/work"},
		200: {PID: 200, PPID: 1, Comm: "other", Exe: "/bin/other", Cwd: "/"},
		300: {PID: 300, PPID: 1, Comm: "bash", Exe: "/bin/bash", Cwd: "/work"},
	}
	var got []string
	m := New(Options{Prefixes: []string{"/work/"}, PIDs: []int64{100}, Comms: []string{"late"},
		Lookup: lookupIn(procs)},
		func(r *Record) {
			got = append(got, fmt.Sprintf("%d %d %s %s %s fd=%d r=%d w=%d %s %s", r.PID, r.PPID, r.Comm, r.Path,
				event.OpenFlagsString(r.Flags), r.FD, r.BytesRead, r.BytesWritten, r.Result(), r.End))
		})
	for _, e := range g.Events() {
		m.Handle(e)
	}
	m.Flush(g.TS)
	want := []string{
		"100 1 sh /work/a O_RDONLY fd=3 r=10 w=0 ok close",
		"101 100 sh /work/b O_WRONLY|O_CREAT fd=4 r=0 w=5 ok exit",
		"100 1 sh /work/d/c O_RDONLY fd=-2 r=0 w=0 ENOENT error",
		"300 1 late /work/l O_RDONLY fd=3 r=0 w=0 ok close",
		"100 1 sh /work/e O_RDONLY|O_CLOEXEC fd=6 r=0 w=0 ok exec",
		"100 1 sh /work/d O_RDONLY|O_DIRECTORY fd=5 r=0 w=0 ok end",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriter(t *testing.T) {
	r := &Record{OpenTS: 1_000_000_000, CloseTS: 1_000_500_000, PID: 7, TID: 8, PPID: 1, Comm: "cat", Exe: "/bin/cat",
		Path: "/tmp/x", Flags: oRDONLY | oCLOEXEC, FD: 3, BytesRead: 12, End: EndClose}
	var b bytes.Buffer
	w := &Writer{W: &b, JSON: true}
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["path"] != "/tmp/x" || m["duration_ns"] != float64(500000) || m["flags"] != "O_RDONLY|O_CLOEXEC" || m["result"] != "ok" || m["end"] != "close" {
		t.Errorf("json: %s", b.String())
	}
	b.Reset()
	w = &Writer{W: &b}
	w.WriteHeader()
	w.Write(r)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], " 0.000500 ") || !strings.HasSuffix(lines[1], " /bin/cat                 /tmp/x") {
		t.Errorf("text: %q", b.String())
	}
}

func TestOnOp(t *testing.T) {
	g := newGen()
	g.openat(100, -100, "/net/a", oRDONLY, 3)
	g.rw("read", 100, 3, 10)
	g.rw("write", 100, 3, -9)
	g.close(100, 3)
	g.openat(100, -100, "/local/b", oRDONLY, 3)
	g.rw("read", 100, 3, 10)
	var got []string
	m := New(Options{Prefixes: []string{"/net"},
		Lookup: lookupAll(procInfo{Comm: "x", Cwd: "/"}),
		OnOp:   func(o *Op) { got = append(got, fmt.Sprintf("%d %s %d %d", o.Kind, o.Path, o.Bytes, o.LatNS)) }},
		func(*Record) {})
	for _, e := range g.Events() {
		m.Handle(e)
	}
	want := "0 /net/a 0 1000|1 /net/a 10 1000|2 /net/a -9 1000|3 /net/a 0 1000"
	if strings.Join(got, "|") != want {
		t.Errorf("got %s", strings.Join(got, "|"))
	}
}

func TestHeldIgnoredUntilExec(t *testing.T) {
	g := newGen()
	g.openat(100, -100, "/w/helper", oRDONLY, 3) // the held helper's own start-up
	g.close(100, 3)
	g.execve(100, "/bin/cmd", "cmd")
	g.openat(100, -100, "/w/real", oRDONLY, 3)
	g.close(100, 3)
	var got []string
	m := New(Options{PIDs: []int64{100}, Held: []int64{100},
		Lookup: lookupAll(procInfo{Comm: "ferret", Cwd: "/"})},
		func(r *Record) { got = append(got, r.Comm+" "+r.Path) })
	for _, e := range g.Events() {
		m.Handle(e)
	}
	if strings.Join(got, "|") != "cmd /w/real" {
		t.Errorf("got %q", got)
	}
}

// TestPreload covers processes and files that exist when monitoring
// starts: a child of the root started earlier is watched, its open file is
// reported with what moved through it, an open seen both in the scan and
// as an event is reported once, and unrelated processes stay unwatched.
func TestPreload(t *testing.T) {
	g := newGen()
	g.rw("read", 101, 5, 7)
	g.rw("write", 101, 5, 2)
	g.close(101, 5)
	g.openat(101, -100, "/work/race", oRDONLY, 6) // also in the scan
	g.close(101, 6)
	g.rw("read", 200, 5, 9) // not in the tree
	g.close(200, 5)
	threads := []event.Thread{
		{TID: 100, PID: 100, PTID: 1, Comm: "sh", ExePath: "/bin/sh", Cwd: "/work"},
		{TID: 101, PID: 101, PTID: 100, Comm: "worker", ExePath: "/bin/worker", Cwd: "/work", FDs: []event.FD{
			{Num: 5, Type: event.FDFileV2, Name: "/work/log", OpenFlags: oRDONLY | oWRONLY},
			{Num: 6, Type: event.FDFileV2, Name: "/work/race", OpenFlags: oRDONLY},
			{Num: 7, Type: event.FDIPv4Sock, Name: "127.0.0.1:1->127.0.0.1:2"},
			{Num: 8, Type: event.FDFileV2, Name: "/elsewhere", OpenFlags: oRDONLY},
		}},
		{TID: 102, PID: 101, PTID: 100, Comm: "worker"},
		{TID: 200, PID: 200, PTID: 1, Comm: "other", FDs: []event.FD{{Num: 5, Type: event.FDFileV2, Name: "/work/z"}}},
	}
	var got []string
	m := New(Options{Prefixes: []string{"/work/"}, PIDs: []int64{100},
		Lookup: lookupIn(nil)},
		func(r *Record) {
			got = append(got, fmt.Sprintf("%d %d %s %s fd=%d r=%d w=%d %s before=%v", r.PID, r.PPID, r.Comm, r.Path,
				r.FD, r.BytesRead, r.BytesWritten, r.End, r.Before))
		})
	if running := m.Preload(threads, 1); len(running) != 1 || running[0] != 101 {
		t.Errorf("Preload watches %v running besides the root, want [101]", running)
	}
	for _, e := range g.Events() {
		m.Handle(e)
	}
	m.Flush(g.TS)
	want := []string{
		"101 100 worker /work/log fd=5 r=7 w=2 close before=true",
		"101 100 worker /work/race fd=6 r=0 w=0 close before=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTextLayout: every value of a text record starts under its header
// label, for opened-before, failed and long-flag records alike.
func TestTextLayout(t *testing.T) {
	recs := []*Record{
		{OpenTS: 1e9, CloseTS: 2e9, PID: 7, TID: 8, PPID: 1, Comm: "cat", Exe: "/usr/bin/cat",
			Path: "/tmp/x", Flags: oRDONLY | oCLOEXEC, FD: 3, BytesRead: 12, End: EndClose},
		{OpenTS: 1e9, CloseTS: 1e9, PID: 123456, TID: 123457, PPID: 99999, Comm: "a-long-commname",
			Exe: "/usr/lib/x86_64-linux/x", Path: "/nope", Flags: 2 | 1<<2 | 1<<8, FD: -2, End: EndError},
		{OpenTS: 1e9, CloseTS: 5e9, PID: 1, TID: 1, Comm: "sh", Exe: "/usr/bin/dash", Path: "/var/log/a b",
			Flags: 3 | 1<<3, FD: 10, BytesWritten: 1 << 30, End: EndEnd, Before: true},
	}
	var b bytes.Buffer
	w := &Writer{W: &b, Loc: time.UTC}
	w.WriteHeader()
	for _, r := range recs {
		w.Write(r)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	starts := func(l string) []int {
		var out []int
		for i := range l {
			if l[i] != ' ' && (i == 0 || l[i-1] == ' ') {
				out = append(out, i)
			}
		}
		return out
	}
	head := starts(lines[0])
	if len(head) != 15 || !strings.HasSuffix(lines[0], " EXE                      PATH") {
		t.Fatalf("header %q", lines[0])
	}
	for _, l := range lines[1:] {
		got := starts(l)
		// the path may hold spaces: compare the columns before it
		if len(got) < len(head) || fmt.Sprint(got[:len(head)]) != fmt.Sprint(head) {
			t.Errorf("misaligned:\n%s\n%s", lines[0], l)
		}
	}
	if !strings.HasPrefix(lines[3], "<00:00:01.000000 ") || !strings.Contains(lines[3], " >4.000000 ") {
		t.Errorf("opened-before record: %q", lines[3])
	}
}

// TestDup: a descriptor copied by dup2 is a file of its own, opened at the
// dup, with the bytes moved through it.
func TestDup(t *testing.T) {
	g := newGen()
	g.openat(100, -100, "/work/a", oWRONLY|oCLOEXEC, 3)
	g.Dup(100, 3, 1)
	g.close(100, 3)
	g.rw("write", 100, 1, 5)
	g.close(100, 1)
	var got []string
	m := New(Options{Lookup: lookupAll(procInfo{Comm: "sh", Cwd: "/"})}, func(r *Record) {
		got = append(got, fmt.Sprintf("%s %s fd=%d w=%d %s", r.Path, event.OpenFlagsString(r.Flags), r.FD, r.BytesWritten, r.End))
	})
	for _, e := range g.Events() {
		m.Handle(e)
	}
	if want := "/work/a O_WRONLY|O_CLOEXEC fd=3 w=0 close|/work/a O_WRONLY fd=1 w=5 close"; strings.Join(got, "|") != want {
		t.Errorf("got %s, want %s", strings.Join(got, "|"), want)
	}
}
