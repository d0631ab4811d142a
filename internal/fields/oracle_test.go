// SPDX-License-Identifier: Apache-2.0

package fields_test

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

func newest(t testing.TB, name string, enter bool) event.Type {
	t.Helper()
	e, x := synth.Current(name)
	if enter {
		return e
	}
	return x
}

// rec encodes one record with the widths of typ's table.
func rec(t testing.TB, typ event.Type, ts uint64, tid int64, args ...any) *event.Event {
	t.Helper()
	return synth.Record(typ, ts, tid, args...)
}

// TestRenderingAgainstSysdig writes a capture with events whose argument
// types the reference traces do not cover, reads it with the installed
// sysdig 0.29.3 and compares every line with ferret's rendering. It is
// skipped when sysdig is not installed.
func TestRenderingAgainstSysdig(t *testing.T) {
	sysdig, err := exec.LookPath("sysdig")
	if err != nil {
		t.Skip("sysdig not installed")
	}
	snap := &event.Snapshot{
		Machine: event.Machine{NumCPUs: 1, Hostname: "h"},
		Users:   []event.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/sh"}},
		Groups:  []event.Group{{GID: 0, Name: "root"}},
		Threads: []event.Thread{
			{TID: 42, PID: 42, PTID: 1, Comm: "tool", Exe: "tool", ExePath: "/usr/bin/tool", Cwd: "/home/u/", FDLimit: 1024,
				FDs: []event.FD{
					{Num: 3, Type: event.FDFile, Name: "/etc/passwd"},
					{Num: 7, Type: event.FDDirectory, Name: "/var/lib"},
				}},
			{TID: 1, PID: 1, Comm: "init", Exe: "init", Cwd: "/"},
		},
	}
	u16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	sa4 := append(append([]byte{2}, 127, 0, 0, 1), u16(8080)...)
	tup4 := append(append(append(append([]byte{2}, 10, 0, 0, 1), u16(5000)...), 10, 0, 0, 2), u16(80)...)
	saUnix := append([]byte{1}, "/run/a.sock\x00"...)
	fdl := append(u16(2), binary.LittleEndian.AppendUint64(nil, 3)...)
	fdl = append(fdl, u16(1)...)
	fdl = append(fdl, binary.LittleEndian.AppendUint64(nil, 99)...)
	fdl = append(fdl, u16(4)...)
	dynInt := append([]byte{1}, binary.LittleEndian.AppendUint64(nil, 5)...)
	evs := []*event.Event{
		rec(t, newest(t, "nanosleep", true), 1, 42, 0),
		rec(t, newest(t, "nanosleep", true), 2, 42, 500),
		rec(t, newest(t, "nanosleep", true), 3, 42, 1500),
		rec(t, newest(t, "nanosleep", true), 4, 42, 2_000_000),
		rec(t, newest(t, "nanosleep", true), 5, 42, 3_500_000_000),
		rec(t, newest(t, "setuid", true), 6, 42, 0),
		rec(t, newest(t, "setuid", true), 7, 42, 1000),
		rec(t, newest(t, "setresgid", true), 8, 42, 0, 5, -1),
		rec(t, newest(t, "kill", true), 9, 42, 1, 9),
		rec(t, newest(t, "chmod", false), 10, 42, 0, "/tmp/x", 0o755),
		rec(t, newest(t, "unlinkat", false), 11, 42, 0, 7, "db", 0x200),
		rec(t, newest(t, "unlinkat", false), 12, 42, 0, -100, "rel/f", 0),
		rec(t, newest(t, "unlinkat", false), 13, 42, 0, -100, "/abs", 0),
		rec(t, newest(t, "setsockopt", false), 14, 42, 0, 3, 1, 2, dynInt, 4),
		rec(t, newest(t, "ppoll", true), 15, 42, fdl, 1000, 3),
		rec(t, newest(t, "eventfd", true), 16, 42, 0, 1),
		rec(t, newest(t, "futex", true), 17, 42, 0x1000, 0, 1),
		rec(t, newest(t, "mmap", true), 18, 42, 0, 4096, 0, 0x22, -1, 0),
		rec(t, newest(t, "open", true), 19, 42, "/x", 0, 0o644),
		rec(t, newest(t, "open", true), 20, 42, "y", 0x7, 0o600),
		rec(t, newest(t, "connect", true), 21, 42, 3, sa4),
		rec(t, newest(t, "connect", true), 22, 42, 3, saUnix),
		rec(t, newest(t, "sendto", true), 23, 42, 3, 10, tup4),
		rec(t, newest(t, "tgkill", true), 24, 42, 42, 42, 15),
		rec(t, newest(t, "signaldeliver", true), 25, 42, 1, 42, 17),
		rec(t, newest(t, "procexit", true), 26, 1, 0, 0, 0, 0),
		rec(t, event.GenericE, 27, 42, 57, 57),
		rec(t, event.GenericX, 28, 42, 57),
		rec(t, newest(t, "getrlimit", false), 29, 42, 0, -1, 1024),
		rec(t, newest(t, "prlimit", true), 30, 42, 42, 7),
		rec(t, newest(t, "shutdown", true), 31, 42, 3, 2),
		rec(t, newest(t, "flock", true), 32, 42, 3, 6),
		rec(t, newest(t, "access", true), 33, 42, 6),
		rec(t, newest(t, "mkdirat", false), 34, 42, -2, 7, "sub", 0o755),
		rec(t, newest(t, "renameat2", false), 35, 42, 0, -100, "a", 7, "b", 1),
		rec(t, newest(t, "fchmod", false), 36, 42, 0, 3, 0o4755),
		rec(t, newest(t, "linkat", false), 37, 42, 0, -100, "a", -100, "b", 0x400),
		rec(t, newest(t, "openat2", false), 38, 42, 8, -100, "z", 0x41, 0o644, 0x8),
		rec(t, newest(t, "bpf", false), 39, 42, dynInt),
		rec(t, newest(t, "epoll_wait", true), 40, 42, 16),
		rec(t, newest(t, "pipe", false), 41, 42, 0, 9, 10, 1234),
		rec(t, newest(t, "close", true), 42, 42, 9),
	}
	compareWithSysdig(t, sysdig, snap, evs, "%evt.num %evt.type %evt.info")
}

