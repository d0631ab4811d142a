// SPDX-License-Identifier: Apache-2.0

package procfs

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkScan scans the machine's /proc (whatever runs on it; ns/proc
// is the time per process).
func BenchmarkScan(b *testing.B) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("no /proc")
	}
	b.ReportAllocs()
	procs := 0
	for i := 0; i < b.N; i++ {
		s, err := Scan(Options{})
		if err != nil {
			b.Fatal(err)
		}
		procs += len(numericDirs("/proc"))
		_ = s
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(procs), "ns/proc")
}

// BenchmarkReadSleepers reads 200 processes started for it (sleep, three
// descriptors each), one after another as a scan worker does: the cost
// per process, without the noise of whatever else runs.
func BenchmarkReadSleepers(b *testing.B) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("no /proc")
	}
	var pids []int64
	for i := 0; i < 200; i++ {
		cmd := exec.Command("sleep", "3600")
		if err := cmd.Start(); err != nil {
			b.Skip(err)
		}
		b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		pids = append(pids, int64(cmd.Process.Pid))
	}
	opts := Options{}.withDefaults()
	socks := readSockTable(opts.Proc)
	sc := newScanner()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, pid := range pids {
			if ts := sc.readTasks(opts, pid, socks); len(ts) != 1 {
				b.Fatalf("process %d: %d threads", pid, len(ts))
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pids)), "ns/proc")
}
