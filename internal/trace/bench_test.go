// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"io"
	"testing"
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
