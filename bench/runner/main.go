// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	start func() (*daemonRun, error)
	needs string // executable that must exist
	slow  bool   // costs tens of µs per syscall: run workloads 20x smaller
	// count, when set, returns how many syscall entries the tracer recorded
	// for the workload in the traced run just finished: pid is the process
	// the runner started (the workload for daemons, the tracer for wrapper
	// tools), stdout what a daemon printed. It is nil where the tool's
	// output does not tell. note, when not empty, is the tool's own word on
	// what it lost while recording.
	count func(wl workload, pid int, stdout string) (n int64, note string, err error)
}

// daemonRun is a running system-wide tracer.
type daemonRun struct {
	cmd    *exec.Cmd
	stdout *bytes.Buffer // nil when it goes to /dev/null or a file
	stderr *lockedBuffer
}

type sample struct {
	base, traced float64 // ns per syscall (or per run for pipelines)
	tracerCPU    float64 // seconds of CPU used by the tracer itself
	cpuKnown     bool    // for a wrapper: tracerCPU could be told apart
	rssKB        int64
	report       string // daemon tracer's end-of-run stderr summary line
	recorded     int64  // syscall entries the tracer recorded (last round only)
	recNote      string // the tracer's note on losses, if any
	countErr     error  // why recorded is unknown
}

// expectation is the number of syscall entries a workload makes, counted by
// perf stat, or why it is unknown.
type expectation struct {
	n   int64
	err error
}

