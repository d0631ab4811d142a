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

// TestDatagramTuplesMatchSysdig sends and receives on sockets of every
// kind with tuples (unbound sources towards the interfaces' subnets,
// elsewhere and loopback, IPv6 and mapped IPv6, unix tuples, receive
// tuples with an unbound destination, repeats and reversals, failed calls,
// connected TCP sockets, server sockets, files) and compares the fd names
// and fields with sysdig's.
func TestDatagramTuplesMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	ap := netip.MustParseAddrPort
	sendto := func(tid, fd int64, tup []byte, res int64) {
		e, x := synth.Current("sendto")
		g.Emit(e, tid, fd, uint32(4), tup)
		g.Emit(x, tid, res, []byte("ping"))
	}
	recvfrom := func(tid, fd int64, tup []byte, res int64) {
		e, x := synth.Current("recvfrom")
		g.Emit(e, tid, fd, uint32(512))
		g.Emit(x, tid, res, []byte("pong"), tup)
	}
	sendmsg := func(tid, fd int64, tup []byte) {
		e, x := synth.Current("sendmsg")
		g.Emit(e, tid, fd, uint32(4), tup)
		g.Emit(x, tid, int64(4), []byte("ping"))
	}
	recvmsg := func(tid, fd int64, tup []byte) {
		e, x := synth.Current("recvmsg")
		g.Emit(e, tid, fd)
		g.Emit(x, tid, int64(4), uint32(4), []byte("pong"), tup)
	}
	v4 := []struct{ src, dst string }{
		{"0.0.0.0:55658", "100.64.0.10:53"}, {"0.0.0.0:4000", "10.0.5.7:53"}, {"0.0.0.0:4001", "127.0.0.1:53"},
		{"0.0.0.0:53", "127.0.0.1:53"}, {"10.0.5.119:4002", "8.8.8.8:53"}, {"0.0.0.0:4003", "0.0.0.0:53"},
		{"0.0.0.0:4004", "10.0.5.119:4004"},
	}
	fd := int64(3)
	tid := int64(100)
	for _, c := range v4 {
		for _, bind := range []bool{false, true} {
			for _, typ := range []uint32{2, 1} { // datagram, stream
				g.Socket(tid, synth.AFInet, typ, 0, fd)
				if bind {
					g.Bind(tid, fd, ap("0.0.0.0:0"), 0)
				}
				tup := synth.Tuple(ap(c.src), ap(c.dst))
				sendto(tid, fd, tup, 4)
				sendto(tid, fd, tup, 4)
				back := synth.Tuple(ap(c.dst), ap(c.src))
				recvfrom(tid, fd, back, 4)
				recvfrom(tid, fd, synth.Tuple(ap(c.dst), ap("0.0.0.0:"+ap(c.src).String()[len(ap(c.src).Addr().String())+1:])), 4)
				sendmsg(tid, fd, tup)
				recvmsg(tid, fd, back)
				g.Close(tid, fd, 0)
			}
		}
	}
	// receive first: a datagram server
	for _, port := range []string{"0.0.0.0:0", "0.0.0.0:5353", "10.0.5.119:5353"} {
		g.Socket(tid, synth.AFInet, 2, 17, fd)
		g.Bind(tid, fd, ap(port), 0)
		recvfrom(tid, fd, synth.Tuple(ap("10.0.5.7:40000"), ap("0.0.0.0:5353")), 10)
		sendto(tid, fd, synth.Tuple(ap("0.0.0.0:5353"), ap("10.0.5.7:40000")), 10)
		recvfrom(tid, fd, synth.Tuple(ap("10.0.5.8:40001"), ap("10.0.5.119:5353")), 10)
		g.Close(tid, fd, 0)
	}
	// failed and empty calls, then a connected TCP socket
	g.Socket(tid, synth.AFInet, 2, 0, fd)
	sendto(tid, fd, synth.Tuple(ap("0.0.0.0:1000"), ap("10.0.5.7:53")), -111)
	recvfrom(tid, fd, nil, 4)
	sendto(tid, fd, nil, 4)
	g.Close(tid, fd, 0)
	g.Socket(tid, synth.AFInet, 1, 0, fd)
	g.Connect(tid, fd, ap("10.0.5.119:40000"), ap("10.0.5.7:80"), 0)
	sendto(tid, fd, synth.Tuple(ap("10.0.5.119:40000"), ap("10.0.5.9:81")), 4)
	recvfrom(tid, fd, synth.Tuple(ap("10.0.5.9:81"), ap("10.0.5.119:40000")), 4)
	// getsockopt names its fd on the exit only, whatever it returns
	for _, res := range []int64{0, -92} {
		for _, gfd := range []int64{fd, 99} {
			e, x := synth.Current("getsockopt")
			g.Emit(e, tid)
			g.Emit(x, tid, res, gfd, uint8(1), uint8(4), synth.Dyn(0, le(0, 8)), uint32(4))
			g.Write(tid, gfd, []byte("x"))
		}
	}
	g.Close(tid, fd, 0)
	// IPv6, mapped IPv6 and unix tuples
	v6 := []struct{ src, dst string }{
		{"[::]:4100", "[::1]:53"}, {"[::]:4101", "[2001:db8::7]:53"}, {"[::]:4102", "[fe80::9]:53"},
		{"[::ffff:0.0.0.0]:4103", "[::ffff:10.0.5.7]:53"}, {"[::ffff:10.0.5.119]:4104", "[::ffff:10.0.5.7]:53"},
		{"[2001:db8::1]:4105", "[2001:db8::7]:53"},
	}
	for _, c := range v6 {
		// an IPv4 socket given IPv6 addresses keeps its type: sysdig
		// writes them through the IPv6 layout of its address union and
		// reads them back through the IPv4 one
		for _, fam := range []uint32{synth.AFInet6, synth.AFInet} {
			g.Socket(tid, fam, 2, 0, fd)
			tup := synth.Tuple(ap(c.src), ap(c.dst))
			sendto(tid, fd, tup, 4)
			recvfrom(tid, fd, synth.Tuple(ap(c.dst), ap(c.src)), 4)
			g.Close(tid, fd, 0)
		}
	}
	for _, path := range []string{"/run/dgram.sock", ""} {
		g.Socket(tid, synth.AFUnix, 2, 0, fd)
		sendto(tid, fd, synth.UnixTuple(0xffff888000001000, 0xffff888000002000, path), 4)
		recvfrom(tid, fd, synth.UnixTuple(0xffff888000002000, 0xffff888000001000, path), 4)
		g.Close(tid, fd, 0)
	}
	// a tuple on fds that are no IP sockets: a file, a pipe
	g.Open(tid, "/tmp/f", synth.ORdonly, 0, fd)
	sendto(tid, fd, synth.Tuple(ap("0.0.0.0:1"), ap("10.0.5.7:2")), 4)
	g.Close(tid, fd, 0)
	g.Open(tid, "/tmp/g", synth.ORdonly, 0, fd)
	recvfrom(tid, fd, []byte{16, 0, 0, 0}, 4)
	g.Close(tid, fd, 0)
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads: []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "dig", Exe: "dig", Cwd: "/", VTID: 100, VPID: 100}},
		Interfaces: []event.Interface{
			{Name: "lo", Addr: []byte{127, 0, 0, 1}, Netmask: []byte{255, 0, 0, 0}, Broadcast: []byte{127, 0, 0, 1}},
			{Name: "eth0", Addr: []byte{10, 0, 5, 119}, Netmask: []byte{255, 255, 255, 0}, Broadcast: []byte{10, 0, 5, 255}},
			{Name: "lo", IPv6: true, Addr: netip.MustParseAddr("::1").AsSlice()},
			{Name: "eth0", IPv6: true, Addr: netip.MustParseAddr("2001:db8::1").AsSlice()},
		}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "tuples.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Mode{{Group: "default"}, {Group: "-j", Args: []string{"-j"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %evt.type %fd.num %fd.type %fd.typechar %fd.l4proto %fd.name %fd.lip %fd.rip %fd.lport %fd.rport %fd.cip %fd.sip %fd.cport %fd.sport %fd.is_server"}},
		{Group: "chisel:lsof", Args: []string{"-c", "lsof"}, Cmp: RowSet},
		{Group: "filter", Args: []string{"fd.type=ipv4"}}, {Group: "-d", Args: []string{"-d", "fd.type=ipv4"}}} {
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
