// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hold" {
		hold(os.Args[2:])
		return
	}
	ferret := flag.String("ferret", "", "ferret binary (required)")
	threads := flag.String("threads", "0,2500,5000,10000", "thread counts to start ferret beside")
	fds := flag.String("fds", "0,10000,50000", "open descriptor counts to start ferret beside")
	rates := flag.String("rates", "0,10000,100000,400000", "getppid() calls per second to capture")
	rounds := flag.Int("rounds", 3, "rounds per point (median)")
	window := flag.Duration("window", 5*time.Second, "capture time per point")
	churn := flag.Duration("churn", 10*time.Minute, "length of the process-churn run (0: none)")
	churnRate := flag.Int("churn-rate", 1000, "short processes started per second in the churn run")
	rotate := flag.Duration("rotate", 0, "length of a -w run with rotation at the machine's own event rate (0: none)")
	flag.Parse()
	if *ferret == "" {
		fmt.Fprintln(os.Stderr, "scale: -ferret is required")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "ferret-scale")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	b := &bench{ferret: *ferret, dir: dir, window: *window, rounds: *rounds}
	fmt.Printf("## Scale: threads, descriptors, event rate, churn, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("`go run ./bench/scale` (%s), load before: %s\n\n", strings.Join(os.Args[1:], " "), loadavg())
	b.dimension("threads on the machine", "threads", ints(*threads))
	b.dimension("open descriptors in one process", "fds", ints(*fds))
	b.dimension("getppid() calls per second", "rate", ints(*rates))
	if *churn > 0 {
		b.longRun(fmt.Sprintf("process churn (%d short processes a second asked)", *churnRate), *churn, *churnRate)
	}
	if *rotate > 0 {
		b.longRun("the machine's own events", *rotate, 0)
	}
	fmt.Printf("load after: %s\n\n", loadavg())
}

type bench struct {
	ferret string
	dir    string
	window time.Duration
	rounds int
}

// run is one capture by ferret -w: how long until it said it started,
// what it cost, its peak resident size and its end-of-run counters.
type run struct {
	startup           time.Duration
	cpu               time.Duration
	maxRSSKB          int64
	captured, dropped int64
	rssKB             []int64 // sampled while it ran
}

var (
	reCaptured = regexp.MustCompile(`Events captured: (\d+)`)
	reDropped  = regexp.MustCompile(`Events dropped: (\d+)`)
)

// capture runs `ferret -w FILE` (rotating when rotate is set) for d, sampling
// its resident size every sample, and stops it with SIGINT.
func (b *bench) capture(d, sample time.Duration, rotate bool) (run, error) {
	var r run
	args := []string{"-w", filepath.Join(b.dir, "cap.scap")}
	if rotate {
		args = append(args, "-C", "100", "-W", "3")
	}
	cmd := exec.Command(b.ferret, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return r, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	var text strings.Builder
	started := make(chan time.Duration, 1)
	copied := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if sc.Text() == "ferret: capture started" {
				started <- time.Since(t0)
			}
			text.WriteString(sc.Text() + "\n")
		}
		close(copied)
	}()
	select {
	case r.startup = <-started:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		return r, fmt.Errorf("ferret did not start in 2 minutes")
	}
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		time.Sleep(min(sample, time.Until(end)))
		if kb := rssKB(cmd.Process.Pid); kb > 0 {
			r.rssKB = append(r.rssKB, kb)
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	<-copied
	err = cmd.Wait()
	if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.cpu = time.Duration(u.Utime.Nano() + u.Stime.Nano())
		r.maxRSSKB = u.Maxrss
	}
	out := text.String()
	if m := reCaptured.FindStringSubmatch(out); m != nil {
		r.captured, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := reDropped.FindStringSubmatch(out); m != nil {
		r.dropped, _ = strconv.ParseInt(m[1], 10, 64)
	}
	os.RemoveAll(b.dir)
	os.MkdirAll(b.dir, 0o700)
	if err != nil {
		return r, fmt.Errorf("ferret: %v: %s", err, out)
	}
	return r, nil
}

