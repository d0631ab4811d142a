// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// BenchmarkLatencyCost measures what timing the send and receive calls
// adds to accounting, on the UDP request/response workload (its server
// uses recvfrom and sendto, which are timed; the client's read and write
// are not): rounds rotate untraced, accounting only and accounting with
// call timing, and the median throughput loss of each is reported. Run
// with -benchtime=1x.
func BenchmarkLatencyCost(b *testing.B) {
	testutil.RequireRoot(b)
	const rounds = 15
	const n = 10000
	run := func() time.Duration { return udpRequestResponse(b, n, [2]int{1, 1}) }
	run()
	variants := []string{"untraced", "accounting", "latency"}
	loss := map[string][]float64{}
	var untraced []time.Duration
	for r := 0; r < rounds; r++ {
		got := map[string]time.Duration{}
		for i := range variants {
			v := variants[(i+r)%len(variants)]
			switch v {
			case "untraced":
				got[v] = run()
			default:
				p, err := Open(Options{Latency: v == "latency"})
				if err != nil {
					b.Fatal(err)
				}
				got[v] = run()
				p.Close()
			}
		}
		untraced = append(untraced, got["untraced"])
		for _, v := range variants[1:] {
			loss[v] = append(loss[v], 100*(1-float64(got["untraced"])/float64(got[v])))
		}
	}
	// The timing programs' own run time, with BPF statistics on.
	if st, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME); err == nil {
		p, err := Open(Options{Latency: true})
		if err != nil {
			b.Fatal(err)
		}
		run()
		var ns, runs uint64
		o := &p.objs
		for _, prog := range []*ebpf.Program{o.LatEnterSendto, o.LatExitSendto, o.LatEnterRecvfrom, o.LatExitRecvfrom} {
			if ps, err := prog.Stats(); err == nil {
				ns += uint64(ps.Runtime)
				runs += ps.RunCount
			}
		}
		p.Close()
		st.Close()
		if runs > 0 {
			b.ReportMetric(float64(ns)/float64(runs), "timing-ns/run")
			b.ReportMetric(float64(runs)/n, "timing-runs/rr")
		}
	}
	b.ReportMetric(float64(median(untraced).Nanoseconds())/1e3/n, "µs/rr-untraced")
	b.ReportMetric(quantile(loss["accounting"], 0.5), "%loss-accounting")
	b.ReportMetric(quantile(loss["latency"], 0.5), "%loss-with-latency")
	b.ReportMetric(quantile(loss["latency"], 0.25), "%loss-with-latency-q1")
	b.ReportMetric(quantile(loss["latency"], 0.75), "%loss-with-latency-q3")
}
