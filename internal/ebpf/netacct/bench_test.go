// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// tcpPair returns both ends of a TCP connection over 127.0.0.1 as blocking
// file descriptors, so the workloads below are plain read and write calls,
// without the Go runtime's poller in between.
func tcpPair(tb testing.TB) (client, server int) {
	tb.Helper()
	must := fatalIf(tb)
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	must(err)
	defer unix.Close(ln)
	must(unix.Bind(ln, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	must(unix.Listen(ln, 1))
	sa, err := unix.Getsockname(ln)
	must(err)
	client, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	must(err)
	must(unix.Connect(client, sa))
	server, _, err = unix.Accept4(ln, unix.SOCK_CLOEXEC)
	must(err)
	for _, fd := range []int{client, server} {
		must(unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1))
	}
	return client, server
}

// pinned runs fn on its own OS thread bound to cpu (when the machine has
// it), so that each side of a workload stays on one CPU from run to run.
func pinned(cpu int, fn func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if cpu >= 0 && cpu < runtime.NumCPU() {
			var set unix.CPUSet
			set.Set(cpu)
			unix.SchedSetaffinity(0, &set)
		}
		fn()
	}()
	return done
}

// stream sends total bytes in 64 KiB writes from a writer on cpu[0] to a
// reader on cpu[1] and returns the elapsed time.
func stream(tb testing.TB, total int, cpu [2]int) time.Duration {
	c, s := tcpPair(tb)
	defer unix.Close(c)
	defer unix.Close(s)
	var start time.Time
	read := pinned(cpu[1], func() {
		buf := make([]byte, 64<<10)
		for left := total; left > 0; {
			n, err := unix.Read(s, buf)
			if err != nil || n == 0 {
				return
			}
			left -= n
		}
	})
	var werr error
	<-pinned(cpu[0], func() {
		buf := make([]byte, 64<<10)
		start = time.Now()
		for left := total; left > 0; {
			n, err := unix.Write(c, buf[:min(left, len(buf))])
			if err != nil {
				werr = err
				return
			}
			left -= n
		}
	})
	if werr != nil {
		tb.Fatal(werr)
	}
	<-read
	return time.Since(start)
}

// requestResponse does n one-byte request/response exchanges between a
// client on cpu[0] and a server on cpu[1] and returns the elapsed time.
func requestResponse(tb testing.TB, n int, cpu [2]int) time.Duration {
	c, s := tcpPair(tb)
	defer unix.Close(c)
	defer unix.Close(s)
	served := pinned(cpu[1], func() {
		b := make([]byte, 1)
		for {
			if m, err := unix.Read(s, b); err != nil || m == 0 {
				return
			}
			if _, err := unix.Write(s, b); err != nil {
				return
			}
		}
	})
	d, err := pingPong(c, n, cpu[0])
	if err != nil {
		tb.Fatal(err)
	}
	unix.Shutdown(c, unix.SHUT_WR)
	<-served
	return d
}

// floorProbe attaches programs that do nothing to the two tracepoints the
// accounting runs on: what any per-call accounting costs on this kernel,
// before doing any work.
func floorProbe(tb testing.TB) (detach func()) {
	var links []link.Link
	detach = func() {
		for _, l := range links {
			l.Close()
		}
	}
	for _, tp := range []string{"sock_send_length", "sock_recv_length"} {
		prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Type: ebpf.Tracing, AttachType: ebpf.AttachTraceRawTp, AttachTo: tp, License: "GPL",
			Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
		})
		if err != nil {
			detach()
			tb.Fatalf("empty program on %s: %v", tp, err)
		}
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		prog.Close()
		if err != nil {
			detach()
			tb.Fatalf("attach empty program to %s: %v", tp, err)
		}
		links = append(links, l)
	}
	return detach
}

func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

// costRow is one workload's result, for bench/RESULTS.md.
type costRow struct {
	name, unit          string
	untraced            float64 // per op, in unit
	floor, loss         float64 // median throughput loss, %
	lossLo, lossHi      float64 // quartiles of the loss
	bpfNS, bpfRunsPerOp float64
}

