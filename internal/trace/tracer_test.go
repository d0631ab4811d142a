// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// gen builds a stream of synthetic events (timestamps 1000, 2000, ...).
type gen struct{ synth.Gen }

func newGen() *gen { return &gen{synth.Gen{TS: 1000}} }

// codeOf returns the portable code of a syscall (0 when it has none).
func codeOf(name string) uint16 {
	nr, _ := event.NativeNumber(name)
	for _, r := range event.Routes() {
		if r.Nr == nr {
			return r.Code
		}
	}
	return 0
}

// rawEnter adds the raw enter record of a syscall; in holds the enter
// copies by argument.
func (g *gen) rawEnter(name string, tid int64, args [6]uint64, in map[int][]byte) {
	nr, ok := event.NativeNumber(name)
	if !ok {
		panic(name)
	}
	g.Build(event.GenericE, tid, func(b *event.Builder) {
		b.U16(codeOf(name)).U16(uint16(nr))
		for _, a := range args {
			b.U64(a)
		}
		if s := spec(nr); s != nil {
			for _, c := range s.raw.Enter {
				b.Raw(in[int(c.Arg)])
			}
		}
	})
}

// rawExit adds the raw exit record; out holds the exit copies by argument.
func (g *gen) rawExit(name string, tid int64, ret int64, out map[int][]byte) {
	nr, _ := event.NativeNumber(name)
	g.Build(event.GenericX, tid, func(b *event.Builder) {
		b.U16(codeOf(name)).I64(ret)
		if s := spec(nr); s != nil {
			for _, c := range s.raw.Exit {
				b.Raw(out[int(c.Arg)])
			}
		}
	})
}

// raw adds a whole call.
func (g *gen) raw(name string, tid int64, args [6]uint64, ret int64, in, out map[int][]byte) {
	g.rawEnter(name, tid, args, in)
	g.rawExit(name, tid, ret, out)
}

func (g *gen) exitGroup(tid int64, code int64) {
	g.rawEnter("exit_group", tid, [6]uint64{uint64(code)}, nil)
	g.Build(event.ProcExit1E, tid, func(b *event.Builder) { b.I64(code << 8).I64(code).U8(0).U8(0) })
}

// native open flags
const (
	oRDONLY  = 0
	oWRONLY  = 1
	oCREAT   = 0100
	oTRUNC   = 01000
	oCLOEXEC = 02000000
)

func cs(s string) []byte { return append([]byte(s), 0) }

func openat(g *gen, tid int64, path string, flags uint64, fd int64) {
	p := map[int][]byte{1: cs(path)}
	g.raw("openat", tid, [6]uint64{^uint64(99), 0x1000, flags, 0o644}, fd, p, p)
}

func read(g *gen, tid int64, fd int64, data string, size uint64) {
	g.raw("read", tid, [6]uint64{uint64(fd), 0x2000, size}, int64(len(data)), nil, map[int][]byte{1: []byte(data)})
}

func closeFD(g *gen, tid, fd int64) {
	g.raw("close", tid, [6]uint64{uint64(fd)}, 0, nil, nil)
}

func execve(g *gen, tid int64, path string, args ...string) {
	var argv []byte
	for _, a := range args {
		argv = append(argv, cs(a)...)
	}
	env := make([]byte, 8)
	env[0] = 2
	in := map[int][]byte{0: cs(path), 1: argv, 2: env}
	g.raw("execve", tid, [6]uint64{0x1000, 0x2000, 0x3000}, 0, in, map[int][]byte{0: cs(path)})
}

