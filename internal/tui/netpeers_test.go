// SPDX-License-Identifier: Apache-2.0

package tui_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// netTalker starts loopback TCP and UDP servers that count what they
// receive, and a bash child that keeps sending to both (bash's /dev/tcp and
// /dev/udp: the sends are the child's own). It returns the child and the
// servers' peers as the views show them.
func netTalker(t *testing.T) (cmd *exec.Cmd, tcpPeer, udpPeer string, got *atomic.Int64) {
	t.Helper()
	testutil.RequireTool(t, "bash")
	got = &atomic.Int64{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				n, _ := io.Copy(io.Discard, c)
				got.Add(n)
			}()
		}
	}()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			got.Add(int64(n))
		}
	}()
	tcpPeer, udpPeer = ln.Addr().String(), pc.LocalAddr().String()
	tp, up := ln.Addr().(*net.TCPAddr).Port, pc.LocalAddr().(*net.UDPAddr).Port
	script := fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d; exec 4>/dev/udp/127.0.0.1/%d; "+
		"while :; do printf '%%01000d' 0 >&3; printf '%%0500d' 0 >&4; sleep 0.05; done", tp, up)
	cmd = exec.Command("bash", "-c", script)
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, tcpPeer, udpPeer, got
}

// TestLiveNetPeers: as root, the netpeers view (flow records from the
// kernel's socket accounting of ferret net) shows a child's loopback TCP
// and UDP traffic to servers of the test, per peer: bytes out per second,
// no bytes in, totals that only grow; the netprocs view sums them for the
// process; -j gives the same rows as JSON.
func TestLiveNetPeers(t *testing.T) {
	testutil.RequireRoot(t)
	bin := testutil.FerretBinary(t)
	cmd, tcpPeer, udpPeer, got := netTalker(t)
	pid := fmt.Sprint(cmd.Process.Pid)

	run := func(args []string, done func(line string) bool) []string {
		sc := startTop(t, bin, 120*time.Second, append([]string{"-d", "500"}, args...)...)
		defer sc.stop()
		var seen []string
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if done(sc.Text()) {
				return seen
			}
		}
		t.Fatalf("%v: ended before the traffic showed; output:\n%s\nstderr: %s", args, strings.Join(seen[max(0, len(seen)-20):], "\n"), sc.stderr.String())
		return nil
	}

	// --raw netpeers: PID PROTO PEER NET/S IN/S OUT/S TOTAL-IN TOTAL-OUT Command
	total := map[string]string{}
	rounds := map[string]int{}
	run([]string{"--raw", "-v", "netpeers", "proc.pid=" + pid}, func(line string) bool {
		f := strings.Fields(line)
		if len(f) != 9 {
			return false
		}
		if f[0] != pid || f[8] != "bash" {
			t.Errorf("row of another process: %q", line)
			return false
		}
		want := map[string]string{"tcp": tcpPeer, "udp": udpPeer}[f[1]]
		if f[2] != want {
			t.Errorf("%s row with peer %s, want %s: %q", f[1], f[2], want, line)
		}
		if parseSize(t, f[4]) != 0 || parseSize(t, f[6]) != 0 {
			t.Errorf("bytes in for a peer that never sends back: %q", line)
		}
		// Totals count from ferret's first read of the counters: on a
		// loaded machine the child may not have run since, and its flows
		// show with nothing out yet. A rate needs a total, though.
		if parseSize(t, f[5]) > 0 {
			if parseSize(t, f[7]) == 0 {
				t.Errorf("bytes out per second but no total out: %q", line)
			}
			rounds[f[1]]++
		}
		if prev, ok := total[f[1]]; ok && parseSize(t, f[7]) < parseSize(t, prev) {
			t.Errorf("%s total went down from %s: %q", f[1], prev, line)
		}
		total[f[1]] = f[7]
		return rounds["tcp"] >= 3 && rounds["udp"] >= 3
	})
	if got.Load() == 0 {
		t.Error("the servers received nothing")
	}

	// netprocs: PID NET/S IN/S OUT/S TOTAL-IN TOTAL-OUT Command...
	run([]string{"--raw", "-v", "netprocs", "proc.pid=" + pid}, func(line string) bool {
		f := strings.Fields(line)
		return len(f) >= 7 && f[0] == pid && f[6] == "bash" && parseSize(t, f[3]) > 0 && parseSize(t, f[5]) > 0 && parseSize(t, f[2]) == 0
	})

	// -j: the same rows, with the raw numbers.
	run([]string{"-j", "-v", "netpeers", "proc.pid=" + pid}, func(line string) bool {
		var row struct {
			D []any `json:"d"`
		}
		line = strings.TrimSuffix(strings.TrimSpace(line), ",")
		if !strings.HasPrefix(line, "{\"d\"") || json.Unmarshal([]byte(line), &row) != nil || len(row.D) != 9 {
			return false
		}
		out, _ := row.D[7].(float64)
		return fmt.Sprint(row.D[0]) == pid && (row.D[2] == tcpPeer || row.D[2] == udpPeer) && out > 0
	})
}

// parseSize reads a --raw byte count (K, M, G suffixes of 1024).
func parseSize(t *testing.T, s string) float64 {
	t.Helper()
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1024, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	var v float64
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatalf("size %q: %v", s, err)
	}
	return v * mult
}

// TestLiveNetPeersScreen: as root, on the screen the netprocs view shows
// the child, Enter drills down to its peers (netpeers), Enter again to its
// process (the procs view for that pid), Backspace comes back; F2 picks
// the netpeers view from the list.
func TestLiveNetPeersScreen(t *testing.T) {
	testutil.RequireRoot(t)
	cmd, tcpPeer, udpPeer, _ := netTalker(t)
	pid := fmt.Sprint(cmd.Process.Pid)
	tm := startTerm(t, "-d", "500", "-v", "netprocs", "proc.pid="+pid)
	tm.waitText("Viewing: Net Processes", "OUT/S", "bash -c exec 3<>")
	tm.keys("Enter")
	tm.waitText("Viewing: Net Peers", "PEER", tcpPeer, udpPeer)
	tm.keys("Enter")
	tm.waitText("Viewing: Processes", "proc.pid="+pid, "bash -c exec 3<>")
	tm.keys("BSpace")
	tm.waitText("Viewing: Net Peers", tcpPeer)
	tm.keys("BSpace")
	tm.waitText("Viewing: Net Processes")
	// The list is sorted by name: Net Peers is just above Net Processes.
	tm.keys("F2")
	tm.waitText("Views", "Net Peers", "Net Processes")
	tm.keys("Up", "Enter")
	tm.waitText("Viewing: Net Peers", tcpPeer, udpPeer)
	tm.keys("q")
	tm.waitText("EXITED rc=0")
}
