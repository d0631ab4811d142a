// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestSnapshotSocketsMatchSysdig loads sockets from the capture's process
// table (IPv4 with and without a listening local port, unbound ones,
// IPv4-mapped and unspecified IPv6 ends, real IPv6 ones, servers, unix
// sockets), uses each once, and compares the fd fields and the socket
// tables with sysdig's.
func TestSnapshotSocketsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	ip := func(s string) []byte { return netip.MustParseAddr(s).AsSlice() }
	sock := func(n int64, typ event.FDType, sip, dip string, sport, dport uint16, l4 uint8) event.FD {
		return event.FD{Num: n, Type: typ, SrcIP: ip(sip), DstIP: ip(dip), SPort: sport, DPort: dport, L4Proto: l4}
	}
	srv := []event.FD{
		{Num: 3, Type: event.FDIPv4ServSock, SrcIP: ip("0.0.0.0"), SPort: 80, L4Proto: event.L4TCP},
		{Num: 4, Type: event.FDIPv6ServSock, SrcIP: ip("::"), SPort: 8443, L4Proto: event.L4TCP},
		{Num: 5, Type: event.FDIPv4ServSock, SrcIP: ip("10.0.5.119"), SPort: 123, L4Proto: event.L4UDP},
		sock(6, event.FDIPv4Sock, "10.0.5.119", "10.0.5.7", 80, 40000, event.L4TCP),
		sock(7, event.FDIPv4Sock, "10.0.5.119", "204.9.54.119", 123, 123, event.L4UDP),
		sock(8, event.FDIPv6Sock, "::ffff:10.0.5.119", "::ffff:10.0.5.8", 8443, 40001, event.L4TCP),
		sock(9, event.FDIPv6Sock, "2001:db8::1", "2001:db8::7", 8443, 40002, event.L4TCP),
	}
	cli := []event.FD{
		sock(3, event.FDIPv4Sock, "10.0.5.119", "10.0.5.7", 40003, 80, event.L4TCP),
		sock(4, event.FDIPv4Sock, "0.0.0.0", "0.0.0.0", 0, 0, event.L4UDP),
		sock(5, event.FDIPv6Sock, "::", "::", 0, 0, event.L4UDP),
		sock(6, event.FDIPv6Sock, "::", "::", 5353, 0, event.L4UDP),
		sock(7, event.FDIPv6Sock, "::ffff:10.0.5.119", "::ffff:10.0.5.7", 40004, 8443, event.L4TCP),
		sock(8, event.FDIPv6Sock, "2001:db8::1", "2001:db8::9", 40005, 443, event.L4TCP),
		sock(9, event.FDIPv4Sock, "127.0.0.1", "127.0.0.1", 80, 40006, event.L4TCP),
		{Num: 10, Type: event.FDUnixSock, UnixSrc: 0xffff888000001000, UnixDst: 0xffff888000002000, Name: "/run/x.sock"},
	}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	for _, tid := range []int64{100, 200} {
		for fd := int64(3); fd <= 10; fd++ {
			g.Write(tid, fd, []byte("x"))
		}
	}
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads: []event.Thread{
			{TID: 100, PID: 100, PTID: 1, Comm: "srv", Exe: "srv", Cwd: "/", VTID: 100, VPID: 100, FDs: srv},
			{TID: 200, PID: 200, PTID: 1, Comm: "cli", Exe: "cli", Cwd: "/", VTID: 200, VPID: 200, FDs: cli}},
		Interfaces: []event.Interface{
			{Name: "lo", Addr: []byte{127, 0, 0, 1}, Netmask: []byte{255, 0, 0, 0}, Broadcast: []byte{127, 0, 0, 1}},
			{Name: "eth0", Addr: []byte{10, 0, 5, 119}, Netmask: []byte{255, 255, 255, 0}, Broadcast: []byte{10, 0, 5, 255}}}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "snapsockets.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Mode{{Group: "default"},
		{Group: "-p", Args: []string{"-p", "*%evt.num %proc.name %fd.num %fd.type %fd.typechar %fd.name %fd.l4proto %fd.lip %fd.rip %fd.lport %fd.rport"}},
		{Group: "chisel:lsof", Args: []string{"-c", "lsof"}, Cmp: RowSet},
		{Group: "chisel:netstat", Args: []string{"-c", "netstat"}, Cmp: RowSet}} {
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
