// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// workload is one measured program invocation.
type workload struct {
	name  string
	args  []string // arguments to the workload binary, or a shell pipeline when shell is set
	shell bool
	// syscalls per op is reported by the workload itself; pipelines are timed whole.
}

// tracer describes how a tool is applied to a workload.
type tracer struct {
	name string
	// wrap returns the command that runs cmd under the tracer (wrapper tools),
	// or nil when the tracer is a system-wide daemon started by start.
	wrap func(cmd []string) []string
	// start launches a system-wide tracer and returns it running.
	start func() (*exec.Cmd, *bytes.Buffer, error)
	needs string // executable that must exist
	slow  bool   // costs tens of µs per syscall: run workloads 20x smaller
}

type sample struct {
	base, traced float64 // ns per syscall (or per run for pipelines)
	tracerCPU    float64 // seconds of CPU used by a daemon tracer
	rssKB        int64
	report       string // daemon tracer's end-of-run stderr summary line
}

var (
	ferretBin   = flag.String("ferret", "./ferret", "ferret binary")
	workloadBin = flag.String("workload", "./workload", "workload binary")
	rounds      = flag.Int("rounds", 3, "paired rounds per tracer and workload")
	outPath     = flag.String("out", "bench/RESULTS.md", "results file to append to")
	only        = flag.String("only", "", "run only tracers whose name matches this regexp")
	scale       = flag.Int("scale", 1, "multiply workload sizes")
)

func main() {
	flag.Parse()
	wls := []workload{
		{name: "getppid loop", args: []string{"getppid", n(1000000)}},
		{name: "open+read+close", args: []string{"orc", n(200000)}},
		{name: "1-byte write /dev/null", args: []string{"devnull", n(1000000)}},
		{name: "two parallel loops", args: []string{"parallel", n(500000)}},
		{name: "find /usr | head | xargs cat", shell: true, args: []string{"find /usr -type f 2>/dev/null | head -n " + n(3000) + " | xargs cat > /dev/null 2>&1"}},
	}
	tracers := buildTracers()
	re := regexp.MustCompile(*only)
	var sections []string
	for _, tr := range tracers {
		if !re.MatchString(tr.name) {
			continue
		}
		if tr.needs != "" {
			if _, err := exec.LookPath(tr.needs); err != nil {
				sections = append(sections, fmt.Sprintf("| %s | — | not installed (%s) | | | | |", tr.name, tr.needs))
				continue
			}
		}
		for _, wl := range wls {
			if tr.slow {
				wl = shrink(wl)
			}
			row, err := measure(tr, wl)
			if err != nil {
				row = fmt.Sprintf("| %s | %s | error: %s | | | | |", tr.name, wl.name, oneLine(err.Error()))
			}
			fmt.Println(row)
			sections = append(sections, row)
		}
	}
	if err := appendResults(sections); err != nil {
		fmt.Fprintln(os.Stderr, "runner:", err)
		os.Exit(1)
	}
}

func n(v int) string { return strconv.Itoa(v * *scale) }

// shrink divides the size argument of a workload for slow tracers, so every
// tracer's run takes seconds, not minutes; figures are per syscall anyway.
func shrink(wl workload) workload {
	if wl.shell {
		wl.args = []string{strings.Replace(wl.args[0], "head -n "+n(3000), "head -n "+n(300), 1)}
		return wl
	}
	v, _ := strconv.Atoi(wl.args[1])
	wl.args = []string{wl.args[0], strconv.Itoa(max(v/20, 1000))}
	return wl
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "/")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}

func buildTracers() []tracer {
	f := *ferretBin
	daemon := func(args ...string) func() (*exec.Cmd, *bytes.Buffer, error) {
		return func() (*exec.Cmd, *bytes.Buffer, error) {
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stdout = nil
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				return nil, nil, err
			}
			time.Sleep(2 * time.Second) // attach and /proc scan
			if cmd.ProcessState != nil {
				return nil, nil, fmt.Errorf("%s exited early: %s", args[0], errb.String())
			}
			return cmd, &errb, nil
		}
	}
	tmp := os.TempDir()
	return []tracer{
		{name: "ferret (text to /dev/null)", start: daemon(f)},
		{name: "ferret -w file", start: daemon(f, "-q", "-w", filepath.Join(tmp, "bench-ferret.scap"))},
		{name: "ferret non-matching filter", start: daemon(f, "proc.name=no_such_proc")},
		{name: "ferret -c topscalls", start: daemon(f, "-c", "topscalls")},
		{name: "ferret trace -f", wrap: func(c []string) []string { return append([]string{f, "trace", "-f", "-o", "/dev/null", "--"}, c...) }},
		{name: "ferret trace -f -c", wrap: func(c []string) []string {
			return append([]string{f, "trace", "-f", "-c", "-o", "/dev/null", "--"}, c...)
		}},
		{name: "strace -f", slow: true, needs: "strace", wrap: func(c []string) []string { return append([]string{"strace", "-f", "-o", "/dev/null"}, c...) }},
		{name: "strace -f -c", slow: true, needs: "strace", wrap: func(c []string) []string { return append([]string{"strace", "-f", "-c", "-o", "/dev/null"}, c...) }},
		{name: "perf trace", slow: true, needs: "perf", wrap: func(c []string) []string { return append([]string{"perf", "trace", "-o", "/dev/null", "--"}, c...) }},
		{name: "perf record raw_syscalls:sys_enter", needs: "perf", wrap: func(c []string) []string {
			return append([]string{"perf", "record", "-q", "-e", "raw_syscalls:sys_enter", "-o", filepath.Join(tmp, "bench-perf.data"), "--"}, c...)
		}},
		{name: "bpftrace count in kernel", needs: "bpftrace", start: daemon("bpftrace", "-e", "tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }")},
		{name: "bpftrace printf every event", slow: true, needs: "bpftrace", start: daemon("sh", "-c", "exec bpftrace -e 'tracepoint:raw_syscalls:sys_enter { printf(\"%d %d\\n\", pid, args->id); }' > /dev/null")},
	}
}

