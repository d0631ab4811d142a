// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"io"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// loopbackPair returns both ends of a TCP connection over 127.0.0.1.
func loopbackPair(tb testing.TB) (client, server net.Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	acc := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		acc <- c
	}()
	client, err = net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	server = <-acc
	if server == nil {
		tb.Fatal("accept failed")
	}
	return client, server
}

// stream sends total bytes in 64 KiB writes and returns the elapsed time.
func stream(tb testing.TB, total int) time.Duration {
	c, s := loopbackPair(tb)
	defer c.Close()
	defer s.Close()
	done := make(chan struct{})
	go func() {
		io.CopyN(io.Discard, s, int64(total))
		close(done)
	}()
	buf := make([]byte, 64<<10)
	start := time.Now()
	for left := total; left > 0; left -= len(buf) {
		if _, err := c.Write(buf[:min(left, len(buf))]); err != nil {
			tb.Fatal(err)
		}
	}
	<-done
	return time.Since(start)
}

// requestResponse does n one-byte request/response exchanges and returns
// the elapsed time.
func requestResponse(tb testing.TB, n int) time.Duration {
	c, s := loopbackPair(tb)
	defer c.Close()
	defer s.Close()
	go func() {
		b := make([]byte, 1)
		for {
			if _, err := s.Read(b); err != nil {
				return
			}
			if _, err := s.Write(b); err != nil {
				return
			}
		}
	}()
	b := make([]byte, 1)
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := c.Write(b); err != nil {
			tb.Fatal(err)
		}
		if _, err := io.ReadFull(c, b); err != nil {
			tb.Fatal(err)
		}
	}
	return time.Since(start)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkAccountingCost measures loopback TCP throughput (stream) and
// request/response latency untraced and with the accounting programs
// attached, in paired rounds (alternating which side runs first) so drift
// on a shared machine hits both sides alike. Run with -benchtime=1x; it
// reports the medians and the median of the per-round relative loss.
func BenchmarkAccountingCost(b *testing.B) {
	testutil.RequireRoot(b)
	const rounds = 11
	const streamBytes = 128 << 20
	const rrCount = 10000
	for _, w := range []struct {
		name string
		run  func(testing.TB) time.Duration
	}{
		{"stream", func(tb testing.TB) time.Duration { return stream(tb, streamBytes) }},
		{"rr", func(tb testing.TB) time.Duration { return requestResponse(tb, rrCount) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			w.run(b) // warm up
			var off, on, ratio []time.Duration
			var bpfNS, bpfRuns uint64
			for r := 0; r < rounds; r++ {
				// alternate which side goes first
				var a, c time.Duration
				p, err := Open(Options{})
				if err != nil {
					b.Fatal(err)
				}
				if r%2 == 0 {
					p.Close()
					a = w.run(b)
					if p, err = Open(Options{}); err != nil {
						b.Fatal(err)
					}
					c = w.run(b)
				} else {
					c = w.run(b)
				}
				p.Close()
				if r%2 == 1 {
					a = w.run(b)
				}
				off, on = append(off, a), append(on, c)
				// per-round relative loss in parts per million
				ratio = append(ratio, time.Duration(1e6*(float64(c)-float64(a))/float64(c)))
			}
			// One more traced run counts the programs' own run time
			// (statistics cost a little, so not during the paired
			// rounds); unlike wall-clock time it hardly depends on
			// what else the machine is doing.
			if st, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME); err == nil {
				p, err := Open(Options{})
				if err != nil {
					b.Fatal(err)
				}
				w.run(b)
				bpfNS, bpfRuns = p.runtime()
				p.Close()
				st.Close()
			} else {
				b.Logf("no BPF run-time statistics: %v", err)
			}
			mOff, mOn := median(off), median(on)
			loss := float64(median(ratio)) / 1e4
			if w.name == "stream" {
				b.ReportMetric(float64(streamBytes)/mOff.Seconds()/1e6, "MB/s-untraced")
				b.ReportMetric(float64(streamBytes)/mOn.Seconds()/1e6, "MB/s-traced")
			} else {
				b.ReportMetric(float64(mOff.Nanoseconds())/rrCount, "ns/rr-untraced")
				b.ReportMetric(float64(mOn.Nanoseconds())/rrCount, "ns/rr-traced")
			}
			b.ReportMetric(loss, "%loss")
			if bpfRuns > 0 {
				b.ReportMetric(float64(bpfNS)/float64(bpfRuns), "bpf-ns/run")
				// in-kernel time as a share of the untraced workload
				b.ReportMetric(100*float64(bpfNS)/float64(mOff), "%bpf-of-untraced")
				if w.name == "stream" {
					b.ReportMetric(float64(bpfNS)/float64(streamBytes>>20), "bpf-ns/MiB")
				} else {
					b.ReportMetric(float64(bpfNS)/rrCount, "bpf-ns/rr")
				}
			}
		})
	}
}

// runtime sums the run time and run count of the attached programs (when
// BPF statistics are enabled).
func (p *Probe) runtime() (ns, runs uint64) {
	for _, prog := range []*ebpf.Program{p.objs.OnSend, p.objs.OnRecv, p.objs.OnState, p.objs.OnDevQueue, p.objs.OnCopy, p.objs.OnSpaceAdjust} {
		st, err := prog.Stats()
		if err != nil {
			continue
		}
		ns += uint64(st.Runtime)
		runs += st.RunCount
	}
	return ns, runs
}
