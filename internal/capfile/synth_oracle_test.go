// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// testSnapshot is a small machine state exercising every metadata field.
func testSnapshot() *event.Snapshot {
	return &event.Snapshot{
		Machine: event.Machine{NumCPUs: 4, MemBytes: 8 << 30, MaxPID: 4194304, Hostname: "ferret-test", BootTime: 1_600_000_000_000_000_000},
		Interfaces: []event.Interface{
			{Name: "lo", Addr: []byte{127, 0, 0, 1}, Netmask: []byte{255, 0, 0, 0}, Broadcast: []byte{127, 255, 255, 255}},
			{Name: "eth0", Addr: []byte{10, 0, 0, 5}, Netmask: []byte{255, 255, 255, 0}, Broadcast: []byte{10, 0, 0, 255}, LinkSpeed: 1000},
			{Name: "eth0", IPv6: true, Addr: netip.MustParseAddr("2001:db8::5").AsSlice(), Netmask: bytes.Repeat([]byte{0xff}, 16), Broadcast: make([]byte, 16)},
		},
		Users:  []event.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/bash"}, {UID: 1000, GID: 1000, Name: "alice", HomeDir: "/home/alice", Shell: "/bin/zsh"}},
		Groups: []event.Group{{GID: 0, Name: "root"}, {GID: 1000, Name: "alice"}},
		Threads: []event.Thread{
			{TID: 1, PID: 1, PTID: 0, SID: 1, VPGID: 1, Comm: "init", Exe: "/sbin/init", ExePath: "/sbin/init", Cwd: "/", FDLimit: 1024,
				VTID: 1, VPID: 1, Root: "/", LoginUID: -1, Env: []string{"HOME=/"}, Cgroups: []string{"cpu=/"},
				FDs: []event.FD{{Num: 0, Type: event.FDFileV2, Name: "/dev/null", OpenFlags: 3, Dev: 5}}},
			{TID: 100, PID: 100, PTID: 1, SID: 100, VPGID: 100, Comm: "server", Exe: "./server", ExePath: "/opt/server", Args: []string{"--port", "8080"},
				Cwd: "/opt/", FDLimit: 65536, UID: 1000, GID: 1000, VMSizeKB: 1000, VMRSSKB: 500, VMSwapKB: 1, PFMajor: 2, PFMinor: 3,
				VTID: 100, VPID: 100, Root: "/", LoginUID: 1000, ExeWritable: true,
				FDs: []event.FD{
					{Num: 3, Type: event.FDIPv4ServSock, SrcIP: []byte{0, 0, 0, 0}, SPort: 8080, L4Proto: event.L4TCP},
					{Num: 4, Type: event.FDIPv4Sock, SrcIP: []byte{10, 0, 0, 9}, DstIP: []byte{10, 0, 0, 5}, SPort: 51000, DPort: 8080, L4Proto: event.L4TCP},
					{Num: 5, Type: event.FDIPv6Sock, SrcIP: netip.MustParseAddr("2001:db8::5").AsSlice(), DstIP: netip.MustParseAddr("2001:db8::1").AsSlice(), SPort: 50001, DPort: 443, L4Proto: event.L4TCP},
					{Num: 6, Type: event.FDUnixSock, UnixSrc: 0xaaaa, UnixDst: 0xbbbb, Name: "/run/x.sock"},
					{Num: 7, Type: event.FDFIFO, Ino: 1234, Name: "pipe:[1234]"},
					{Num: 8, Type: event.FDDirectory, Name: "/opt"},
					{Num: 9, Type: event.FDEventPoll},
					{Num: 10, Type: event.FDIPv6ServSock, SrcIP: make([]byte, 16), SPort: 9090, L4Proto: event.L4UDP},
					{Num: 11, Type: event.FDFile, Name: "/var/log/server.log"},
				}},
			{TID: 101, PID: 100, PTID: 1, SID: 100, VPGID: 100, Comm: "server", Exe: "./server", ExePath: "/opt/server", Cwd: "/opt/",
				FDLimit: 65536, UID: 1000, GID: 1000, VTID: 101, VPID: 100, Root: "/", LoginUID: 1000},
		},
	}
}

