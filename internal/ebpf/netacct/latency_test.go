// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/hist"
	"github.com/ferret-observability/ferret/internal/netacct"
	"github.com/ferret-observability/ferret/internal/testutil"
)

func latencies(t *testing.T, p *Probe) map[netacct.LatencyKey]hist.Hist {
	t.Helper()
	m := map[netacct.LatencyKey]hist.Hist{}
	for k, l := range latencyMap(t, p) {
		m[k] = l.Hist
	}
	return m
}

func latencyMap(t *testing.T, p *Probe) map[netacct.LatencyKey]netacct.Latency {
	t.Helper()
	l, err := p.Latencies()
	if err != nil {
		t.Fatal(err)
	}
	m := map[netacct.LatencyKey]netacct.Latency{}
	for _, x := range l {
		if _, dup := m[x.LatencyKey]; dup {
			t.Fatalf("%v twice", x.LatencyKey)
		}
		m[x.LatencyKey] = x
	}
	return m
}

// uniqueProcessName names this process (its leader thread, whose name
// the kernel programs read) after its pid for the rest of the test.
func uniqueProcessName(t *testing.T) string {
	t.Helper()
	path := fmt.Sprintf("/proc/%d/comm", os.Getpid())
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("flat%d", os.Getpid())
	if err := os.WriteFile(path, []byte(name), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(path, []byte(strings.TrimSpace(string(old))), 0) })
	return name
}

// nativeTotal counts the calls in the native buckets.
func nativeTotal(l netacct.Latency) uint64 {
	n := l.NativeZero
	for _, v := range l.Native {
		n += v
	}
	return n
}

// TestCallLatencyCounts makes an exact number of sendto and recvfrom calls
// and finds exactly them in the program's kernel histograms.
func TestCallLatencyCounts(t *testing.T) {
	p := openProbeWith(t, Options{Latency: true})
	// Programs are keyed by the process's name; a name of its own keeps
	// another run of this test binary on the machine out of the counts.
	prog := uniqueProcessName(t)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	self, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	before := latencyMap(t, p)
	const n = 500
	buf := make([]byte, 16)
	for i := 0; i < n; i++ {
		if err := unix.Sendto(fd, []byte("ping"), 0, self); err != nil {
			t.Fatal(err)
		}
		if _, _, err := unix.Recvfrom(fd, buf, 0); err != nil {
			t.Fatal(err)
		}
	}
	after := latencyMap(t, p)
	for _, op := range []string{"send", "recv"} {
		k := netacct.LatencyKey{Program: prog, Op: op}
		if d := nativeTotal(after[k]) - nativeTotal(before[k]); d != n {
			t.Errorf("%s: %d calls in the native buckets, made %d", op, d, n)
		}
		a, b := after[k].Hist, before[k].Hist
		if d := a.Count - b.Count; d != n {
			t.Errorf("%s: %d calls timed, made %d", op, d, n)
		}
		var inBuckets uint64
		for i := range a.Counts {
			inBuckets += a.Counts[i] - b.Counts[i]
		}
		if inBuckets != n || a.Counts[0] != b.Counts[0] || a.Sum <= b.Sum {
			t.Errorf("%s: %d in buckets, %d at 0 ns, sum %g -> %g", op, inBuckets, a.Counts[0]-b.Counts[0], b.Sum, a.Sum)
		}
	}
}

// TestCallLatencyExitedProcess checks that the histograms of a process
// that exited are kept after its kernel entries are removed.
func TestCallLatencyExitedProcess(t *testing.T) {
	testutil.RequireTool(t, "python3")
	p := openProbeWith(t, Options{Latency: true})
	script := `
import ctypes, socket
ctypes.CDLL(None).prctl(15, b"ferretlatkid", 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
for i in range(300):
    s.sendto(b"x", s.getsockname())
    s.recvfrom(8)
`
	if out, err := exec.Command("python3", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	for round := 0; round < 2; round++ {
		m := latencies(t, p)
		for _, op := range []string{"send", "recv"} {
			if c := m[netacct.LatencyKey{Program: "ferretlatkid", Op: op}].Count; c != 300 {
				t.Errorf("round %d %s: %d calls, want 300", round, op, c)
			}
		}
	}
	var k NetacctLatKey
	var v []NetacctLatVal
	it := p.objs.Lats.Iterate()
	for it.Next(&k, &v) {
		if commString(k.Comm) == "ferretlatkid" {
			t.Errorf("kernel entry of the exited process %d still there", k.Tgid)
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestLatencyOff checks that without Latency nothing is timed.
func TestLatencyOff(t *testing.T) {
	p := openProbe(t)
	if l, err := p.Latencies(); err != nil || l != nil {
		t.Fatalf("Latencies without Latency: %v, %v", l, err)
	}
}