// dimension measures start-up, cost and memory with a holder process
// keeping kind (threads, fds or rate) at each value.
func (b *bench) dimension(title, kind string, values []int) {
	fmt.Printf("### %s\n\n", title)
	fmt.Printf("`ferret -w FILE` for %s per round, %d rounds, medians. Start-up: until `ferret: capture started`. CPU: user + system of the whole run.\n\n", b.window, b.rounds)
	fmt.Println("| " + kind + " | start-up | CPU | peak RSS | events captured | dropped |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|")
	for _, v := range values {
		h, err := startHolder(kind, v)
		if err != nil {
			fmt.Printf("| %d | %v | | | | |\n", v, err)
			continue
		}
		var runs []run
		for i := 0; i < b.rounds; i++ {
			r, err := b.capture(b.window, time.Second, false)
			if err != nil {
				fmt.Fprintln(os.Stderr, "scale:", err)
				continue
			}
			runs = append(runs, r)
		}
		h.stop()
		if len(runs) == 0 {
			fmt.Printf("| %d | failed | | | | |\n", v)
			continue
		}
		fmt.Printf("| %d | %.2f s | %.2f s | %d MB | %d | %d |\n", v,
			median(runs, func(r run) float64 { return r.startup.Seconds() }),
			median(runs, func(r run) float64 { return r.cpu.Seconds() }),
			int64(median(runs, func(r run) float64 { return float64(r.maxRSSKB) }))/1024,
			int64(median(runs, func(r run) float64 { return float64(r.captured) })),
			int64(median(runs, func(r run) float64 { return float64(r.dropped) })))
	}
	fmt.Println()
}

// longRun captures for d with rotation (100 MB files, 3 kept) while, when
// rate > 0, short processes are started at that rate; it reports the
// resident size over time, the processes started and the counters.
func (b *bench) longRun(title string, d time.Duration, rate int) {
	fmt.Printf("### %s for %s, `ferret -w FILE -C 100 -W 3`\n\n", title, d)
	var stop atomic.Bool
	var started atomic.Int64
	var wg sync.WaitGroup
	if rate > 0 {
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tick := time.NewTicker(time.Second / time.Duration(rate/4))
				defer tick.Stop()
				for !stop.Load() {
					<-tick.C
					pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
					if err != nil {
						continue
					}
					var ws syscall.WaitStatus
					syscall.Wait4(pid, &ws, 0, nil)
					started.Add(1)
				}
			}()
		}
	}
	t0 := time.Now()
	r, err := b.capture(d, 10*time.Second, true)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		fmt.Printf("failed: %v\n\n", err)
		return
	}
	if rate > 0 {
		fmt.Printf("Processes started: %d (%.0f a second).\n", started.Load(), float64(started.Load())/time.Since(t0).Seconds())
	}
	fmt.Printf("Events captured: %d, dropped: %d; CPU %.1f s (%.1f %% of a CPU); peak RSS %d MB.\n\n",
		r.captured, r.dropped, r.cpu.Seconds(), 100*r.cpu.Seconds()/d.Seconds(), r.maxRSSKB/1024)
	fmt.Println("| minute | RSS min | RSS max |")
	fmt.Println("|---:|---:|---:|")
	perMin := int(time.Minute / (10 * time.Second))
	for i := 0; i < len(r.rssKB); i += perMin {
		w := r.rssKB[i:min(i+perMin, len(r.rssKB))]
		lo, hi := w[0], w[0]
		for _, v := range w {
			lo, hi = min(lo, v), max(hi, v)
		}
		fmt.Printf("| %d | %d MB | %d MB |\n", i/perMin+1, lo/1024, hi/1024)
	}
	fmt.Println()
}

// holder is a child process keeping threads, descriptors or a call rate.
type holder struct {
	cmd *exec.Cmd
	in  io.WriteCloser
}

func startHolder(kind string, n int) (*holder, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "hold", kind, strconv.Itoa(n))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("holder %s %d: %q %v", kind, n, line, err)
	}
	return &holder{cmd, in}, nil
}

func (h *holder) stop() {
	h.in.Close()
	h.cmd.Wait()
}

// hold keeps N threads parked, N descriptors open, or calls getppid() N
// times a second, until its standard input closes.
func hold(args []string) {
	n, _ := strconv.Atoi(args[1])
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	switch args[0] {
	case "threads":
		// Each goroutine locks its own OS thread and parks on the channel.
		debug.SetMaxThreads(n + 100)
		var ready sync.WaitGroup
		for i := 0; i < n; i++ {
			ready.Add(1)
			go func() {
				runtime.LockOSThread()
				ready.Done()
				<-done
			}()
		}
		ready.Wait()
	case "fds":
		lim := syscall.Rlimit{Cur: uint64(n + 100), Max: uint64(n + 100)}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			fail(err)
		}
		null, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0)
		if err != nil {
			fail(err)
		}
		for i := 1; i < n; i++ {
			if _, err := syscall.Dup(null); err != nil {
				fail(err)
			}
		}
	case "rate":
		if n > 0 {
			go func() {
				runtime.LockOSThread()
				const slice = 10 * time.Millisecond
				per := n / int(time.Second/slice)
				for next := time.Now(); ; next = next.Add(slice) {
					for i := 0; i < per; i++ {
						syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
					}
					time.Sleep(time.Until(next.Add(slice)))
				}
			}()
		}
	}
	os.Stdout.WriteString("ready\n")
	<-done
}

func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

func median(runs []run, f func(run) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func ints(s string) []int {
	var v []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			v = append(v, n)
		}
	}
	return v
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scale:", err)
	os.Exit(1)
}
