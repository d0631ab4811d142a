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

// generic adds a pair for a syscall without a dedicated event.
func (g *gen) generic(name string, tid int64, res *int64) {
	nr, _ := event.NativeNumber(name)
	g.Build(event.GenericE, tid, func(b *event.Builder) { b.U16(1).U16(uint16(nr)) })
	g.Build(event.GenericX, tid, func(b *event.Builder) {
		b.U16(1)
		if res != nil {
			b.I64(*res)
		}
	})
}

func (g *gen) exitGroup(tid int64, code int64) {
	nr, _ := event.NativeNumber("exit_group")
	g.Build(event.GenericE, tid, func(b *event.Builder) { b.U16(1).U16(uint16(nr)) })
	g.Build(event.ProcExit1E, tid, func(b *event.Builder) { b.I64(code << 8).I64(code).U8(0).U8(0) })
}

const (
	ppmRDONLY  = 1
	ppmWRONLY  = 2
	ppmCREAT   = 1 << 2
	ppmTRUNC   = 1 << 8
	ppmCLOEXEC = 1 << 12
)

func openat(g *gen, tid int64, path string, flags uint32, fd int64) {
	g.Call("openat", tid,
		func(b *event.Builder) { b.I64(-100).Str(path).U32(flags).U32(0o644) },
		func(b *event.Builder) { b.I64(fd).I64(-100).Str(path).U32(flags).U32(0o644).U32(0) })
}

func read(g *gen, tid int64, fd int64, data string, size uint32) {
	g.Call("read", tid,
		func(b *event.Builder) { b.I64(fd).U32(size) },
		func(b *event.Builder) { b.I64(int64(len(data))).Raw([]byte(data)) })
}

func closeFD(g *gen, tid, fd int64) {
	g.Call("close", tid, func(b *event.Builder) { b.I64(fd) }, func(b *event.Builder) { b.I64(0) })
}

func execve(g *gen, tid int64, path string, args ...string) {
	g.Call("execve", tid,
		func(b *event.Builder) { b.Str(path) },
		func(b *event.Builder) {
			// like the probe: exe is argv[0], args the rest
			b.I64(0).Str(args[0]).Raw([]byte(strings.Join(args[1:], "\x00") + "\x00")).I64(tid).I64(tid).I64(1).Str("/").U64(1024)
		})
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
	g.generic("futex", 101, nil)
	execve(g, 100, "/usr/bin/cat", "cat", "/etc/hostname")
	// a signal the helper's runtime left pending, delivered as execve returns
	g.Build(event.SignalDelivE, 100, func(b *event.Builder) { b.I64(100).I64(100).U8(23) })
	openat(g, 100, "/etc/hostname", ppmRDONLY|ppmCLOEXEC, 3)
	openat(g, 100, "/nonexistent", ppmRDONLY, -2)
	openat(g, 100, "/tmp/out", ppmWRONLY|ppmCREAT|ppmTRUNC, 4)
	read(g, 100, 3, "host\n", 131072)
	read(g, 100, 3, "\x7fELF\x02\x01\x01\x03\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\x10t\x02\x00\x00\x00\x00\x00\x40\x00", 832)
	closeFD(g, 100, 3)
	res := int64(-38)
	g.generic("statfs", 100, &res)
	g.exitGroup(100, 0)

	got := run(t, Options{}, 100, g.Events())
	want := `execve("/usr/bin/cat", ["cat", "/etc/hostname"], ...) = 0
openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC) = 3
openat(AT_FDCWD, "/nonexistent", O_RDONLY) = -1 ENOENT (No such file or directory)
openat(AT_FDCWD, "/tmp/out", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4
read(3, "host\n", 131072)               = 5
read(3, "\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\20t\2\0\0\0\0\0"..., 832) = 34
close(3)                                = 0
statfs(...)                             = -1 ENOSYS (Function not implemented)
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
	cl, cx := synth.Route("clone")
	g.Build(cl, 10, func(b *event.Builder) {})
	// child side first, then the parent's return
	g.Build(cx, 11, func(b *event.Builder) {
		b.I64(0).Str("/bin/sh").Raw([]byte("sh\x00")).I64(11).I64(11).I64(10).Str("/").I64(1024).U32(0).U32(0).U32(0)
	})
	g.Build(cx, 10, func(b *event.Builder) {
		b.I64(11).Str("/bin/sh").Raw([]byte("sh\x00")).I64(10).I64(10).I64(1).Str("/").I64(1024).U32(0).U32(0).U32(0)
	})
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

func TestSummary(t *testing.T) {
	g := newGen()
	execve(g, 1, "/bin/x", "x")
	for i := 0; i < 3; i++ {
		openat(g, 1, "/a", ppmRDONLY, -2)
	}
	openat(g, 1, "/b", ppmRDONLY, 3)
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
