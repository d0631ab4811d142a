// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/netacct"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// inFoldModes runs a test with the socket iterator folding TCP counters and
// with calls folding their own, when the kernel allows iterators (else the
// second mode is the only one).
func inFoldModes(t *testing.T, test func(*testing.T, Options)) {
	if iteratorsAllowed() {
		t.Run("iterator", func(t *testing.T) { test(t, Options{}) })
	}
	t.Run("per-call", func(t *testing.T) { test(t, Options{PerCallFold: true}) })
}

func openProbe(t testing.TB) *Probe { return openProbeWith(t, Options{}) }

func openProbeWith(t testing.TB, opts Options) *Probe {
	t.Helper()
	testutil.RequireRoot(t)
	p, err := Open(opts)
	if err != nil {
		t.Fatalf("open probe: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	// The tests count UDP peers exactly: every hook must be attached.
	// Without iterators the counts stay exact (the per-call fold).
	for _, w := range p.Warnings() {
		if w != perCallFoldWarning {
			t.Fatalf("probe warning: %s", w)
		}
	}
	return p
}

// mine returns this process's flows, keyed by peer address and port.
func mine(t testing.TB, p *Probe) map[netip.AddrPort]netacct.Flow {
	t.Helper()
	return flowsOf(t, p, os.Getpid())
}

// flowsOf returns a process's flows, keyed by peer address and port.
func flowsOf(t testing.TB, p *Probe, pid int) map[netip.AddrPort]netacct.Flow {
	t.Helper()
	flows, err := p.Flows(nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[netip.AddrPort]netacct.Flow{}
	for _, f := range flows {
		if f.Key.PID != uint32(pid) {
			continue
		}
		ap := netip.AddrPortFrom(f.Key.Addr.Unmap(), f.Key.Port)
		g := out[ap]
		g.Key = f.Key
		g.Counters.Add(f.Counters)
		out[ap] = g
	}
	return out
}

func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	}
	panic(fmt.Sprintf("address type %T", a))
}

func unmapped(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// tcpExchange connects to ln, sends up bytes in chunks of chunk, and the
// server answers with down bytes; both sides then close.
func tcpExchange(t *testing.T, ln net.Listener, dial func() (net.Conn, error), up, down, chunk int) (client, server netip.AddrPort) {
	t.Helper()
	var wg sync.WaitGroup
	var serr error
	var got int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			serr = err
			return
		}
		defer c.Close()
		deadline(c)
		got, serr = io.CopyN(io.Discard, c, int64(up))
		if serr == nil {
			_, serr = c.Write(bytes.Repeat([]byte{'d'}, down))
		}
	}()
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	deadline(c)
	buf := bytes.Repeat([]byte{'u'}, chunk)
	for left := up; left > 0; left -= min(left, chunk) {
		if _, err := c.Write(buf[:min(left, chunk)]); err != nil {
			t.Fatal(err)
		}
	}
	n, err := io.CopyN(io.Discard, c, int64(down))
	if err != nil || int(n) != down {
		t.Fatalf("client read %d of %d: %v", n, down, err)
	}
	wg.Wait()
	if serr != nil || int(got) != up {
		t.Fatalf("server read %d of %d: %v", got, up, serr)
	}
	client, server = unmapped(addrPort(c.LocalAddr())), unmapped(addrPort(c.RemoteAddr()))
	c.Close()
	return client, server
}

func wantFlow(t *testing.T, flows map[netip.AddrPort]netacct.Flow, peer netip.AddrPort, proto netacct.Proto, want netacct.Counters) {
	t.Helper()
	f, ok := flows[peer]
	if !ok {
		t.Errorf("no flow for peer %v; have %v", peer, flows)
		return
	}
	if f.Key.Proto != proto {
		t.Errorf("peer %v: proto %v, want %v", peer, f.Key.Proto, proto)
	}
	if f.Counters != want {
		t.Errorf("peer %v: counters %+v, want %+v", peer, f.Counters, want)
	}
}

// TestTCPExactBytes checks that socket-layer counts equal what was sent over
// loopback, for IPv4 and IPv6, and agree with TCP's own counters.
func TestTCPExactBytes(t *testing.T) { inFoldModes(t, testTCPExactBytes) }