// compareWithSysdig writes snap and evs to a capture file, prints it with
// sysdig and with ferret using format, and compares the lines by event
// number.
func compareWithSysdig(t *testing.T, sysdig string, snap *event.Snapshot, evs []*event.Event, format string) {
	t.Helper()
	for i, ev := range evs {
		ev.TS += 1_700_000_000_000_000_000
		ev.Raw = append([]byte(nil), ev.Raw...)
		binary.LittleEndian.PutUint64(ev.Raw, ev.TS)
		ev.Num = uint64(i + 1)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "oracle.scap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := capfile.NewWriter(f, snap, capfile.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cmd := exec.Command(sysdig, "-r", path, "-p", format)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sysdig: %v", err)
	}
	want := strings.Split(strings.TrimRight(string(out), "\n"), "\n")

	st := state.New(state.Options{})
	st.Load(snap)
	c := fields.NewCtx(st)
	mf := compileMini(t, format)
	var got []string
	for _, ev := range evs {
		st.Update(ev)
		c.Ev = ev
		if l, ok := mf.line(c); ok {
			got = append(got, l)
		}
	}
	wantByNum := map[string]string{}
	for _, l := range want {
		wantByNum[strings.SplitN(l, " ", 2)[0]] = l
	}
	for _, g := range got {
		num := strings.SplitN(g, " ", 2)[0]
		w, ok := wantByNum[num]
		if !ok {
			continue
		}
		if g != w {
			t.Errorf("event %s:\n got  %q\n want %q", num, g, w)
		}
	}
	if len(want) != len(got) {
		t.Logf("sysdig printed %d lines, ferret %d", len(want), len(got))
	}
}