func run(t *testing.T, opts Options, hold int64, evs []*event.Event) string {
	var out bytes.Buffer
	opts.Out = &out
	tr := New(opts)
	if hold != 0 {
		tr.Hold(hold)
	}
	for _, e := range evs {
		tr.Handle(e)
	}
	if err := tr.Finish(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestTraceLines(t *testing.T) {
	g := newGen()
	// helper noise before the execve must not show
	read(g, 100, 3, "\x01", 1)
	g.raw("futex", 101, [6]uint64{0x4000, 129, 1}, 0, nil, nil)
	execve(g, 100, "/usr/bin/cat", "cat", "/etc/hostname")
	// a signal the helper's runtime left pending, delivered as execve returns
	g.Build(event.SignalDelivE, 100, func(b *event.Builder) { b.I64(100).I64(100).U8(23) })
	openat(g, 100, "/etc/hostname", oRDONLY|oCLOEXEC, 3)
	openat(g, 100, "/nonexistent", oRDONLY, -2)
	openat(g, 100, "/tmp/out", oWRONLY|oCREAT|oTRUNC, 4)
	read(g, 100, 3, "host\n", 131072)
	read(g, 100, 3, "\x7fELF\x02\x01\x01\x03\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\x10t\x02\x00\x00\x00\x00\x00\x40\x00", 832)
	closeFD(g, 100, 3)
	g.raw("statfs", 100, [6]uint64{0x1000, 0x5000}, -38, map[int][]byte{0: cs("/sys/fs/selinux")}, nil)
	g.raw("getuid", 100, [6]uint64{}, 0, nil, nil)
	var st [144]byte
	st[24], st[25] = 0xa4, 0x81 // S_IFREG|0644
	st[48] = 36
	g.raw("newfstatat", 100, [6]uint64{3, 0x1000, 0x6000, 0x1000}, 0, map[int][]byte{1: {0}}, map[int][]byte{1: {0}, 2: st[:]})
	g.raw("prlimit64", 100, [6]uint64{0, 3, 0, 0x7000}, 0, nil, map[int][]byte{3: {0, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255}})
	g.raw("ioctl", 100, [6]uint64{1, 0x5401, 0x7000}, -25, nil, nil)
	g.raw("futex", 100, [6]uint64{0x4000, 129, 1}, 0, nil, nil)
	var sa [32]byte
	sa[0] = 1 // SIG_IGN
	g.raw("rt_sigaction", 100, [6]uint64{2, 0x8000, 0, 8}, 0, map[int][]byte{1: sa[:]}, nil)
	g.exitGroup(100, 0)

	got := run(t, Options{}, 100, g.Events())
	want := `execve("/usr/bin/cat", ["cat", "/etc/hostname"], 0x3000 /* 2 vars */) = 0
openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC) = 3
openat(AT_FDCWD, "/nonexistent", O_RDONLY) = -1 ENOENT (No such file or directory)
openat(AT_FDCWD, "/tmp/out", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4
read(3, "host\n", 131072)               = 5
read(3, "\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\20t\2\0\0\0\0\0"..., 832) = 34
close(3)                                = 0
statfs("/sys/fs/selinux", 0x5000)       = -1 ENOSYS (Function not implemented)
getuid()                                = 0
newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=36, ...}, AT_EMPTY_PATH) = 0
prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0
ioctl(1, TCGETS, 0x7000)                = -1 ENOTTY (Inappropriate ioctl for device)
futex(0x4000, FUTEX_WAKE_PRIVATE, 1)    = 0
rt_sigaction(SIGINT, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}, NULL, 8) = 0
exit_group(0)                           = ?
+++ exited with 0 +++
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTraceFollowAndOptions(t *testing.T) {
	g := newGen()
	execve(g, 10, "/bin/sh", "sh", "-c", "x")
	g.rawEnter("clone", 10, [6]uint64{0x1200011}, nil)
	// child side first, then the parent's return
	g.rawExit("clone", 11, 0, nil)
	g.rawExit("clone", 10, 11, nil)
	closeFD(g, 11, 5)
	g.exitGroup(11, 3)
	closeFD(g, 10, 6)
	g.exitGroup(10, 7)
	// unrelated task
	closeFD(g, 99, 1)

	set, err := ParseSet("close,exit_group")
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, Options{Follow: true, Durations: true, Set: set}, 10, g.Events())
	want := `[pid    11] close(5)                    = 0 <0.000001>
[pid    11] exit_group(3)               = ?
[pid    11] +++ exited with 3 +++
close(6)                                = 0 <0.000001>
exit_group(7)                           = ?
+++ exited with 7 +++
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	// without -f the child is not traced
	got = run(t, Options{Set: set}, 10, g.Events())
	if strings.Contains(got, "close(5)") || !strings.Contains(got, "close(6)") {
		t.Errorf("without -f:\n%s", got)
	}
}

// TestTraceVforkChildExitsFirst: a vfork parent resumes after its child's
// exec, possibly after the child's exit. The late return does not trace the
// child again (the run would never see every task exit, and the parent's
// lines would keep a "[pid N]" prefix), and lines strace starts at enter
// take the prefix the task count had then.
func TestTraceVforkChildExitsFirst(t *testing.T) {
	g := newGen()
	execve(g, 10, "/bin/sh", "sh", "-c", "x")
	g.rawEnter("vfork", 10, [6]uint64{}, nil)
	g.rawExit("vfork", 11, 0, nil)
	execve(g, 11, "/bin/true", "true")
	g.exitGroup(11, 0)
	g.rawExit("vfork", 10, 11, nil)
	closeFD(g, 10, 6)
	g.exitGroup(10, 7)
	set, err := ParseSet("vfork,execve,close,exit_group")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tr := New(Options{Out: &out, Follow: true, Set: set})
	tr.Hold(10)
	for _, e := range g.Events() {
		tr.Handle(e)
	}
	if n := tr.Live(); n != 0 {
		t.Errorf("%d tasks still traced after every exit", n)
	}
	want := `execve("/bin/sh", ["sh", "-c", "x"], 0x3000 /* 2 vars */) = 0
vfork( <unfinished ...>
[pid    11] execve("/bin/true", ["true"], 0x3000 /* 2 vars */) = 0
[pid    11] exit_group(0)               = ?
[pid    11] +++ exited with 0 +++
<... vfork resumed>)                    = 11
close(6)                                = 0
exit_group(7)                           = ?
+++ exited with 7 +++
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSummary(t *testing.T) {
	g := newGen()
	execve(g, 1, "/bin/x", "x")
	for i := 0; i < 3; i++ {
		openat(g, 1, "/a", oRDONLY, -2)
	}
	openat(g, 1, "/b", oRDONLY, 3)
	read(g, 1, 3, "abc", 10)
	closeFD(g, 1, 3)
	g.exitGroup(1, 2)
	var out bytes.Buffer
	tr := New(Options{Out: &out, Summary: true})
	tr.Hold(1)
	for _, e := range g.Events() {
		tr.Handle(e)
	}
	if st, ok := tr.Exited(); !ok || st != 2 {
		t.Errorf("exit status %d %v", st, ok)
	}
	tr.Finish()
	want := `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 57.14    0.000004           1         4         3 openat
 14.29    0.000001           1         1           read
 14.29    0.000001           1         1           close
 14.29    0.000001           1         1           execve
------ ----------- ----------- --------- --------- ----------------
100.00    0.000007           1         7         3 total
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestParseSet(t *testing.T) {
	tests := []struct {
		expr      string
		in, notIn []string
		bad       bool
	}{
		{expr: "file", in: []string{"openat", "execve", "stat"}, notIn: []string{"read", "close"}},
		{expr: "%file,read", in: []string{"openat", "read"}, notIn: []string{"write"}},
		{expr: "network", in: []string{"socket", "connect"}, notIn: []string{"openat"}},
		{expr: "process", in: []string{"clone", "execve", "exit_group", "wait4"}},
		{expr: "desc", in: []string{"read", "close", "fstat"}, notIn: []string{"brk"}},
		{expr: "memory", in: []string{"mmap", "brk"}, notIn: []string{"read"}},
		{expr: "signal", in: []string{"rt_sigaction", "kill"}},
		{expr: "!write", in: []string{"read"}, notIn: []string{"write"}},
		{expr: "/^get", in: []string{"getpid", "getdents64"}, notIn: []string{"read"}},
		{expr: "all", in: []string{"read"}},
		{expr: "none", notIn: []string{"read"}},
		{expr: "?nosuch,read", in: []string{"read"}},
		{expr: "nosuch", bad: true},
		{expr: "%nosuch", bad: true},
		{expr: "", bad: true},
	}
	for _, tc := range tests {
		s, err := ParseSet(tc.expr)
		if (err != nil) != tc.bad {
			t.Errorf("%q: err %v", tc.expr, err)
			continue
		}
		for _, n := range tc.in {
			if !s.Has(n) {
				t.Errorf("%q lacks %s", tc.expr, n)
			}
		}
		for _, n := range tc.notIn {
			if s.Has(n) {
				t.Errorf("%q has %s", tc.expr, n)
			}
		}
	}
}

func TestSetNames(t *testing.T) {
	s, _ := ParseSet("write,read,%ipc")
	names, ok := s.Names()
	if !ok || len(names) != 14 || names[0] != "msgctl" {
		t.Errorf("Names() = %v %v", names, ok)
	}
	for _, expr := range []string{"!read", "all", "/^r"} {
		s, _ := ParseSet(expr)
		if _, ok := s.Names(); ok {
			t.Errorf("%s: Names reported a finite set", expr)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 32, `"abc"`},
		{"a\"b\\c\t\n\r\v\f", -1, `"a\"b\\c\t\n\r\v\f"`},
		{"\x00\x01\x7f\xff", -1, `"\0\1\177\377"`},
		{"\x001", -1, `"\0001"`},
		{"\x10x", -1, `"\20x"`},
		{"0123456789", 4, `"0123"...`},
	}
	for _, tc := range tests {
		if got := string(appendQuoted(nil, []byte(tc.in), tc.max)); got != tc.want {
			t.Errorf("%q: got %s want %s", tc.in, got, tc.want)
		}
	}
}

func TestTimestamps(t *testing.T) {
	var b []byte
	b = appendDuration(b, 1_234_567_890)
	if string(b) != " <1.234567>" {
		t.Errorf("duration %q", b)
	}
	tr := New(Options{Time: TimeEpoch})
	if p := string(tr.prefix(1, 1_700_000_000_000_012_345)); p != "1700000000.000012 " {
		t.Errorf("epoch %q", p)
	}
}

// TestCopiesFit checks that every raw record of the decoding table fits the
// probe's parameter limit and copies only from the six arguments.
func TestCopiesFit(t *testing.T) {
	for nr, rs := range Copies() {
		if n := event.RawEnterCopies + len(rs.Enter); n > 20 {
			t.Errorf("syscall %d: %d enter parameters", nr, n)
		}
		for _, c := range append(append([]event.RawCopy(nil), rs.Enter...), rs.Exit...) {
			if c.Kind != event.RawStack && c.Arg > 5 || (c.Kind == event.RawArgLen || c.Kind == event.RawPtrLen) && c.N > 5 {
				t.Errorf("syscall %d: copy %+v", nr, c)
			}
		}
	}
}