func testTCPExactBytes(t *testing.T, opts Options) {
	p := openProbeWith(t, opts)
	for _, tc := range []struct {
		network, addr   string
		up, down, chunk int
	}{
		{"tcp4", "127.0.0.1:0", 1_000_003, 77_777, 16384},
		{"tcp6", "[::1]:0", 300_001, 12_345, 1000},
	} {
		t.Run(tc.network, func(t *testing.T) {
			ln, err := net.Listen(tc.network, tc.addr)
			if err != nil {
				t.Skipf("listen %s: %v", tc.addr, err)
			}
			defer ln.Close()
			client, server := tcpExchange(t, ln, func() (net.Conn, error) { return net.Dial(tc.network, ln.Addr().String()) }, tc.up, tc.down, tc.chunk)
			flows := mine(t, p)
			cf, sf := flows[server], flows[client]
			if cf.TxBytes != uint64(tc.up) || cf.RxBytes != uint64(tc.down) || cf.Conns != 1 {
				t.Errorf("client side %+v: want tx %d rx %d conns 1", cf.Counters, tc.up, tc.down)
			}
			if sf.TxBytes != uint64(tc.down) || sf.RxBytes != uint64(tc.up) || sf.Conns != 1 {
				t.Errorf("server side %+v: want tx %d rx %d conns 1", sf.Counters, tc.down, tc.up)
			}
			if cf.TxCalls*uint64(tc.chunk) < uint64(tc.up) {
				t.Errorf("client tx calls %d too few for %d bytes in chunks of %d", cf.TxCalls, tc.up, tc.chunk)
			}
			checkTCPLayer(t, p, server, uint64(tc.up), uint64(tc.down))
		})
	}
}

// checkTCPLayer compares TCP's own counters of the closed client
// connection with the socket-layer (syscall-level) counts.
func checkTCPLayer(t *testing.T, p *Probe, server netip.AddrPort, sent, received uint64) {
	t.Helper()
	closed, err := p.TCPClosed()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range closed {
		if c.Key.PID == uint32(os.Getpid()) && netip.AddrPortFrom(c.Key.Addr.Unmap(), c.Key.Port) == server {
			if c.Sent != sent || c.Received != received {
				t.Errorf("tcp layer for %v: sent %d received %d acked %d; socket layer: sent %d received %d", server, c.Sent, c.Received, c.Acked, sent, received)
			}
			return
		}
	}
	t.Errorf("no closed TCP connection recorded for %v", server)
}

// TestUDPExactBytes covers connected and unconnected datagram sockets: the
// peers of unconnected ones come from the cgroup sendmsg/recvmsg hooks.
func TestUDPExactBytes(t *testing.T) {
	p := openProbe(t)
	for _, network := range []string{"udp4", "udp6"} {
		t.Run(network, func(t *testing.T) { udpExchange(t, p, network) })
	}
}