var nsRe = regexp.MustCompile(`ns_per_syscall=([0-9.]+)`)

// runWorkload runs wl (wrapped by wrap when not nil) and returns ns per
// syscall as measured inside the workload, or the wall time of a pipeline.
func runWorkload(wl workload, wrap func([]string) []string) (float64, error) {
	var cmd []string
	if wl.shell {
		cmd = []string{"sh", "-c", wl.args[0]}
	} else {
		cmd = append([]string{*workloadBin}, wl.args...)
	}
	if wrap != nil {
		cmd = wrap(cmd)
	}
	c := exec.Command(cmd[0], cmd[1:]...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	start := time.Now()
	if err := c.Run(); err != nil {
		return 0, fmt.Errorf("%s: %v: %s", strings.Join(cmd, " "), err, errb.String())
	}
	el := time.Since(start)
	if wl.shell {
		return float64(el.Nanoseconds()), nil
	}
	m := nsRe.FindSubmatch(out.Bytes())
	if m == nil {
		return 0, fmt.Errorf("no timing in workload output %q (stderr %q)", out.String(), errb.String())
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func measure(tr tracer, wl workload) (string, error) {
	var samples []sample
	for r := 0; r < *rounds; r++ {
		var s sample
		var err error
		tracedFirst := r%2 == 1
		if !tracedFirst {
			if s.base, err = runWorkload(wl, nil); err != nil {
				return "", err
			}
		}
		if tr.start != nil {
			cmd, errb, err := tr.start()
			if err != nil {
				return "", err
			}
			s.traced, err = runWorkload(wl, nil)
			s.rssKB = rssOf(cmd.Process.Pid)
			_ = cmd.Process.Signal(syscall.SIGINT)
			werr := waitTimeout(cmd, 20*time.Second)
			if cmd.ProcessState != nil {
				u := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				s.tracerCPU = tv(u.Utime) + tv(u.Stime)
				if u.Maxrss > s.rssKB {
					s.rssKB = u.Maxrss
				}
			}
			s.report = lastLines(errb.String(), 2)
			if err != nil {
				return "", err
			}
			if werr != nil {
				return "", werr
			}
		} else {
			if s.traced, err = runWorkload(wl, tr.wrap); err != nil {
				return "", err
			}
		}
		if tracedFirst {
			if s.base, err = runWorkload(wl, nil); err != nil {
				return "", err
			}
		}
		samples = append(samples, s)
	}
	return format(tr, wl, samples), nil
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func waitTimeout(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return nil
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("tracer did not stop within %v after SIGINT", d)
	}
}

func rssOf(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb
		}
	}
	return 0
}

func lastLines(s string, k int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > k {
		lines = lines[len(lines)-k:]
	}
	return oneLine(strings.Join(lines, "; "))
}

func median(v []float64) (med, lo, hi float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2], s[0], s[len(s)-1]
}

func format(tr tracer, wl workload, ss []sample) string {
	var ratio, added, cpu []float64
	var rss int64
	for _, s := range ss {
		ratio = append(ratio, s.traced/s.base)
		added = append(added, s.traced-s.base)
		cpu = append(cpu, s.tracerCPU)
		if s.rssKB > rss {
			rss = s.rssKB
		}
	}
	rm, rl, rh := median(ratio)
	am, al, ah := median(added)
	unit := "ns/syscall"
	if wl.shell {
		unit = "ms/run"
		am, al, ah = am/1e6, al/1e6, ah/1e6
	}
	cm, _, _ := median(cpu)
	cpuCol, rssCol := "", ""
	if tr.start != nil {
		cpuCol = fmt.Sprintf("%.2f s", cm)
		rssCol = fmt.Sprintf("%d MiB", rss/1024)
	}
	return fmt.Sprintf("| %s | %s | %.2fx (%.2f–%.2f) | %+.0f %s (%+.0f…%+.0f) | %s | %s | %s |",
		tr.name, wl.name, rm, rl, rh, am, unit, al, ah, cpuCol, rssCol, ss[len(ss)-1].report)
}

func appendResults(rows []string) error {
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Tracer cost, %s\n\nKernel %s, %s × %d, %d paired rounds (median, min–max).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), strings.TrimSpace(string(kernel)), cpu, runtime.NumCPU(), *rounds)
	b.WriteString("| tracer | workload | slowdown | added time | tracer CPU | tracer RSS | tracer's own report (last round) |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	f, err := os.OpenFile(*outPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(b.String())
	return err
}
