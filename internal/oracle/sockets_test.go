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

// TestSocketsMatchSysdig creates sockets of every family, type and
// protocol, addresses them by connect, sendto and bind (also with tuples of
// the other family) and connects unix sockets, and compares the fd fields
// with sysdig's.
func TestSocketsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	fd := int64(3)
	for _, fam := range []uint32{synth.AFUnix, synth.AFInet, synth.AFInet6, 16, 17, 0, 99} {
		for _, typ := range []uint32{1, 2, 3, 5, 0x80801} {
			for _, proto := range []uint32{0, 6, 17, 1} {
				g.Socket(100, fam, typ, proto, fd)
				g.Write(100, fd, []byte("x"))
				fd++
			}
		}
	}
	l, rem := netip.MustParseAddrPort("10.0.0.5:40000"), netip.MustParseAddrPort("10.0.0.9:80")
	for _, typ := range []uint32{1, 2, 3} {
		for _, fam := range []uint32{synth.AFInet, synth.AFInet6} {
			g.Socket(100, fam, typ, 0, fd)
			g.Connect(100, fd, l, rem, 0)
			g.Write(100, fd, []byte("x"))
			fd++
		}
		g.Socket(100, synth.AFInet, typ, 0, fd)
		g.Connect(100, fd, l, rem, -111)
		g.Write(100, fd, []byte("x"))
		fd++
		g.Socket(100, synth.AFInet, typ, 0, fd)
		g.SendTo(100, fd, []byte("q"), l, rem)
		g.Write(100, fd, []byte("x"))
		fd++
		g.Socket(100, synth.AFInet, typ, 0, fd)
		g.Bind(100, fd, l, 0)
		g.Listen(100, fd, 5)
		g.Write(100, fd, []byte("x"))
		fd++
	}
	// connected by protocol: sysdig names by its protocol (ports for TCP
	// and UDP, addresses for ICMP and raw, "<unknown>" otherwise)
	for _, typ := range []uint32{1, 2, 3, 0x80003} {
		for _, proto := range []uint32{0, 6, 17, 1, 12, 58, 255} {
			g.Socket(100, synth.AFInet, typ, proto, fd)
			g.Connect(100, fd, l, rem, 0)
			g.Write(100, fd, []byte("x"))
			fd++
			g.Socket(100, synth.AFInet, typ, proto, fd)
			g.SendTo(100, fd, []byte("q"), l, rem)
			g.Write(100, fd, []byte("x"))
			fd++
		}
	}
	for _, path := range []string{"/run/x.sock", "", "\x00abstract"} {
		for _, dst := range []uint64{0, 0xffff888000002000} {
			g.Socket(100, synth.AFUnix, 1, 0, fd)
			e, x := synth.Current("connect")
			g.Emit(e, 100, fd, synth.UnixAddr(path))
			g.Emit(x, 100, int64(0), synth.UnixTuple(0xffff888000001000, dst, path))
			g.Write(100, fd, []byte("x"))
			fd++
		}
	}
	// connections in progress and refused, accepted ones: fd.connected
	for _, res := range []int64{0, -111, -115} {
		g.Socket(100, synth.AFUnix, 1, 0, fd)
		e, x := synth.Current("connect")
		g.Emit(e, 100, fd, synth.UnixAddr("/run/y.sock"))
		g.Emit(x, 100, res, synth.UnixTuple(0xffff888000003000, 0xffff888000004000, "/run/y.sock"))
		g.Write(100, fd, []byte("x"))
		fd++
		g.Socket(100, synth.AFInet, 1, 0, fd)
		g.Connect(100, fd, l, rem, res)
		g.Write(100, fd, []byte("x"))
		fd++
	}
	g.Syscall("accept", 100, []any{int32(0)}, []any{fd, synth.UnixTuple(0xffff888000005000, 0xffff888000006000, "/run/z.sock"), uint8(0), uint32(0), uint32(128)})
	g.Write(100, fd, []byte("x"))
	fd++
	g.Accept(100, fd, rem, l)
	g.Write(100, fd, []byte("x"))
	fd++
	// a successful read or write on an IP socket makes sysdig count it
	// connected, a failed one does not; a unix socket needs its connect
	for _, fam := range []uint32{synth.AFInet, synth.AFInet6, synth.AFUnix} {
		g.Socket(100, fam, 2, 0, fd)
		g.Syscall("write", 100, []any{fd, uint32(1)}, []any{int64(-11), []byte{}})
		g.Read(100, fd, 4, []byte("abcd"))
		g.Write(100, fd, []byte("x"))
		fd++
		g.Socket(100, fam, 1, 0, fd)
		g.Syscall("read", 100, []any{fd, uint32(1)}, []any{int64(0), []byte{}})
		g.Write(100, fd, []byte("x"))
		fd++
	}
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads:    []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "p", Exe: "p", Cwd: "/", VTID: 100, VPID: 100}},
		Interfaces: []event.Interface{{Name: "eth0", Addr: []byte{10, 0, 0, 5}, Netmask: []byte{255, 255, 255, 0}}}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "sockets.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"*", ""} {
		m := Mode{Group: "-p", Args: []string{"-p", f + "%evt.num %evt.type %evt.args | %fd.type %fd.typechar %fd.l4proto %fd.sockfamily %fd.name %fd.sip %fd.cport %fd.connected"}}
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