func udpExchange(t *testing.T, p *Probe, network string) {
	host := "127.0.0.1"
	if network == "udp6" {
		host = "::1"
	}
	srv, err := net.ListenUDP(network, &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Skipf("listen: %v", err)
	}
	defer srv.Close()
	// connected client
	cc, err := net.DialUDP(network, nil, srv.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	// unconnected client
	uc, err := net.ListenUDP(network, &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	deadline(srv, cc, uc)
	before := mine(t, p)[netip.AddrPort{}]
	const n, size = 50, 1200
	buf := make([]byte, 65536)
	for i := 0; i < n; i++ {
		if _, err := cc.Write(buf[:size]); err != nil {
			t.Fatal(err)
		}
		if _, err := uc.WriteToUDP(buf[:size+1], srv.LocalAddr().(*net.UDPAddr)); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 2; j++ {
			m, from, err := srv.ReadFromUDP(buf)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.WriteToUDP(buf[:m/2], from); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := cc.Read(buf); err != nil {
			t.Fatal(err)
		}
		if _, _, err := uc.ReadFromUDP(buf); err != nil {
			t.Fatal(err)
		}
	}
	flows := mine(t, p)
	sAddr := unmapped(srv.LocalAddr().(*net.UDPAddr).AddrPort())
	ccAddr := unmapped(cc.LocalAddr().(*net.UDPAddr).AddrPort())
	ucAddr := unmapped(uc.LocalAddr().(*net.UDPAddr).AddrPort())
	toServer := netacct.Counters{TxBytes: n * (size + size + 1), RxBytes: n*(size/2) + n*((size+1)/2), TxCalls: 2 * n, RxCalls: 2 * n, Conns: 1}
	toCC := netacct.Counters{TxBytes: n * size / 2, TxCalls: n, RxBytes: n * size, RxCalls: n}
	toUC := netacct.Counters{TxBytes: n * ((size + 1) / 2), TxCalls: n, RxBytes: n * (size + 1), RxCalls: n}
	unknown := netacct.Counters{}
	wantFlow(t, flows, sAddr, netacct.UDP, toServer)
	wantFlow(t, flows, ccAddr, netacct.UDP, toCC)
	wantFlow(t, flows, ucAddr, netacct.UDP, toUC)
	u := flows[netip.AddrPort{}]
	if got := (netacct.Counters{RxBytes: u.RxBytes - before.RxBytes, RxCalls: u.RxCalls - before.RxCalls}); got != unknown {
		t.Errorf("unknown peer: %+v, want %+v", got, unknown)
	}
}

// TestKernelCopiesCounted checks that bytes the kernel moves without a
// plain write are counted: sendfile from a file, splice from a pipe, and
// MSG_ZEROCOPY sends.
func TestKernelCopiesCounted(t *testing.T) { inFoldModes(t, testKernelCopiesCounted) }

func testKernelCopiesCounted(t *testing.T, opts Options) {
	p := openProbeWith(t, opts)
	const size = 3<<20 + 5
	payload := bytes.Repeat([]byte{'f'}, size)
	path := filepath.Join(t.TempDir(), "payload")
	if err := os.WriteFile(path, payload, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		send       func(t *testing.T, c *net.TCPConn)
		recvSplice bool
	}{
		{"write/splice-read", func(t *testing.T, c *net.TCPConn) {
			if _, err := c.Write(payload); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"sendfile", func(t *testing.T, c *net.TCPConn) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc, _ := c.SyscallConn()
			off := int64(0)
			for off < size {
				var n int
				var serr error
				sc.Write(func(fd uintptr) bool {
					n, serr = unix.Sendfile(int(fd), int(f.Fd()), &off, size-int(off))
					return serr != unix.EAGAIN
				})
				if serr != nil || n == 0 {
					t.Fatalf("sendfile: %d, %v", n, serr)
				}
			}
		}, false},
		{"splice", func(t *testing.T, c *net.TCPConn) {
			var pfd [2]int
			if err := unix.Pipe2(pfd[:], 0); err != nil {
				t.Fatal(err)
			}
			defer unix.Close(pfd[0])
			defer unix.Close(pfd[1])
			sc, _ := c.SyscallConn()
			for left := size; left > 0; {
				w, err := unix.Write(pfd[1], payload[:min(left, 32768)])
				if err != nil {
					t.Fatal(err)
				}
				for w > 0 {
					var n int64
					var serr error
					sc.Write(func(fd uintptr) bool {
						n, serr = unix.Splice(pfd[0], nil, int(fd), nil, w, 0)
						return serr != unix.EAGAIN
					})
					if serr != nil {
						t.Fatalf("splice: %v", serr)
					}
					w -= int(n)
					left -= int(n)
				}
			}
		}, false},
		{"zerocopy", func(t *testing.T, c *net.TCPConn) {
			sc, _ := c.SyscallConn()
			var serr error
			sc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ZEROCOPY, 1) })
			if serr != nil {
				t.Skipf("SO_ZEROCOPY: %v", serr)
			}
			for left := size; left > 0; {
				var n int
				sc.Write(func(fd uintptr) bool {
					n, serr = unix.SendmsgN(int(fd), payload[size-left:size-left+min(left, 65536)], nil, nil, unix.MSG_ZEROCOPY)
					return serr != unix.EAGAIN && serr != unix.ENOBUFS
				})
				if serr != nil {
					t.Fatalf("sendmsg MSG_ZEROCOPY: %v", serr)
				}
				left -= n
			}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			done := make(chan int64, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					done <- -1
					return
				}
				deadline(c)
				var n int64
				if tc.recvSplice {
					n = spliceAll(t, c.(*net.TCPConn))
				} else {
					n, _ = io.Copy(io.Discard, c)
				}
				c.Close()
				done <- n
			}()
			c, err := net.Dial("tcp4", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			deadline(c)
			tc.send(t, c.(*net.TCPConn))
			c.Close()
			if n := <-done; n != size {
				t.Fatalf("server got %d of %d", n, size)
			}
			flows := mine(t, p)
			if cf := flows[unmapped(addrPort(c.RemoteAddr()))]; cf.TxBytes != size {
				t.Errorf("%s: counted tx %d, sent %d", tc.name, cf.TxBytes, size)
			}
			// The server read to the end, FIN included.
			if sf := flows[unmapped(addrPort(c.LocalAddr()))]; sf.RxBytes != size {
				t.Errorf("%s: counted rx %d, received %d", tc.name, sf.RxBytes, size)
			}
		})
	}
}

