// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/state"
)

func newestType(t testing.TB, name string, enter bool) event.Type {
	t.Helper()
	e, x := synth.Current(name)
	if enter {
		return e
	}
	return x
}

// build encodes args with the widths of typ's parameter table.
func build(t testing.TB, typ event.Type, ts uint64, tid int64, args ...any) *event.Event {
	t.Helper()
	return synth.Record(typ, ts, tid, args...)
}

func testState() *state.State {
	st := state.New(state.Options{})
	st.Load(&event.Snapshot{
		Users: []event.User{{UID: 0, Name: "root"}},
		Threads: []event.Thread{
			{TID: 10, PID: 10, PTID: 1, Comm: "init-ish", Cwd: "/"},
			{TID: 42, PID: 42, PTID: 10, Comm: "curl", Exe: "curl", Args: []string{"-s", "x"}, Cwd: "/home/u", UID: 0,
				FDs: []event.FD{
					{Num: 3, Type: event.FDFile, Name: "/etc/passwd"},
					{Num: 4, Type: event.FDIPv4Sock, SrcIP: []byte{10, 0, 0, 1}, SPort: 5000, DstIP: []byte{1, 1, 1, 1}, DPort: 53, L4Proto: event.L4UDP},
					{Num: 5, Type: event.FDUnixSock, Name: "/run/x.sock"},
					{Num: 6, Type: event.FDFIFO},
					{Num: 7, Type: event.FDDirectory, Name: "/var/lib"},
				}},
		},
	})
	return st
}

func info(t *testing.T, st *state.State, c *Ctx, ev *event.Event) string {
	t.Helper()
	st.Update(ev)
	c.Ev = ev
	return string(c.AppendArgs(nil))
}