// BenchmarkAccountingCost measures loopback TCP throughput untraced, with
// programs that do nothing on the accounting's tracepoints (the kernel's
// floor for any per-call accounting) and with the accounting attached, in
// rounds that rotate the order of the three, so drift on a shared machine
// hits all alike. Each side of a workload is pinned to a CPU. Run with
// -benchtime=1x; it reports the median per-round throughput loss and its
// quartiles. With FERRET_BENCH_RESULTS set to a file, it appends a table
// there.
func BenchmarkAccountingCost(b *testing.B) {
	testutil.RequireRoot(b)
	const rounds = 15
	const streamBytes = 256 << 20
	const rrCount = 10000
	var rows []costRow
	for _, w := range []struct {
		name, desc, unit string
		ops              float64
		run              func(testing.TB) time.Duration
	}{
		// (a stream across two CPUs varies by ±20 % from run to run on
		// a 2-vCPU virtual machine; on one CPU it measures the same
		// per-byte cost within a few %)
		{"stream", "TCP stream, 64 KiB writes and reads, writer and reader on one CPU", "MB/s", streamBytes,
			func(tb testing.TB) time.Duration { return stream(tb, streamBytes, [2]int{1, 1}) }},
		{"rr", "1-byte request/response, client and server on two CPUs", "µs/rr", rrCount,
			func(tb testing.TB) time.Duration { return requestResponse(tb, rrCount, [2]int{0, 1}) }},
		{"rr-1cpu", "1-byte request/response, client and server on one CPU", "µs/rr", rrCount,
			func(tb testing.TB) time.Duration { return requestResponse(tb, rrCount, [2]int{1, 1}) }},
		{"udp-rr-1cpu", "UDP 1-byte request/response (unconnected server: recvfrom/sendto), one CPU", "µs/rr", rrCount,
			func(tb testing.TB) time.Duration { return udpRequestResponse(tb, rrCount, [2]int{1, 1}) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			w.run(b) // warm up
			variants := []string{"untraced", "floor", "ferret"}
			var untraced []time.Duration
			loss := map[string][]float64{}
			for r := 0; r < rounds; r++ {
				got := map[string]time.Duration{}
				for i := range variants {
					v := variants[(i+r)%len(variants)]
					switch v {
					case "untraced":
						got[v] = w.run(b)
					case "floor":
						detach := floorProbe(b)
						got[v] = w.run(b)
						detach()
					case "ferret":
						p, err := Open(Options{})
						if err != nil {
							b.Fatal(err)
						}
						got[v] = w.run(b)
						p.Close()
					}
				}
				untraced = append(untraced, got["untraced"])
				for _, v := range variants[1:] {
					// throughput loss: 1 - traced rate / untraced rate
					loss[v] = append(loss[v], 100*(1-float64(got["untraced"])/float64(got[v])))
				}
			}
			row := costRow{name: w.desc, unit: w.unit,
				floor: quantile(loss["floor"], 0.5), loss: quantile(loss["ferret"], 0.5),
				lossLo: quantile(loss["ferret"], 0.25), lossHi: quantile(loss["ferret"], 0.75)}
			mOff := median(untraced)
			if w.unit == "MB/s" {
				row.untraced = w.ops / mOff.Seconds() / 1e6
			} else {
				row.untraced = float64(mOff.Microseconds()) / w.ops
			}
			// One more traced run counts the programs' own run time
			// (statistics cost a little, so not during the rounds).
			if st, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME); err == nil {
				p, err := Open(Options{})
				if err != nil {
					b.Fatal(err)
				}
				w.run(b)
				ns, runs := p.runtime()
				p.Close()
				st.Close()
				if runs > 0 {
					row.bpfNS = float64(ns) / float64(runs)
					row.bpfRunsPerOp = float64(runs) / w.ops
					if w.unit == "MB/s" {
						row.bpfRunsPerOp *= 1 << 20 // per MiB
					}
				}
			} else {
				b.Logf("no BPF run-time statistics: %v", err)
			}
			b.ReportMetric(row.untraced, w.unit+"-untraced")
			b.ReportMetric(row.floor, "%loss-floor")
			b.ReportMetric(row.loss, "%loss")
			b.ReportMetric(row.lossLo, "%loss-q1")
			b.ReportMetric(row.lossHi, "%loss-q3")
			b.ReportMetric(row.bpfNS, "bpf-ns/run")
			rows = append(rows, row)
		})
	}
	if path := os.Getenv("FERRET_BENCH_RESULTS"); path != "" && len(rows) > 0 {
		if err := appendCostTable(path, rows, rounds); err != nil {
			b.Error(err)
		}
	}
}

