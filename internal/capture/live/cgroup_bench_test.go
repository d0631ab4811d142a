// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// runFiltered runs one helper loop inside cgroup dir (a v2 cgroup standing
// for a container) under a capture with opts, and returns the CPU ns per
// iteration of the loop and the events delivered; opts nil runs untraced.
func runFiltered(b *testing.B, sc string, n int, dir string, opts *Options) (ns float64, got uint64) {
	b.Helper()
	cmd, release := startHelperB(b, sc, strconv.Itoa(n))
	out := &strings.Builder{}
	cmd.Stdout = out
	if err := testutil.Start(cmd); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		b.Fatal(err)
	}
	var s *Source
	var wg sync.WaitGroup
	stop := make(chan struct{})
	if opts != nil {
		var err error
		o := *opts
		o.NoSnapshot = true
		if s, err = Open(o); err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := s.Next()
				if err == nil {
					got++
				} else if !errors.Is(err, capture.ErrTimeout) {
					return
				}
			}
		}()
	}
	release()
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	if s != nil {
		time.Sleep(50 * time.Millisecond)
		close(stop)
		wg.Wait()
		s.Close()
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(out.String()), 64)
	if err != nil {
		b.Fatalf("helper output %q", out.String())
	}
	return v, got
}

// BenchmarkContainerFilter measures what a container filter costs the
// system calls of processes in other containers, next to a process-name
// filter that matches nothing: the helper runs getppid in a cgroup two
// levels deep (like /libpod_parent/libpod-<id>), the filter keeps a sibling
// cgroup. Each iteration is one round of an untraced run and the filtered
// runs, side by side; metrics are medians of the added CPU ns per syscall.
func BenchmarkContainerFilter(b *testing.B) {
	requireBPF(b)
	var root string
	for _, p := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		var st syscall.Statfs_t
		if syscall.Statfs(p, &st) == nil && st.Type == 0x63677270 {
			root = p
		}
	}
	if root == "" {
		b.Skip("no cgroup v2 hierarchy")
	}
	parent := filepath.Join(root, "ferret-bench-"+strconv.Itoa(os.Getpid()))
	mine, other := filepath.Join(parent, "mine"), filepath.Join(parent, "other")
	for _, d := range []string{parent, mine, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	defer func() { os.Remove(mine); os.Remove(other); os.Remove(parent) }()
	var st syscall.Stat_t
	if err := syscall.Stat(other, &st); err != nil {
		b.Fatal(err)
	}
	var mst syscall.Stat_t
	syscall.Stat(mine, &mst)
	const n = 500000
	cases := []struct {
		name string
		opts Options
	}{
		{"container-filter-other", Options{FilterCgroups: true, Cgroups: []uint64{st.Ino}}},
		{"name-filter-none", Options{Comms: []string{"no_such_proc"}, CommsKeepState: true}},
		{"container-filter-own", Options{FilterCgroups: true, Cgroups: []uint64{mst.Ino}}},
		{"no-filter", Options{}},
	}
	added := make([][]float64, len(cases))
	events := make([][]float64, len(cases))
	var base []float64
	for i := 0; i < b.N; i++ {
		u, _ := runFiltered(b, "bench-getppid", n, mine, nil)
		base = append(base, u)
		for j, c := range cases {
			o := c.opts
			v, got := runFiltered(b, "bench-getppid", n, mine, &o)
			added[j] = append(added[j], v-u)
			events[j] = append(events[j], float64(got)/n)
		}
	}
	b.ReportMetric(median(base), "untraced-ns/syscall")
	for j, c := range cases {
		b.ReportMetric(median(added[j]), c.name+"-added-ns/syscall")
		b.ReportMetric(median(events[j]), c.name+"-events/syscall")
	}
	// The container filter's cost over the name filter's, round by round
	// (the two run back to back, so a loaded machine weighs on both).
	var ratio []float64
	for i := range added[0] {
		if added[1][i] > 0 {
			ratio = append(ratio, added[0][i]/added[1][i])
		}
	}
	if len(ratio) > 0 {
		b.ReportMetric(median(ratio), "container-filter-other/name-filter-none")
	}
}