func TestArgsRendering(t *testing.T) {
	u16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	fdlist := append(u16(2), binary.LittleEndian.AppendUint64(nil, 3)...)
	fdlist = append(fdlist, u16(1)...)
	fdlist = append(fdlist, binary.LittleEndian.AppendUint64(nil, 6)...)
	fdlist = append(fdlist, u16(0x204)...)
	unixTuple := []byte{1}
	unixTuple = binary.LittleEndian.AppendUint64(unixTuple, 0)
	unixTuple = binary.LittleEndian.AppendUint64(unixTuple, 0xffff88003c420800)
	unixTuple = append(unixTuple, "/var/run/nscd/socket\x00"...)
	v6 := []byte{10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}
	v6 = append(v6, u16(1234)...)

	tests := []struct {
		name  string
		typ   event.Type
		args  []any
		want  string
		print int
		buf   BufFormat
	}{
		{"fd with file", newestType(t, "read", true), []any{3, 100}, "fd=3(<f>/etc/passwd) size=100 ", 0, BufNormal},
		{"fd udp socket", newestType(t, "read", true), []any{4, 1}, "fd=4(<4u>10.0.0.1:5000->1.1.1.1:53) size=1 ", 0, BufNormal},
		{"fd unix and unknown", newestType(t, "dup", true), []any{5}, "fd=5(<u>/run/x.sock) ", 0, BufNormal},
		{"fd not in table", newestType(t, "dup", true), []any{99}, "fd=99 ", 0, BufNormal},
		{"negative fd is an errno", newestType(t, "dup", true), []any{-1}, "fd=-1(EPERM) ", 0, BufNormal},
		{"errno", newestType(t, "close", false), []any{-2}, "res=-2(ENOENT) ", 0, BufNormal},
		{"open flags bit set", newestType(t, "open", true), []any{"/x", 4097, 0}, "name=/x flags=4097(O_RDONLY|O_CLOEXEC) mode=0 ", 0, BufNormal},
		{"flags zero value", newestType(t, "access", true), []any{0}, "mode=0(F_OK) ", 0, BufNormal},
		{"flags exact enum", newestType(t, "fcntl", true), []any{3, 3}, "fd=3(<f>/etc/passwd) cmd=3(F_SETFD) ", 0, BufNormal},
		{"flags mixed", newestType(t, "futex", true), []any{0x10, 129, 1}, "addr=10 op=129(FUTEX_PRIVATE_FLAG|FUTEX_WAKE) val=1 ", 0, BufNormal},
		{"hex number", newestType(t, "brk", false), []any{0x55db0de73000, 1, 2, 3}, "res=55DB0DE73000 vm_size=1 vm_rss=2 vm_swap=3 ", 0, BufNormal},
		{"pid with name", newestType(t, "kill", true), []any{42, 9}, "pid=42(curl) sig=9(SIGKILL) ", 0, BufNormal},
		{"pid unknown", newestType(t, "kill", true), []any{4242, 15}, "pid=4242 sig=15(SIGTERM) ", 0, BufNormal},
		{"reltime", newestType(t, "nanosleep", true), []any{0}, "interval=0(0s) ", 0, BufNormal},
		{"unix tuple", newestType(t, "connect", false), []any{-2, unixTuple}, "res=-2(ENOENT) tuple=0->ffff88003c420800 /var/run/nscd/socket ", 0, BufNormal},
		{"null tuple", newestType(t, "sendto", true), []any{4, 6, []byte{}}, "fd=4(<4u>10.0.0.1:5000->1.1.1.1:53) size=6 tuple=NULL ", 0, BufNormal},
		{"ipv6 sockaddr", newestType(t, "bind", false), []any{0, v6}, "res=0 addr=2001:db8::3:1234 ", 0, BufNormal},
		{"fdlist", newestType(t, "poll", true), []any{fdlist, 5}, "fds=3:f1 6:p204 timeout=5 ", 0, BufNormal},
		{"fsrelpath relative", newestType(t, "unlinkat", false), []any{0, 7, "db", 0}, "res=0 dirfd=7(<d>/var/lib) name=db(/var/lib/db) flags=0 ", 0, BufNormal},
		{"fsrelpath cwd", newestType(t, "unlinkat", false), []any{0, -100, "f", 0}, "res=0 dirfd=-100(AT_FDCWD) name=f(/home/u/f) flags=0 ", 0, BufNormal},
		{"buffer dots", newestType(t, "read", false), []any{5, "ab\x00\ncd"}, "res=5 data=ab..cd ", 80, BufNormal},
		{"buffer truncated", newestType(t, "read", false), []any{5, strings.Repeat("x", 90)}, "res=5 data=" + strings.Repeat("x", 77) + "... ", 80, BufNormal},
		{"buffer untruncated with -v", newestType(t, "read", false), []any{5, strings.Repeat("x", 90)}, "res=5 data=" + strings.Repeat("x", 90) + " ", 0, BufNormal},
		{"buffer ascii", newestType(t, "read", false), []any{5, "a\tb\r\nc\rd"}, "res=5 data=\nab\nc\nd ", 80, BufASCII},
		{"buffer hex", newestType(t, "read", false), []any{3, "ABC"}, "res=3 data=\n\t0x0000: 4142 43\n ", 80, BufHex},
		{"buffer hexascii", newestType(t, "read", false), []any{3, "ABC"}, "res=3 data=\n\t0x0000: 4142 43" + strings.Repeat(" ", 32) + "ABC\n ", 80, BufHexASCII},
		{"buffer base64", newestType(t, "read", false), []any{3, "ABC"}, "res=3 data=QUJD ", 80, BufBase64},
		{"empty buffer hex", newestType(t, "read", false), []any{0, ""}, "res=0 data= ", 80, BufHex},
		{"uid name", newestType(t, "setuid", true), []any{0}, "uid=0(root) ", 0, BufNormal},
		{"generic event shows nothing", event.GenericE, []any{75, 10}, "", 0, BufNormal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := testState()
			c := NewCtx(st)
			c.PrintLen = tc.print
			c.Buf = tc.buf
			got := info(t, st, c, build(t, tc.typ, 1, 42, tc.args...))
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLookupGreedy(t *testing.T) {
	tests := []struct {
		in       string
		name     string
		arg      string
		consumed int
		ok       bool
	}{
		{"evt.numx", "evt.num", "", 7, true},
		{"evt.num", "evt.num", "", 7, true},
		{"evt.arg.name|x", "evt.arg", "name", 12, true},
		{"evt.arg[1] y", "evt.arg", "1", 10, true},
		{"evt.args", "evt.args", "", 8, true},
		{"proc.aname[2])", "proc.aname", "2", 13, true},
		{"proc.aname", "proc.aname", "", 10, true},
		{"evt.type.is.open", "evt.type.is", "open", 16, true},
		{"evt.type", "evt.type", "", 8, true},
		{"thread.cgroup.cpuacct rest", "thread.cgroup", "cpuacct", 21, true},
		{"thread.cgroups", "thread.cgroups", "", 14, true},
		{"fd.cip.name", "fd.cip.name", "", 11, true},
		{"evt.around[1534527348514632619]", "evt.around", "1534527348514632619", 31, true},
		{"evt.rawarg.res<0", "evt.rawarg", "res", 14, true},
		{"bogus.field", "", "", 0, false},
		{"evt.arg.", "evt.arg", "", 7, true},
	}
	for _, tc := range tests {
		name, arg, n, ok := Lookup(tc.in)
		if name != tc.name || arg != tc.arg || n != tc.consumed || ok != tc.ok {
			t.Errorf("Lookup(%q) = %q %q %d %v, want %q %q %d %v", tc.in, name, arg, n, ok, tc.name, tc.arg, tc.consumed, tc.ok)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, arg string
		err       string
	}{
		{"bogus", "", "invalid field name bogus"},
		{"evt.rawarg", "0", "evt.arg fields must be expressed explicitly"},
		{"evt.arg", "", "requires an argument"},
		{"proc.aname", "x", "wrong argument"},
		{"evt.type.is", "", "requires an argument"},
	}
	for _, tc := range tests {
		_, err := Compile(tc.name, tc.arg)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Compile(%q, %q) error = %v, want %q", tc.name, tc.arg, err, tc.err)
		}
	}
	for _, ok := range [][2]string{{"evt.num", ""}, {"evt.arg", "fd"}, {"evt.arg", "0"}, {"proc.aname", "3"}, {"k8s.pod.name", ""}} {
		if _, err := Compile(ok[0], ok[1]); err != nil {
			t.Errorf("Compile(%q, %q): %v", ok[0], ok[1], err)
		}
	}
}

func TestFieldValues(t *testing.T) {
	st := testState()
	c := NewCtx(st)
	c.SetUTCOffset(0)
	c.FirstTS = 1_000_000_000
	ev := build(t, newestType(t, "read", true), 1_534_527_348_514_632_619, 42, 4, 10)
	ev.Num = 7
	st.Update(ev)
	c.Ev = ev
	tests := []struct {
		field string
		want  string // "" = no value
	}{
		{"evt.num", "7"},
		{"evt.time", "17:35:48.514632619"},
		{"evt.datetime", "2018-08-17 17:35:48.514632619"},
		{"evt.time.iso8601", "2018-08-17T17:35:48.514632619+0000"},
		{"evt.rawtime.s", "1534527348"},
		{"evt.dir", ">"},
		{"evt.type", "read"},
		{"evt.type.is.read", "1"},
		{"evt.type.is.open", "0"},
		{"evt.category", "net"},
		{"evt.arg.fd", "<4u>10.0.0.1:5000->1.1.1.1:53"},
		{"evt.arg[1]", "10"},
		{"evt.rawarg.fd", "4"},
		{"evt.is_io_read", "true"},
		{"evt.io_dir", "read"},
		{"evt.res", ""},
		{"proc.name", "curl"},
		{"proc.args", "-s x"},
		{"proc.cmdline", "curl -s x"},
		{"proc.pname", "init-ish"},
		{"proc.aname[0]", "curl"},
		{"proc.aname[1]", "init-ish"},
		{"proc.apid[1]", "10"},
		{"proc.cwd", "/home/u/"},
		{"user.name", "root"},
		{"container.id", "host"},
		{"container.name", "host"},
		{"fd.num", "4"},
		{"fd.type", "ipv4"},
		{"fd.typechar", "4"},
		{"fd.l4proto", "udp"},
		{"fd.cip", "10.0.0.1"},
		{"fd.sip", "1.1.1.1"},
		{"fd.sport", "53"},
		{"fd.cport", "5000"},
		{"fd.sproto", "53"},
		{"fd.sockfamily", "ip"},
		{"fd.is_server", "false"},
		{"fd.name", "10.0.0.1:5000->1.1.1.1:53"},
		{"k8s.pod.name", ""},
	}
	for _, tc := range tests {
		ext, err := CompileToken(tc.field)
		if err != nil {
			t.Fatalf("%s: %v", tc.field, err)
		}
		var v Value
		ok := ext.Extract(c, &v)
		got := ""
		if ok {
			got = string(AppendText(nil, c, ext, &v))
		}
		if got != tc.want {
			t.Errorf("%s = %q (ok=%v), want %q", tc.field, got, ok, tc.want)
		}
	}
}

func TestAncestorEach(t *testing.T) {
	st := testState()
	c := NewCtx(st)
	ev := build(t, newestType(t, "read", true), 1, 42, 3, 1)
	st.Update(ev)
	c.Ev = ev
	ext, err := Compile("proc.aname", "")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := ext.(Multi)
	if !ok {
		t.Fatal("proc.aname without index must be a Multi extractor")
	}
	var v Value
	var seen []string
	m.Each(c, &v, func(v *Value) bool { seen = append(seen, v.Str); return false })
	if strings.Join(seen, ",") != "init-ish" {
		t.Fatalf("ancestors = %v", seen)
	}
}

func TestContainerFields(t *testing.T) {
	st := state.New(state.Options{})
	st.Load(&event.Snapshot{Threads: []event.Thread{{TID: 5, PID: 5, Comm: "nginx",
		Cgroups: []string{"cpu=/docker/abcdefabcdef0123456789abcdef0123456789abcdef0123456789abcdef0123"}}}})
	js := `{"container":{"id":"abcdefabcdef","name":"web","image":"nginx:1.25","type":0,"privileged":false}}`
	st.Update(build(t, event.Container2E, 1, 5, js))
	ev := build(t, newestType(t, "brk", true), 2, 5, 0)
	st.Update(ev)
	c := NewCtx(st)
	c.Ev = ev
	for field, want := range map[string]string{
		"container.id":         "abcdefabcdef",
		"container.name":       "web",
		"container.image":      "nginx:1.25",
		"container.type":       "docker",
		"container.privileged": "false",
		"fd.containername":     "",
	} {
		ext, err := CompileToken(field)
		if err != nil {
			t.Fatal(err)
		}
		var v Value
		got := ""
		if ext.Extract(c, &v) {
			got = string(AppendText(nil, c, ext, &v))
		}
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}
