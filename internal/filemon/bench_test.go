// SPDX-License-Identifier: Apache-2.0

package filemon

import "testing"

// BenchmarkMonitor measures the cost per event of following a process tree
// that forks workers, each opening files under and outside the watched
// prefix, reading and writing them in small calls and closing them.
func BenchmarkMonitor(b *testing.B) {
	g := newGen()
	const workers = 8
	for w := int64(0); w < workers; w++ {
		child := 1000 + w
		g.fork(100, child)
		for f := int64(0); f < 16; f++ {
			dir := "/work/"
			if f%4 == 3 {
				dir = "/etc/"
			}
			g.openat(child, -100, dir+"f", oRDONLY, 3+f%3)
			for i := 0; i < 12; i++ {
				g.rw("read", child, 3+f%3, 64)
				g.rw("write", child, 3+f%3, 16)
			}
			g.close(child, 3+f%3)
		}
		g.exit(child)
	}
	evs := g.Events()
	procs := map[int64]procInfo{100: {PID: 100, PPID: 1, Comm: "sh", Exe: "/bin/sh", Cwd: "/work"}}
	var n int
	b.ReportAllocs()
	for b.Loop() {
		m := New(Options{Prefixes: []string{"/work"}, PIDs: []int64{100},
			Lookup: lookupIn(procs)},
			func(r *Record) { n++ })
		for _, e := range evs {
			m.Handle(e)
		}
		m.Flush(g.TS)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
}