// scenario builds events touching the snapshot's threads and fds.
func scenario() *synth.Gen {
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 1_000_000}
	local := netip.MustParseAddrPort("10.0.0.5:40000")
	remote := netip.MustParseAddrPort("93.184.216.34:80")
	g.Read(100, 4, 100, []byte("ping"))
	g.Write(100, 11, []byte("log line\n"))
	g.Clone(100, 200, synth.Proc{PID: 200, PTID: 100, Exe: "./server", Cwd: "/opt/", Comm: "server", UID: 1000, GID: 1000}, 0)
	g.Execve(200, synth.Proc{PID: 200, PTID: 100, Exe: "/usr/bin/curl", Args: []string{"-s", "example.com"}, Cwd: "/opt/", Comm: "curl", Env: []string{"HOME=/home/alice"}, UID: 1000, GID: 1000}, 0)
	g.OpenAt(200, synth.AtFDCWD, "data.txt", synth.ORdonly, 0, 3)
	g.Read(200, 3, 4096, []byte("hello"))
	g.Close(200, 3, 0)
	g.Open(200, "/etc/hosts", synth.ORdonly|synth.OClo, 0, 4)
	g.Close(200, 4, 0)
	g.Socket(200, 2, 1, 0, 5)
	g.Connect(200, 5, local, remote, 0)
	g.SendTo(200, 5, []byte("GET / HTTP/1.1\r\n\r\n"), local, remote)
	g.RecvFrom(200, 5, []byte("HTTP/1.1 200 OK\r\n"), remote, local)
	g.Accept(100, 12, netip.MustParseAddrPort("10.0.0.7:50000"), netip.MustParseAddrPort("10.0.0.5:8080"))
	g.Read(100, 12, 10, []byte("x"))
	g.Read(100, 5, 10, []byte("y"))
	g.Write(100, 6, []byte("z"))
	g.Generic(200, 75, 10)
	g.Switch(200, 100)
	g.Flags = event.DumpStateOnly
	g.OpenAt(200, synth.AtFDCWD, "/hidden", synth.ORdonly, 0, 6)
	g.Flags = event.DumpTracer
	g.Read(200, 6, 10, []byte("after hidden open"))
	g.Flags = 0
	g.CPU = 3
	g.Close(200, 5, 0)
	g.Emit(event.Type(322), 200, uint32(7), bytes.Repeat([]byte{'p'}, 100000))
	g.ProcExit(200, 0)
	g.CPU = 1
	g.Pipe(100, 20, 21, 999)
	g.Dup(100, 21, 22)
	g.Write(100, 22, []byte("p"))
	g.Chdir(100, "/tmp", 0)
	g.OpenAt(100, synth.AtFDCWD, "rel", synth.ORdonly, 0, 23)
	g.Read(100, 23, 1, []byte("r"))
	g.Unlinkat(100, synth.AtFDCWD, "gone", 0)
	g.Mkdirat(100, synth.AtFDCWD, "newdir", 0o755, 0)
	g.Renameat2(100, synth.AtFDCWD, "a", synth.AtFDCWD, "b", 0)
	g.Kill(100, 1, 15, 0)
	g.Setuid(100, 0, -1)
	return g
}