// spliceAll reads c to its end through a pipe with splice(2).
func spliceAll(t *testing.T, c *net.TCPConn) int64 {
	var pfd [2]int
	if err := unix.Pipe2(pfd[:], 0); err != nil {
		t.Error(err)
		return -1
	}
	defer unix.Close(pfd[0])
	defer unix.Close(pfd[1])
	sc, _ := c.SyscallConn()
	buf := make([]byte, 65536)
	var total int64
	for {
		var n int64
		var err error
		sc.Read(func(fd uintptr) bool {
			n, err = unix.Splice(int(fd), nil, pfd[1], nil, len(buf), 0)
			return err != unix.EAGAIN
		})
		if err != nil || n == 0 {
			return total
		}
		total += n
		for left := int(n); left > 0; {
			m, err := unix.Read(pfd[0], buf[:left])
			if err != nil {
				return -1
			}
			left -= m
		}
	}
}

// netns runs cmd and fails the test on error.
func sh(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

// TestNetnsExactBytes sends traffic between two network namespaces joined by
// a veth pair (the test's own namespace and a new one), over IPv4 and IPv6.
func TestNetnsExactBytes(t *testing.T) {
	p := openProbe(t)
	if _, err := exec.LookPath("ip"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ip(8) missing")
		}
		t.Skip("ip(8) missing")
	}
	ns := fmt.Sprintf("ferret-na-%d", os.Getpid())
	vh, vp := fmt.Sprintf("fna%dh", os.Getpid()%100000), fmt.Sprintf("fna%dp", os.Getpid()%100000)
	// The test's side of the pair also lives in its own namespace so the
	// host's interfaces are never touched.
	hostNS := ns + "-a"
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	sh(t, "ip", "netns", "add", hostNS)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", hostNS).Run() })
	sh(t, "ip", "link", "add", vh, "netns", hostNS, "type", "veth", "peer", "name", vp, "netns", ns)
	for _, c := range [][]string{
		{"ip", "-n", hostNS, "addr", "add", "10.201.7.1/24", "dev", vh},
		{"ip", "-n", hostNS, "addr", "add", "fd00:f7::1/64", "dev", vh, "nodad"},
		{"ip", "-n", hostNS, "link", "set", vh, "up"},
		{"ip", "-n", hostNS, "link", "set", "lo", "up"},
		{"ip", "-n", ns, "addr", "add", "10.201.7.2/24", "dev", vp},
		{"ip", "-n", ns, "addr", "add", "fd00:f7::2/64", "dev", vp, "nodad"},
		{"ip", "-n", ns, "link", "set", vp, "up"},
		{"ip", "-n", ns, "link", "set", "lo", "up"},
	} {
		sh(t, c...)
	}
	for _, tc := range []struct {
		network, srv, up, down string
	}{
		{"tcp4", "10.201.7.2:0", "", ""},
		{"tcp6", "[fd00:f7::2]:0", "", ""},
	} {
		t.Run(tc.network, func(t *testing.T) {
			var ln net.Listener
			inNS(t, ns, func() (err error) { ln, err = net.Listen(tc.network, tc.srv); return })
			defer ln.Close()
			dial := func() (c net.Conn, err error) {
				inNS(t, hostNS, func() error { c, err = net.Dial(tc.network, ln.Addr().String()); return nil })
				return
			}
			const up, down = 2_000_017, 99_991
			client, server := tcpExchange(t, ln, dial, up, down, 32768)
			flows := mine(t, p)
			wantFlow(t, flows, server, netacct.TCP, netacct.Counters{TxBytes: up, RxBytes: down, TxCalls: flows[server].TxCalls, RxCalls: flows[server].RxCalls, Conns: 1})
			wantFlow(t, flows, client, netacct.TCP, netacct.Counters{TxBytes: down, RxBytes: up, TxCalls: flows[client].TxCalls, RxCalls: flows[client].RxCalls, Conns: 1})
			checkTCPLayer(t, p, server, up, down)
		})
	}
	t.Run("udp4", func(t *testing.T) {
		var srv *net.UDPConn
		inNS(t, ns, func() (err error) {
			srv, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(10, 201, 7, 2)})
			return
		})
		defer srv.Close()
		var c *net.UDPConn
		inNS(t, hostNS, func() (err error) { c, err = net.DialUDP("udp4", nil, srv.LocalAddr().(*net.UDPAddr)); return })
		defer c.Close()
		deadline(srv, c)
		before := mine(t, p)[netip.AddrPort{}]
		const n, size = 40, 1000
		buf := make([]byte, 2048)
		for i := 0; i < n; i++ {
			if _, err := c.Write(buf[:size]); err != nil {
				t.Fatal(err)
			}
			m, from, err := srv.ReadFromUDP(buf)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.WriteToUDP(buf[:m/2], from); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Read(buf); err != nil {
				t.Fatal(err)
			}
		}
		flows := mine(t, p)
		server := unmapped(srv.LocalAddr().(*net.UDPAddr).AddrPort())
		client := unmapped(c.LocalAddr().(*net.UDPAddr).AddrPort())
		wantFlow(t, flows, server, netacct.UDP, netacct.Counters{TxBytes: n * size, RxBytes: n * size / 2, TxCalls: n, RxCalls: n, Conns: 1})
		// The server's unconnected socket names its peer in each call.
		wantFlow(t, flows, client, netacct.UDP, netacct.Counters{TxBytes: n * size / 2, TxCalls: n, RxBytes: n * size, RxCalls: n})
		if u := flows[netip.AddrPort{}]; u.RxBytes != before.RxBytes {
			t.Errorf("reads under unknown peer: %d bytes, want none", u.RxBytes-before.RxBytes)
		}
	})
}