// appendCostTable appends the results as a Markdown section.
func appendCostTable(path string, rows []costRow, rounds int) error {
	var u unix.Utsname
	unix.Uname(&u)
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n## Network accounting cost (`ferret net`), %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&sb, "Kernel %s, %d CPUs, %d rounds rotating untraced / empty programs / accounting; loss = 1 − traced/untraced throughput, median (quartiles). ", unix.ByteSliceToString(u.Release[:]), runtime.NumCPU(), rounds)
	sb.WriteString("The floor is the same two tracepoints with programs that do nothing: the kernel's cost of calling any program once per socket call.\n\n")
	sb.WriteString("| workload | untraced | floor (empty programs) | `ferret net` | program run time |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&sb, "| %s | %.1f %s | %.1f %% | **%.1f %%** (%.1f … %.1f) | %.0f ns × %.2f runs per %s |\n",
			r.name, r.untraced, r.unit, r.floor, r.loss, r.lossLo, r.lossHi, r.bpfNS, r.bpfRunsPerOp, map[bool]string{true: "MiB", false: "round trip"}[r.unit == "MB/s"])
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(sb.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// udpRequestResponse does n one-byte exchanges between a connected UDP
// client on cpu[0] and an unconnected server (recvfrom/sendto, whose peers
// the cgroup hooks name) on cpu[1] and returns the elapsed time.
func udpRequestResponse(tb testing.TB, n int, cpu [2]int) time.Duration {
	tb.Helper()
	must := fatalIf(tb)
	srv, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	must(err)
	defer unix.Close(srv)
	must(unix.Bind(srv, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := unix.Getsockname(srv)
	must(err)
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	must(err)
	defer unix.Close(c)
	must(unix.Connect(c, sa))
	served := pinned(cpu[1], func() {
		b := make([]byte, 1)
		for {
			m, from, err := unix.Recvfrom(srv, b, 0)
			if err != nil || m == 0 {
				return // an empty datagram ends the run
			}
			if unix.Sendto(srv, b[:m], 0, from) != nil {
				return
			}
		}
	})
	d, err := pingPong(c, n, cpu[0])
	must(err)
	unix.Write(c, nil)
	<-served
	return d
}

// pingPong writes one byte to fd and reads the answer n times on cpu and
// returns the elapsed time.
func pingPong(fd, n, cpu int) (d time.Duration, err error) {
	<-pinned(cpu, func() {
		b := make([]byte, 1)
		start := time.Now()
		for i := 0; i < n; i++ {
			if _, err = unix.Write(fd, b); err != nil {
				return
			}
			if _, err = unix.Read(fd, b); err != nil {
				return
			}
		}
		d = time.Since(start)
	})
	return d, err
}

// fatalIf returns a function that ends the test on an error.
func fatalIf(tb testing.TB) func(error) {
	return func(err error) {
		if err != nil {
			tb.Helper()
			tb.Fatal(err)
		}
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// runtime sums the run time and run count of the attached programs (when
// BPF statistics are enabled).
func (p *Probe) runtime() (ns, runs uint64) {
	for _, prog := range []*ebpf.Program{p.objs.OnSend, p.objs.OnRecv, p.objs.OnState, p.objs.OnSendmsg4, p.objs.OnSendmsg6, p.objs.OnRecvmsg4, p.objs.OnRecvmsg6} {
		st, err := prog.Stats()
		if err != nil {
			continue
		}
		ns += uint64(st.Runtime)
		runs += st.RunCount
	}
	return ns, runs
}