// TestSynthFileWithSysdig writes a synthetic capture and checks what sysdig
// shows for it: every event, thread, user and fd resolved from the metadata.
func TestSynthFileWithSysdig(t *testing.T) {
	needSysdig(t)
	snap := testSnapshot()
	evs := scenario().Events()
	out := rewrite(t, snap, evs, WriterOptions{})
	p := filepath.Join(t.TempDir(), "synth.scap")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := sysdigRead(t, p, "-p", "*%evt.num %evt.cpu %evt.dir %evt.type %thread.tid %proc.name %user.name %fd.num %fd.type %fd.name %proc.cwd %evt.args")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 0 > read 100 server alice 4 ipv4 10.0.0.9:51000->10.0.0.5:8080",
		"3 0 > write 100 server alice 11 file /var/log/server.log",
		"7 0 < clone 200 server alice <NA> <NA> <NA>",
		"9 0 < execve 200 curl alice <NA> <NA> <NA>",
		"11 0 < openat 200 curl alice 3 file /opt/data.txt",
		"12 0 > read 200 curl alice 3 file /opt/data.txt",
		"17 0 < open 200 curl alice 4 file /etc/hosts",
		"23 0 < connect 200 curl alice 5 ipv4 10.0.0.5:40000->93.184.216.34:80",
		"27 0 < recvfrom 200 curl alice 5 ipv4 10.0.0.5:40000->93.184.216.34:80",
		"29 0 < accept 100 server alice 12 ipv4 10.0.0.7:50000->10.0.0.5:8080",
		"32 0 > read 100 server alice 5 ipv6 2001:db8::5:50001->2001:db8::1:443",
		"34 0 > write 100 server alice 6 unix /run/x.sock",
		"37 0 < mprotect 200 curl alice <NA> <NA> <NA>",
		"41 0 > read 200 curl alice 6 file /hidden",
		"43 3 > close 200 curl alice 5 ipv4 10.0.0.5:40000->93.184.216.34:80",
		"45 3 > pluginevent 200 curl alice <NA> <NA> <NA>",
		"46 3 > procexit 200 curl alice <NA> <NA> <NA>",
		"48 1 < pipe 100 server alice 21 pipe  /opt/ res=0 fd1=20(<p>) fd2=21(<p>) ino=999",
		"52 1 < write 100 server alice 22 pipe  /opt/ res=1 data=p",
		"54 1 < chdir 100 server alice <NA> <NA> <NA> /tmp/ res=0 path=/tmp",
		"56 1 < openat 100 server alice 23 file /tmp/rel /tmp/ fd=23(<f>/tmp/rel) dirfd=-100(AT_FDCWD) name=rel(/tmp/rel) flags=1(O_RDONLY) mode=0 dev=0",
		"60 1 < unlinkat 100 server alice <NA> <NA> <NA> /tmp/ res=0 dirfd=-100(AT_FDCWD) name=gone(/tmp/gone) flags=0",
		"62 1 < mkdirat 100 server alice <NA> <NA> <NA> /tmp/ res=0 dirfd=-100(AT_FDCWD) path=newdir(/tmp/newdir) mode=1ED",
		"64 1 < renameat2 100 server alice <NA> <NA> <NA> /tmp/ res=0 olddirfd=-100(AT_FDCWD) oldpath=a(/tmp/a) newdirfd=-100(AT_FDCWD) newpath=b(/tmp/b) flags=0",
		"65 1 > kill 100 server alice <NA> <NA> <NA> /tmp/ pid=1(init) sig=15(SIGTERM)",
		"68 1 < setuid 100 server alice <NA> <NA> <NA> /tmp/ res=-1(EPERM)",
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	byNum := map[string]string{}
	for _, l := range lines {
		byNum[strings.Fields(l)[0]] = l
	}
	for _, w := range want {
		if g := byNum[strings.Fields(w)[0]]; !strings.HasPrefix(g, w) {
			t.Errorf("event %s:\n  want: %s\n  got:  %s", strings.Fields(w)[0], w, g)
		}
	}
	// state-only events are not printed but keep their number
	for _, n := range []string{"39", "40"} {
		if _, ok := byNum[n]; ok {
			t.Errorf("state-only event %s was printed", n)
		}
	}
	if n := len(lines); n != len(evs)-2 {
		t.Errorf("sysdig printed %d events, want %d", n, len(evs)-2)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("sysdig output:\n%s", got)
	}
}
