// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// benchLoop runs the measured loop in a helper process and prints the CPU
// time (user + system, of the looping thread) per iteration: CPU time is
// what tracing adds to the traced thread, and unlike wall time it does not
// grow with the load other processes put on the machine.
func benchLoop(sc string, n int) int {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ferret-bench-%d", os.Getpid()))
	if sc == "bench-orc" {
		os.WriteFile(path, []byte("0123456789abcdef"), 0o600)
		defer os.Remove(path)
	}
	buf := make([]byte, 16)
	p := []byte(path + "\x00")
	null, _ := syscall.Open(os.DevNull, syscall.O_WRONLY, 0)
	cpu := func() int64 {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_THREAD, &ru)
		return ru.Utime.Nano() + ru.Stime.Nano()
	}
	runtime.LockOSThread()
	c0 := cpu()
	for i := 0; i < n; i++ {
		switch sc {
		case "bench-getppid":
			syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
		case "bench-orc":
			fd, _, _ := syscall.RawSyscall6(syscall.SYS_OPENAT, uintptr(0xffffffffffffff9c), uintptr(unsafePointer(p)), 0, 0, 0, 0)
			syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafePointer(buf)), 16)
			syscall.RawSyscall(syscall.SYS_CLOSE, fd, 0, 0)
		case "bench-write":
			syscall.RawSyscall(syscall.SYS_WRITE, uintptr(null), uintptr(unsafePointer(buf)), 1)
		}
	}
	fmt.Println(float64(cpu()-c0) / float64(n))
	return 0
}

// runBench runs one helper loop, traced or not, and returns ns per
// iteration, events received and events lost.
func runBench(b *testing.B, sc string, n int, traced bool) (ns float64, got, lost uint64, progNS float64) {
	b.Helper()
	cmd, release := startHelperB(b, sc, strconv.Itoa(n))
	out := &strings.Builder{}
	cmd.Stdout = out
	if err := testutil.Start(cmd); err != nil {
		b.Fatal(err)
	}
	var s *Source
	var wg sync.WaitGroup
	stop := make(chan struct{})
	if traced {
		var err error
		s, err = Open(Options{FilterPIDs: true, NoSnapshot: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.AddPID(cmd.Process.Pid); err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := s.Next()
				if err == nil {
					got++
					continue
				}
				if !errors.Is(err, capture.ErrTimeout) {
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	release()
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	if traced {
		time.Sleep(50 * time.Millisecond)
		close(stop)
		wg.Wait()
		st := s.Stats()
		lost = st.TotalDrops()
		if lost > 0 {
			b.Logf("%s: %d events, losses %v", sc, got, st.Drops)
		}
		var runs uint64
		var rt time.Duration
		for _, p := range []*ebpf.Program{s.probe.objs.OnSysEnter, s.probe.objs.OnSysExit} {
			if st, err := p.Stats(); err == nil {
				runs += st.RunCount
				rt += st.Runtime
			}
		}
		if runs > 0 {
			progNS = float64(rt.Nanoseconds()) / float64(runs)
		}
		s.Close()
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(out.String()), 64)
	if err != nil {
		b.Fatalf("helper output %q", out.String())
	}
	return v, got, lost, progNS
}

// BenchmarkOverhead measures the time added to each system call of a traced
// process: each iteration is one paired round of an untraced and a traced
// run of a helper process. Reported metrics are medians over the rounds.
func BenchmarkOverhead(b *testing.B) {
	requireBPF(b)
	for _, c := range []struct {
		name     string
		sc       string
		n        int
		syscalls float64
	}{{"getppid", "bench-getppid", 1000000, 1}, {"open-read-close", "bench-orc", 200000, 3}, {"write-devnull", "bench-write", 1000000, 1}} {
		b.Run(c.name, func(b *testing.B) {
			// Kernel run-time statistics (enabled only while this
			// benchmark runs) give the probe's own cost per event.
			if st, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME)); err == nil {
				defer st.Close()
			}
			var base, added, lostPct, prog []float64
			for i := 0; i < b.N; i++ {
				u, _, _, _ := runBench(b, c.sc, c.n, false)
				tr, got, lost, pns := runBench(b, c.sc, c.n, true)
				base = append(base, u/c.syscalls)
				added = append(added, (tr-u)/c.syscalls)
				lostPct = append(lostPct, 100*float64(lost)/float64(got+lost+1))
				prog = append(prog, pns)
			}
			b.ReportMetric(median(base), "untraced-ns/syscall")
			b.ReportMetric(median(added), "added-ns/syscall")
			b.ReportMetric(median(prog), "probe-ns/event")
			b.ReportMetric(median(lostPct), "lost-%")
		})
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