// TestStateAgainstSysdig replays a sequence of fd and process transitions
// and compares fd and process fields with sysdig's view of the same capture.
func TestStateAgainstSysdig(t *testing.T) {
	sysdig, err := exec.LookPath("sysdig")
	if err != nil {
		t.Skip("sysdig not installed")
	}
	snap := &event.Snapshot{
		Machine:    event.Machine{NumCPUs: 1, Hostname: "h"},
		Interfaces: []event.Interface{{Name: "eth0", Addr: []byte{10, 0, 0, 1}, Netmask: []byte{255, 255, 255, 0}}},
		Users:      []event.User{{UID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/sh"}},
		Groups:     []event.Group{{GID: 0, Name: "root"}},
		Threads: []event.Thread{
			{TID: 1, PID: 1, Comm: "init", Exe: "init", Cwd: "/"},
			{TID: 42, PID: 42, PTID: 1, Comm: "srv", Exe: "srv", Args: []string{"-p", "80"}, Cwd: "/srv/", FDLimit: 1024,
				FDs: []event.FD{{Num: 3, Type: event.FDFile, Name: "/srv/log"}}},
		},
	}
	u16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	sa := func(ip [4]byte, port uint16) []byte { return append(append([]byte{2}, ip[:]...), u16(port)...) }
	tup := func(a [4]byte, ap uint16, b [4]byte, bp uint16) []byte {
		return append(append(append(append([]byte{2}, a[:]...), u16(ap)...), b[:]...), u16(bp)...)
	}
	cloneX := func(res, tid, pid, ptid int, flags int) []any {
		return []any{res, "srv", "-p\x0080\x00", tid, pid, ptid, "/srv", 1024, 0, 0, 100, 10, 0, "srv", "cpu=/\x00", flags, 0, 0, tid, pid}
	}
	local, peer := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 9}
	var evs []*event.Event
	ts := uint64(0)
	add := func(typ event.Type, tid int64, args ...any) {
		ts++
		evs = append(evs, rec(t, typ, ts, tid, args...))
	}
	add(newest(t, "socket", true), 42, 2, 1, 0)
	add(newest(t, "socket", false), 42, 4)
	add(newest(t, "bind", true), 42, 4)
	add(newest(t, "bind", false), 42, 0, sa([4]byte{0, 0, 0, 0}, 80))
	add(newest(t, "listen", true), 42, 4, 5)
	add(newest(t, "listen", false), 42, 0)
	add(newest(t, "accept", true), 42, 0)
	add(newest(t, "accept", false), 42, 5, tup(peer, 40000, local, 80), 0, 1, 5)
	add(newest(t, "read", true), 42, 5, 100)
	add(newest(t, "read", false), 42, 4, "GET ")
	add(newest(t, "dup", true), 42, 5)
	add(newest(t, "dup", false), 42, 6)
	add(newest(t, "write", true), 42, 6, 3)
	add(newest(t, "write", false), 42, 3, "ok\n")
	add(newest(t, "socket", true), 42, 2, 2, 0)
	add(newest(t, "socket", false), 42, 7)
	add(newest(t, "connect", true), 42, 7, sa([4]byte{8, 8, 8, 8}, 53))
	add(newest(t, "connect", false), 42, 0, tup(local, 50000, [4]byte{8, 8, 8, 8}, 53))
	add(newest(t, "sendto", true), 42, 7, 20, []byte{})
	add(newest(t, "sendto", false), 42, 20, "query")
	add(newest(t, "pipe", true), 42)
	add(newest(t, "pipe", false), 42, 0, 8, 9, 777)
	add(newest(t, "clone", true), 42)
	add(newest(t, "clone", false), 42, cloneX(43, 42, 42, 1, 0)...)
	add(newest(t, "clone", false), 43, cloneX(0, 43, 43, 42, 0)...)
	add(newest(t, "close", true), 43, 5)
	add(newest(t, "close", false), 43, 0)
	add(newest(t, "fstat", true), 43, 6)
	add(newest(t, "fstat", false), 43, 0)
	add(newest(t, "fstat", true), 42, 5)
	add(newest(t, "fstat", false), 42, 0)
	add(newest(t, "chdir", true), 43)
	add(newest(t, "chdir", false), 43, 0, "../tmp")
	add(newest(t, "open", true), 43, "f.txt", 0x1, 0)
	add(newest(t, "open", false), 43, 10, "f.txt", 0x1, 0, 0)
	add(newest(t, "openat", true), 43, -100, "g.txt", 0x2, 0)
	add(newest(t, "openat", false), 43, 11, -100, "g.txt", 0x2, 0, 0)
	add(newest(t, "execve", true), 43, "/bin/sh")
	add(newest(t, "execve", false), 43, 0, "sh", "-c\x00true\x00", 43, 43, 42, "/tmp", 1024, 0, 0, 1, 1, 0, "sh", "cpu=/\x00", "A=1\x00", 0, 43, 0, 0)
	add(newest(t, "fcntl", true), 43, 10, 1)
	add(newest(t, "fcntl", false), 43, 12)
	add(newest(t, "read", true), 43, 12, 1)
	add(newest(t, "read", false), 43, 1, "x")
	add(newest(t, "procexit", true), 43, 0, 0, 0, 0)
	add(newest(t, "read", true), 42, 8, 1)
	add(newest(t, "read", false), 42, 0, "")
	add(newest(t, "close", true), 42, 7)
	add(newest(t, "close", false), 42, 0)
	add(newest(t, "close", true), 42, 7)
	add(newest(t, "close", false), 42, -9)
	compareWithSysdig(t, sysdig, snap, evs,
		"*%evt.num %evt.type %thread.tid %proc.pid %proc.ppid %proc.name %proc.exe %proc.args %proc.cwd %proc.pname %fd.num %fd.type %fd.typechar %fd.name %fd.l4proto %fd.cip %fd.sip %fd.cport %fd.sport %fd.lip %fd.rip %fd.is_server %evt.res %evt.latency %proc.nthreads %proc.fdopencount %evt.info")
}

// TestMoreStateAgainstSysdig covers threads, IPv6 and unix sockets,
// datagram peers, special fds and identity changes.
func TestMoreStateAgainstSysdig(t *testing.T) {
	sysdig, err := exec.LookPath("sysdig")
	if err != nil {
		t.Skip("sysdig not installed")
	}
	snap := &event.Snapshot{
		Machine:    event.Machine{NumCPUs: 1, Hostname: "h"},
		Interfaces: []event.Interface{{Name: "eth0", Addr: []byte{10, 0, 0, 1}, Netmask: []byte{255, 255, 255, 0}}},
		Users:      []event.User{{UID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/sh"}, {UID: 1000, Name: "bob", HomeDir: "/home/bob", Shell: "/bin/bash"}},
		Groups:     []event.Group{{GID: 0, Name: "root"}, {GID: 1000, Name: "bob"}},
		Threads: []event.Thread{
			{TID: 1, PID: 1, Comm: "init", Exe: "init", Cwd: "/"},
			{TID: 50, PID: 50, PTID: 1, Comm: "bash", Exe: "bash", Cwd: "/home/bob/", UID: 1000, GID: 1000, LoginUID: 1000},
			{TID: 60, PID: 60, PTID: 50, Comm: "app", Exe: "./app", Cwd: "/home/bob/", UID: 0, GID: 0, FDLimit: 1024,
				FDs: []event.FD{{Num: 3, Type: event.FDDirectory, Name: "/etc"}}},
		},
	}
	u16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	ip6 := func(last byte) []byte { b := make([]byte, 16); b[0], b[1], b[15] = 0x20, 0x01, last; return b }
	tup6 := func(a []byte, ap uint16, b []byte, bp uint16) []byte {
		out := append([]byte{10}, a...)
		out = append(out, u16(ap)...)
		out = append(out, b...)
		return append(out, u16(bp)...)
	}
	tup4 := func(a [4]byte, ap uint16, b [4]byte, bp uint16) []byte {
		return append(append(append(append([]byte{2}, a[:]...), u16(ap)...), b[:]...), u16(bp)...)
	}
	cloneX := func(res, tid, pid, ptid int, flags int) []any {
		return []any{res, "app", "x\x00", tid, pid, ptid, "/home/bob", 1024, 0, 0, 100, 10, 0, "app", "cpu=/\x00", flags, 0, 0, tid, pid}
	}
	var evs []*event.Event
	ts := uint64(0)
	add := func(typ event.Type, tid int64, args ...any) {
		ts++
		evs = append(evs, rec(t, typ, ts, tid, args...))
	}
	add(newest(t, "clone", true), 60)
	add(newest(t, "clone", false), 60, cloneX(61, 60, 60, 50, 0x2000|0x1|0x8000|0x800)...)
	add(newest(t, "clone", false), 61, cloneX(0, 61, 60, 50, 0x2000|0x1|0x8000|0x800)...)
	add(newest(t, "socket", true), 61, 10, 1, 6)
	add(newest(t, "socket", false), 61, 4)
	add(newest(t, "connect", true), 61, 4, append(append([]byte{10}, ip6(2)...), u16(443)...))
	add(newest(t, "connect", false), 61, -115, tup6(ip6(1), 33000, ip6(2), 443))
	add(newest(t, "write", true), 60, 4, 5)
	add(newest(t, "write", false), 60, 5, "hello")
	add(newest(t, "socket", true), 60, 2, 2, 17)
	add(newest(t, "socket", false), 60, 5)
	add(newest(t, "recvfrom", true), 60, 5, 100)
	add(newest(t, "recvfrom", false), 60, 3, "abc", tup4([4]byte{9, 9, 9, 9}, 53, [4]byte{10, 0, 0, 1}, 40000))
	add(newest(t, "socketpair", true), 60, 1, 1, 0)
	add(newest(t, "socketpair", false), 60, 0, 6, 7, 0xaaaa, 0xbbbb)
	add(newest(t, "eventfd", true), 60, 0, 0)
	add(newest(t, "eventfd", false), 60, 8)
	add(newest(t, "signalfd", true), 60, -1, 0, 0)
	add(newest(t, "signalfd", false), 60, 9)
	add(newest(t, "timerfd_create", true), 60, 1, 0)
	add(newest(t, "timerfd_create", false), 60, 10)
	add(newest(t, "inotify_init", true), 60, 0)
	add(newest(t, "inotify_init", false), 60, 11)
	add(newest(t, "fchdir", true), 60, 3)
	add(newest(t, "fchdir", false), 60, 0)
	add(newest(t, "setuid", true), 61, 1000)
	add(newest(t, "setuid", false), 61, 0)
	add(newest(t, "setgid", true), 61, 1000)
	add(newest(t, "setgid", false), 61, 0)
	add(newest(t, "read", true), 61, 6, 10)
	add(newest(t, "read", false), 61, 2, "hi")
	add(newest(t, "read", true), 61, 8, 8)
	add(newest(t, "read", false), 61, 8, "12345678")
	add(newest(t, "procexit", true), 61, 0, 0, 0, 0)
	add(newest(t, "read", true), 60, 11, 10)
	add(newest(t, "read", false), 60, -11, "")
	add(newest(t, "read", true), 77, 0, 10)
	add(newest(t, "read", false), 77, 1, "q")
	compareWithSysdig(t, sysdig, snap, evs,
		"*%evt.num %evt.type %thread.tid %thread.ismain %proc.pid %proc.ppid %proc.name %proc.aname[1] %proc.aname[2] %proc.cwd %proc.nthreads %proc.nchilds %user.uid %user.name %group.name %fd.num %fd.type %fd.typechar %fd.name %fd.l4proto %fd.cip %fd.sip %fd.cport %fd.sport %fd.lip %fd.rip %fd.lport %fd.rport %fd.is_server %fd.sockfamily %fd.directory %fd.filename %evt.res %evt.failed %evt.info")
}