var (
	ferretBin   = flag.String("ferret", "./ferret", "ferret binary")
	beforeBin   = flag.String("before", "", "a second ferret binary (an earlier build): its modes are measured in the same run, next to the first's, named \"… (before)\"")
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
	var selected []tracer
	var sections []string
	anySlow := false
	for _, tr := range tracers {
		if !re.MatchString(tr.name) {
			continue
		}
		if tr.needs != "" {
			if _, err := exec.LookPath(tr.needs); err != nil {
				sections = append(sections, fmt.Sprintf("| %s | — | not installed (%s) | | | | | | |", tr.name, tr.needs))
				continue
			}
		}
		selected = append(selected, tr)
		anySlow = anySlow || tr.slow
	}
	// What each workload (and its smaller form for slow tracers) is expected
	// to make, counted once by perf stat, which follows children.
	expected := map[string]expectation{}
	for _, wl := range wls {
		variants := []workload{wl}
		if anySlow {
			variants = append(variants, shrink(wl))
		}
		for _, v := range variants {
			if _, ok := expected[key(v)]; ok {
				continue
			}
			n, err := perfStatCount(v)
			expected[key(v)] = expectation{n, err}
			if err != nil {
				fmt.Fprintf(os.Stderr, "runner: expected syscalls of %s: %v\n", v.name, err)
			} else {
				fmt.Printf("expected syscalls of %s %s: %d\n", v.name, strings.Join(v.args, " "), n)
			}
		}
	}
	for _, tr := range selected {
		for _, wl := range wls {
			if tr.slow {
				wl = shrink(wl)
			}
			row, err := measure(tr, wl, expected[key(wl)])
			if err != nil {
				row = fmt.Sprintf("| %s | %s | error: %s | | | | | | |", tr.name, cell(wl.name), oneLine(err.Error()))
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

func key(wl workload) string { return fmt.Sprint(wl.shell, wl.args) }

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
	all := ferretTracers(*ferretBin, "")
	if *beforeBin != "" {
		// Each mode of the earlier build right after the same mode of
		// this one, so both meet the same machine load.
		before := ferretTracers(*beforeBin, " (before)")
		var both []tracer
		for i := range all {
			both = append(both, all[i], before[i])
		}
		all = both
	}
	return append(all, peerTracers()...)
}

// daemonStarter starts args with stdout to /dev/null, or kept when keepOut
// is set.
func daemonStarter(keepOut bool, args ...string) func() (*daemonRun, error) {
	return func() (*daemonRun, error) {
		var out *bytes.Buffer
		if keepOut {
			out = &bytes.Buffer{}
		}
		return startDaemon(args, out, nil)
	}
}

// toFile starts a daemon tracer with its standard output written to path
// (truncated at each start).
func toFile(path string, args ...string) func() (*daemonRun, error) {
	return func() (*daemonRun, error) {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return startDaemon(args, nil, f)
	}
}

// startDaemon starts a system-wide tracer, its standard output kept in
// out, or written to file, or discarded. It returns once the tracer is
// attached: for ferret, once it says so on stderr (a loaded machine can
// take seconds to verify its probe); for other tools after 2 s.
func startDaemon(args []string, out *bytes.Buffer, file *os.File) (*daemonRun, error) {
	cmd := exec.Command(args[0], args[1:]...)
	d := &daemonRun{cmd: cmd, stderr: &lockedBuffer{}, stdout: out}
	switch {
	case out != nil:
		cmd.Stdout = out
	case file != nil:
		cmd.Stdout = file
	}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if filepath.Base(args[0]) == filepath.Base(*ferretBin) || filepath.Base(args[0]) == filepath.Base(*beforeBin) {
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(d.stderr.String(), "capture started") {
			if zombie(cmd.Process.Pid) {
				_ = cmd.Wait()
				return nil, fmt.Errorf("%s exited early: %s", args[0], d.stderr.String())
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				return nil, fmt.Errorf("%s did not start within 60 s: %s", args[0], d.stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // the /proc scan's lookups settle
		return d, nil
	}
	time.Sleep(2 * time.Second) // attach and /proc scan
	return d, nil
}

// zombie reports whether process pid has exited and waits to be reaped.
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] == 'Z'
}

// lockedBuffer is a bytes.Buffer written by a command's copying goroutine
// and read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ferretTracers are the ferret modes measured, run from binary f, with
// suffix added to their names.
func ferretTracers(f, suffix string) []tracer {
	daemon := daemonStarter
	tmp := os.TempDir()
	scap := filepath.Join(tmp, "bench-ferret.scap")
	ferretSummary := filepath.Join(tmp, "bench-ferret-trace-c.txt")
	textOut := filepath.Join(tmp, "bench-ferret"+strings.ReplaceAll(suffix, " ", "_")+".txt")
	jsonOut := filepath.Join(tmp, "bench-ferret"+strings.ReplaceAll(suffix, " ", "_")+".json")
	trs := []tracer{
		{name: "ferret (text to /dev/null)", start: daemon(false, f)},
		{name: "ferret (text to a file)", start: toFile(textOut, f), count: func(wl workload, _ int, _ string) (int64, string, error) {
			n, err := textCount(textOut, wl)
			return n, "", err
		}},
		{name: "ferret -j (to a file)", start: toFile(jsonOut, f, "-j"), count: func(wl workload, _ int, _ string) (int64, string, error) {
			n, err := jsonCount(jsonOut, wl)
			return n, "", err
		}},
		{name: "ferret -w file", start: daemon(false, f, "-w", scap), count: func(wl workload, pid int, _ string) (int64, string, error) {
			n, err := ferretCount(scap, wl, pid)
			return n, "", err
		}},
		{name: "ferret non-matching filter", start: daemon(false, f, "proc.name=no_such_proc")},
		{name: "ferret -c topscalls", start: daemon(false, f, "-c", "topscalls")},
		{name: "ferret trace -f", wrap: func(c []string) []string { return append([]string{f, "trace", "-f", "-o", "/dev/null", "--"}, c...) }},
		{name: "ferret trace -f -c", wrap: func(c []string) []string {
			return append([]string{f, "trace", "-f", "-c", "-o", ferretSummary, "--"}, c...)
		}, count: func(workload, int, string) (int64, string, error) {
			n, err := summaryCalls(ferretSummary)
			return n, "", err
		}},
	}
	for i := range trs {
		trs[i].name += suffix
	}
	return trs
}

// peerTracers are the other tools measured next to ferret.
func peerTracers() []tracer {
	tmp := os.TempDir()
	perfData := filepath.Join(tmp, "bench-perf.data")
	straceSummary := filepath.Join(tmp, "bench-strace-c.txt")
	daemon := daemonStarter
	return []tracer{
		{name: "strace -f", slow: true, needs: "strace", wrap: func(c []string) []string { return append([]string{"strace", "-f", "-o", "/dev/null"}, c...) }},
		{name: "strace -f -c", slow: true, needs: "strace", wrap: func(c []string) []string {
			return append([]string{"strace", "-f", "-c", "-o", straceSummary}, c...)
		}, count: func(workload, int, string) (int64, string, error) {
			n, err := summaryCalls(straceSummary)
			return n, "", err
		}},
		{name: "perf trace", slow: true, needs: "perf", wrap: func(c []string) []string { return append([]string{"perf", "trace", "-o", "/dev/null", "--"}, c...) }},
		{name: "perf record raw_syscalls:sys_enter", needs: "perf", wrap: func(c []string) []string {
			return append([]string{"perf", "record", "-q", "-e", "raw_syscalls:sys_enter", "-o", perfData, "--"}, c...)
		}, count: func(workload, int, string) (int64, string, error) { return perfScriptCount(perfData) }},
		{name: "bpftrace count in kernel", needs: "bpftrace", start: daemon(true, "bpftrace", "-e", "tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }"),
			count: func(wl workload, _ int, out string) (int64, string, error) {
				n, err := bpftraceCount(out, wl)
				return n, "", err
			}},
		{name: "bpftrace printf every event", slow: true, needs: "bpftrace", start: daemon(false, "sh", "-c", "exec bpftrace -e 'tracepoint:raw_syscalls:sys_enter { printf(\"%d %d\\n\", pid, args->id); }' > /dev/null")},
	}
}

var nsRe = regexp.MustCompile(`ns_per_syscall=([0-9.]+)`)

// command is the command line that runs wl untraced.
func command(wl workload) []string {
	if wl.shell {
		return []string{"sh", "-c", wl.args[0]}
	}
	return append([]string{*workloadBin}, wl.args...)
}

// runWorkload runs wl (wrapped by wrap when not nil) and returns ns per
// syscall as measured inside the workload, or the wall time of a pipeline,
// and the pid of the process it started.
func runWorkload(wl workload, wrap func([]string) []string) (float64, int, error) {
	r, err := runWorkloadUsage(wl, wrap)
	return r.ns, r.pid, err
}

// run is one workload run: its timing, the pid started (the workload or
// its wrapper), the resource usage of that process with what it reaped,
// and the CPU time the workload reported for itself (-1: unknown).
type run struct {
	ns      float64
	pid     int
	usage   *syscall.Rusage
	selfCPU float64
}

var cpuRe = regexp.MustCompile(`cpu_s=([0-9.]+)`)

func runWorkloadUsage(wl workload, wrap func([]string) []string) (run, error) {
	cmd := command(wl)
	if wrap != nil {
		cmd = wrap(cmd)
	}
	c := exec.Command(cmd[0], cmd[1:]...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	start := time.Now()
	if err := c.Run(); err != nil {
		return run{}, fmt.Errorf("%s: %v: %s", strings.Join(cmd, " "), err, errb.String())
	}
	el := time.Since(start)
	r := run{pid: c.Process.Pid, selfCPU: -1}
	r.usage, _ = c.ProcessState.SysUsage().(*syscall.Rusage)
	if wl.shell {
		r.ns = float64(el.Nanoseconds())
		return r, nil
	}
	m := nsRe.FindSubmatch(out.Bytes())
	if m == nil {
		return r, fmt.Errorf("no timing in workload output %q (stderr %q)", out.String(), errb.String())
	}
	var err error
	r.ns, err = strconv.ParseFloat(string(m[1]), 64)
	if m := cpuRe.FindSubmatch(out.Bytes()); m != nil {
		r.selfCPU, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	return r, err
}

func measure(tr tracer, wl workload, exp expectation) (string, error) {
	var samples []sample
	for r := 0; r < *rounds; r++ {
		var s sample
		var err error
		var pid int
		tracedFirst := r%2 == 1
		if !tracedFirst {
			if s.base, _, err = runWorkload(wl, nil); err != nil {
				return "", err
			}
		}
		var stdout string
		if tr.start != nil {
			d, err := tr.start()
			if err != nil {
				return "", err
			}
			cmd, errb := d.cmd, d.stderr
			s.traced, pid, err = runWorkload(wl, nil)
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
			if d.stdout != nil {
				stdout = d.stdout.String()
			}
		} else {
			r, err := runWorkloadUsage(wl, tr.wrap)
			if err != nil {
				return "", err
			}
			s.traced, pid = r.ns, r.pid
			// The wrapper's usage includes the workload it reaped; the
			// workload reports its own CPU, the rest is the tracer's.
			if r.usage != nil {
				s.rssKB = r.usage.Maxrss
				if r.selfCPU >= 0 {
					s.tracerCPU = max(tv(r.usage.Utime)+tv(r.usage.Stime)-r.selfCPU, 0)
					s.cpuKnown = true
				}
			}
		}
		if tr.count != nil && r == *rounds-1 {
			s.recorded, s.recNote, s.countErr = tr.count(wl, pid, stdout)
			if s.countErr != nil {
				fmt.Fprintf(os.Stderr, "runner: events recorded by %s for %s: %v\n", tr.name, wl.name, s.countErr)
			}
		}
		if tracedFirst {
			if s.base, _, err = runWorkload(wl, nil); err != nil {
				return "", err
			}
		}
		samples = append(samples, s)
	}
	return format(tr, wl, samples, exp), nil
}

// perfStatCount runs wl under perf stat and returns the number of syscall
// entries it and its children made.
func perfStatCount(wl workload) (int64, error) {
	if _, err := exec.LookPath("perf"); err != nil {
		return 0, errors.New("perf not installed")
	}
	args := append([]string{"stat", "-x,", "-e", "raw_syscalls:sys_enter", "--"}, command(wl)...)
	c := exec.Command("perf", args...)
	var errb bytes.Buffer
	c.Stdout, c.Stderr = io.Discard, &errb
	if err := c.Run(); err != nil {
		return 0, fmt.Errorf("perf stat: %v: %s", err, lastLines(errb.String(), 2))
	}
	for _, l := range strings.Split(errb.String(), "\n") {
		f := strings.Split(strings.TrimSpace(l), ",")
		if len(f) < 3 || !strings.HasPrefix(f[2], "raw_syscalls:sys_enter") {
			continue
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("perf stat: %s", f[0]) // <not counted>, <not supported>
		}
		return v, nil
	}
	return 0, fmt.Errorf("perf stat: no count in %q", lastLines(errb.String(), 2))
}

// textCount counts the syscall entries of the workload in ferret's default
// text output (%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid)
// %evt.dir ...): lines of its process names with direction '>'.
func textCount(path string, wl workload) (int64, error) {
	want := map[string]bool{}
	for _, c := range comms(wl) {
		want[c] = true
	}
	return scanLines(path, func(l []byte) bool {
		f := bytes.Fields(l)
		return len(f) >= 7 && want[string(f[3])] && string(f[5]) == ">"
	})
}

// jsonCount counts the same in ferret -j's output (one object a line).
func jsonCount(path string, wl workload) (int64, error) {
	var names [][]byte
	for _, c := range comms(wl) {
		names = append(names, []byte(`"proc.name":"`+c+`"`))
	}
	dir := []byte(`"evt.dir":">"`)
	return scanLines(path, func(l []byte) bool {
		if !bytes.Contains(l, dir) {
			return false
		}
		for _, n := range names {
			if bytes.Contains(l, n) {
				return true
			}
		}
		return false
	})
}

// scanLines counts the lines of a file that match.
func scanLines(path string, match func([]byte) bool) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var n int64
	for sc.Scan() {
		if match(sc.Bytes()) {
			n++
		}
	}
	return n, sc.Err()
}

// comms are the process names (kernel comm, at most 15 bytes) that a
// workload's syscalls are made under.
func comms(wl workload) []string {
	if wl.shell {
		return []string{"sh", "find", "head", "xargs", "cat"}
	}
	c := filepath.Base(*workloadBin)
	if len(c) > 15 {
		c = c[:15]
	}
	return []string{c}
}

// ferretCount counts the syscall entries of the workload run started as pid
// in a system-wide capture: the workload's own process, or for a pipeline
// the shell and its descendants, under the names they run as after exec
// (which leaves out the runner's fork before exec, as perf stat does).
func ferretCount(scap string, wl workload, pid int) (int64, error) {
	filter := fmt.Sprintf("evt.dir=> and proc.name in (%s) and proc.pid=%d", strings.Join(comms(wl), ", "), pid)
	if wl.shell {
		filter = fmt.Sprintf("evt.dir=> and proc.name in (%s) and (proc.pid=%d or proc.apid=%d)", strings.Join(comms(wl), ", "), pid, pid)
	}
	n, _, err := countLines(exec.Command(*ferretBin, "-r", scap, "-p", "%evt.num", filter))
	return n, err
}

var lostRe = regexp.MustCompile(`lost ([0-9]+) chunks`)

// perfScriptCount counts the samples in a perf record file: one per syscall
// entry of the wrapped command and its children. The note carries perf's
// warning when its ring buffer overflowed.
func perfScriptCount(data string) (int64, string, error) {
	n, stderr, err := countLines(exec.Command("perf", "script", "-i", data, "-F", "comm"))
	note := ""
	if m := lostRe.FindStringSubmatch(stderr); m != nil {
		note = "perf lost " + m[1] + " chunks"
	}
	return n, note, err
}

// countLines runs c and counts the lines it prints; it also returns what c
// wrote on stderr.
func countLines(c *exec.Cmd) (int64, string, error) {
	var errb bytes.Buffer
	c.Stderr = &errb
	out, err := c.StdoutPipe()
	if err != nil {
		return 0, "", err
	}
	if err := c.Start(); err != nil {
		return 0, "", err
	}
	var n int64
	buf := make([]byte, 1<<16)
	for {
		k, rerr := out.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if rerr != nil {
			break
		}
	}
	if err := c.Wait(); err != nil {
		return 0, errb.String(), fmt.Errorf("%s: %v: %s", filepath.Base(c.Path), err, lastLines(errb.String(), 2))
	}
	return n, errb.String(), nil
}

var totalRe = regexp.MustCompile(`^\s*[0-9.]+\s+[0-9.]+\s+(?:[0-9]+\s+)?([0-9]+)\s+(?:[0-9]+\s+)?total\s*$`)

// summaryCalls reads an strace -c style summary and returns the calls
// column of its total line. The calls column is found under its header, as
// usecs/call and errors may be blank.
func summaryCalls(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	end := -1
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && f[0] == "%" {
			if i := strings.Index(l, " calls "); i >= 0 {
				end = i + len(" calls")
			}
			continue
		}
		if len(f) == 0 || f[len(f)-1] != "total" {
			continue
		}
		if end > 0 && end <= len(l) {
			start := strings.LastIndexByte(l[:end], ' ') + 1
			if v, err := strconv.ParseInt(strings.TrimSpace(l[start:end]), 10, 64); err == nil {
				return v, nil
			}
		}
		if m := totalRe.FindStringSubmatch(l); m != nil {
			return strconv.ParseInt(m[1], 10, 64)
		}
		return 0, fmt.Errorf("unreadable total line %q", l)
	}
	return 0, fmt.Errorf("no total line in %s", path)
}

var mapRe = regexp.MustCompile(`^@\[(.*)\]: ([0-9]+)$`)

// bpftraceCount sums the per-comm counts bpftrace printed for the
// workload's process names.
func bpftraceCount(out string, wl workload) (int64, error) {
	want := map[string]bool{}
	for _, c := range comms(wl) {
		want[c] = true
	}
	var n int64
	seen := false
	for _, l := range strings.Split(out, "\n") {
		m := mapRe.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		seen = true
		if want[m[1]] {
			v, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil {
				return 0, err
			}
			n += v
		}
	}
	if !seen {
		return 0, fmt.Errorf("no map in bpftrace output %q", lastLines(out, 2))
	}
	return n, nil
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

func format(tr tracer, wl workload, ss []sample, exp expectation) string {
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
	if tr.start != nil || ss[len(ss)-1].cpuKnown {
		cpuCol = fmt.Sprintf("%.2f s", cm)
	}
	if rss > 0 {
		rssCol = fmt.Sprintf("%d MiB", rss/1024)
	}
	last := ss[len(ss)-1]
	expCol, recCol := "", "—"
	if exp.err != nil {
		expCol = "? (" + oneLine(exp.err.Error()) + ")"
	} else {
		expCol = strconv.FormatInt(exp.n, 10)
	}
	switch {
	case tr.count == nil:
	case last.countErr != nil:
		recCol = "?"
	case exp.err != nil || exp.n == 0:
		recCol = fmt.Sprintf("%d / ?", last.recorded)
	default:
		recCol = fmt.Sprintf("%d / %d (%.1f %%)", last.recorded, exp.n, 100*float64(last.recorded)/float64(exp.n))
	}
	if last.recNote != "" && last.countErr == nil {
		recCol += "; " + last.recNote
	}
	return fmt.Sprintf("| %s | %s | %.2fx (%.2f–%.2f) | %+.0f %s (%+.0f…%+.0f) | %s | %s | %s | %s | %s |",
		tr.name, cell(wl.name), rm, rl, rh, am, unit, al, ah, cpuCol, rssCol, expCol, recCol, last.report)
}

// cell escapes the pipes of a workload name (the pipeline's) for a Markdown
// table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

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
	fmt.Fprintf(&b, "\n## Tracer cost, %s\n\nKernel %s, %s × %d, %d paired rounds (median, min–max). Tracer CPU: a daemon's own; a wrapper's total less the CPU the workload reports for itself (in-kernel probe time counts as the workload's). RSS: a daemon's peak; for a wrapper, the peak of it and the workload (a few MiB).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), strings.TrimSpace(string(kernel)), cpu, runtime.NumCPU(), *rounds)
	b.WriteString("| tracer | workload | slowdown | added time | tracer CPU | tracer RSS | expected syscalls (perf stat) | recorded / expected (last round) | tracer's own report (last round) |\n|---|---|---|---|---|---|---|---|---|\n")
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
