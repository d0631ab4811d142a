// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// BenchmarkHandle measures the user-space cost of one traced syscall (an
// enter/exit pair) when printing lines and when counting.
func BenchmarkHandle(b *testing.B) {
	g := newGen()
	execve(g, 1, "/bin/x", "x")
	openat(g, 1, "/etc/hostname", oRDONLY|oCLOEXEC, 3)
	read(g, 1, 3, "hostname\n", 4096)
	closeFD(g, 1, 3)
	g.raw("mmap", 1, [6]uint64{0, 8192, 3, 0x22, ^uint64(0), 0}, 0x7f0000000000, nil, nil)
	pairs := g.Events()[2:]
	for _, mode := range []struct {
		name string
		opts Options
	}{{"lines", Options{Out: io.Discard, Follow: true, Durations: true, Time: TimeUsec}}, {"count", Options{Out: io.Discard, Summary: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			tr := New(mode.opts)
			tr.Hold(1)
			tr.Handle(g.Events()[0])
			tr.Handle(g.Events()[1])
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, e := range pairs {
					tr.Handle(e)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pairs)/2), "ns/syscall")
		})
	}
}

// BenchmarkStartup runs `ferret trace -q -o /dev/null -- true` (also with
// -f and -c) and strace on the same command side by side, one after the other in each round: the
// whole run, start-up included (loading and verifying the probe). It also
// reports the CPU time the tracer used per run (user+system, the kernel's
// verification of the programs included), which a busy machine inflates
// less than the wall clock.
func BenchmarkStartup(b *testing.B) {
	bin := ferretBin(b)
	testutil.RequireTool(b, "strace")
	for _, tc := range []struct {
		name string
		argv []string
	}{
		{"ferret", []string{bin, "trace", "-q", "-o", "/dev/null", "--", "true"}},
		{"ferret-f", []string{bin, "trace", "-f", "-q", "-o", "/dev/null", "--", "true"}},
		// -c shows no signals: the signal programs are not loaded
		{"ferret-c", []string{bin, "trace", "-c", "-q", "-o", "/dev/null", "--", "true"}},
		{"strace", []string{"strace", "-o", "/dev/null", "--", "true"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(tc.argv[0], tc.argv[1:]...)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v %s", tc.argv, err, out)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/1e6, "cpu-ms/run")
		})
	}
}