// deadline bounds every blocking call of a test exchange.
func deadline(conns ...net.Conn) {
	for _, c := range conns {
		c.SetDeadline(time.Now().Add(20 * time.Second))
	}
}

// inNS runs fn on a thread switched into the named network namespace;
// sockets it creates stay in that namespace.
func inNS(t *testing.T, name string, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is left locked so the runtime discards it afterwards.
		f, err := os.Open("/var/run/netns/" + name)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", name, err)
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestMapFullCounted fills a tiny flow map: calls that find no room are
// counted as drops and pressure reaches 1.
func TestMapFullCounted(t *testing.T) {
	p := openProbeWith(t, Options{MaxFlows: 4})
	const peers = 12
	for i := 0; i < peers; i++ {
		srv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.DialUDP("udp4", nil, srv.LocalAddr().(*net.UDPAddr))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		c.Close()
		srv.Close()
	}
	if _, err := p.Flows(nil); err != nil {
		t.Fatal(err)
	}
	st, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 4 || st.MaxEntries != 4 || st.Pressure() != 1 {
		t.Errorf("entries %d/%d pressure %v", st.Entries, st.MaxEntries, st.Pressure())
	}
	if st.FlowMapFull < peers-4 || st.Drops() != st.FlowMapFull {
		t.Errorf("flow map full %d, want at least %d", st.FlowMapFull, peers-4)
	}
}

// TestDeleteReturnsFinalValues checks that deleting an entry hands back
// what was counted after the last read.
func TestDeleteReturnsFinalValues(t *testing.T) {
	p := openProbe(t)
	srv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := net.DialUDP("udp4", nil, srv.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(make([]byte, 100))
	peer := unmapped(srv.LocalAddr().(*net.UDPAddr).AddrPort())
	first := mine(t, p)[peer] // also records the raw keys for Delete
	c.Write(make([]byte, 23))
	final, err := p.Delete([]netacct.FlowKey{first.Key})
	if err != nil {
		t.Fatal(err)
	}
	if len(final) != 1 || final[0].TxBytes != first.TxBytes+23 || final[0].TxCalls != first.TxCalls+1 {
		t.Errorf("final %+v after first read %+v", final, first.Counters)
	}
	if _, ok := mine(t, p)[peer]; ok {
		t.Errorf("entry still present after delete")
	}
}
