// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/trace"
)

func init() {
	// A process started by trace.StartHeld turns into the traced command
	// here, before anything else runs.
	trace.RunHeldHelper()
	Register("trace", "strace-style syscall tracing of a command or process, without ptrace", runTrace)
}

const traceUsage = `Usage: ferret trace [-fcT] [-t|-tt|-ttt] [-e trace=SET] [-s N] [-o FILE] -- CMD [ARGS...]
       ferret trace [options] -p PID[,PID...]

Traces the system calls of a command from its first one (execve), or of
running processes, and prints them in strace's syntax. No ptrace: events
come from ferret's eBPF probe, filtered by pid in the kernel.

  -f          follow forks (children and threads), lines get [pid N]
  -c          count calls, errors and time per syscall; print a table at exit
  -T          show the time spent in each call
  -t, -tt, -ttt  prefix lines with the time of day, with microseconds, or
              seconds since the epoch
  -e trace=SET  only these syscalls: names, classes (%file, %network,
              %process, %signal, %ipc, %desc, %memory, %creds, %stat...),
              /regexp, all, none; a leading ! negates
  -s N        show at most N bytes of buffers (default 32)
  -o FILE     write the trace to FILE instead of standard error
  -p PID      trace running processes (comma-separated or repeated)

The exit status is the traced command's.
`

// liveTracer is what the trace, files and netfs commands need from a live
// capture.
type liveTracer interface {
	capture.Source
	AddPID(pid int) error
}

// openLiveTracer opens the live capture; tests replace it.
var openLiveTracer = func(o live.Options) (liveTracer, error) { return live.Open(o) }

type traceConfig struct {
	follow, count, durations bool
	time                     trace.TimeMode
	set                      *trace.Set
	strSize                  int
	out                      string
	pids                     []int
	cmd                      []string
}

func parseTraceArgs(args []string) (*traceConfig, error) {
	c := &traceConfig{strSize: trace.DefaultStrSize}
	i := 0
	value := func(a string, j int, name byte) (string, error) {
		if j+1 < len(a) {
			return a[j+1:], nil
		}
		i++
		if i >= len(args) {
			return "", fmt.Errorf("option requires an argument -- '%c'", name)
		}
		return args[i], nil
	}
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if a == "-h" || a == "--help" {
			return nil, errHelp
		}
	flags:
		for j := 1; j < len(a); j++ {
			switch a[j] {
			case 'f':
				c.follow = true
			case 'c':
				c.count = true
			case 'T':
				c.durations = true
			case 't':
				if c.time < trace.TimeEpoch {
					c.time++
				}
			case 'e', 'o', 'p', 's':
				v, err := value(a, j, a[j])
				if err != nil {
					return nil, err
				}
				if err := c.set1(a[j], v); err != nil {
					return nil, err
				}
				break flags
			default:
				return nil, fmt.Errorf("invalid option -- '%c'", a[j])
			}
		}
	}
	c.cmd = args[i:]
	if len(c.cmd) == 0 && len(c.pids) == 0 {
		return nil, errors.New("must have PROG [ARGS] or -p PID")
	}
	if len(c.cmd) > 0 && len(c.pids) > 0 {
		return nil, errors.New("give either PROG [ARGS] or -p PID, not both")
	}
	return c, nil
}

var errHelp = errors.New("help requested")

func (c *traceConfig) set1(opt byte, v string) error {
	switch opt {
	case 'e':
		expr, ok := strings.CutPrefix(v, "trace=")
		if !ok && strings.Contains(v, "=") {
			return fmt.Errorf("unsupported -e qualifier %q (only trace= is supported)", v)
		}
		s, err := trace.ParseSet(expr)
		if err != nil {
			return err
		}
		c.set = s
	case 'o':
		c.out = v
	case 's':
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("invalid -s argument: '%s'", v)
		}
		c.strSize = n
	case 'p':
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 {
				return fmt.Errorf("invalid process id: '%s'", f)
			}
			c.pids = append(c.pids, n)
		}
	}
	return nil
}

func runTrace(args []string) int {
	c, err := parseTraceArgs(args)
	if errors.Is(err, errHelp) {
		io.WriteString(Stdout, traceUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(Stderr, "ferret trace: %v\nTry 'ferret trace -h' for more information.\n", err)
		return 1
	}
	var out io.Writer = Stderr
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			fmt.Fprintf(Stderr, "ferret trace: can't fopen '%s': %v\n", c.out, err)
			return 1
		}
		defer f.Close()
		out = f
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	status, err := traceRun(c, bw)
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintf(Stderr, "ferret trace: %v\n", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}

// traceRun runs one trace session and returns the exit status to report.
func traceRun(c *traceConfig, out io.Writer) (int, error) {
	tr := trace.New(trace.Options{Out: out, Follow: c.follow, Durations: c.durations, Time: c.time,
		Summary: c.count, Set: c.set, StrSize: c.strSize})
	opts := live.Options{FollowChildren: c.follow, SnapLen: max(c.strSize+1, live.DefaultSnapLen), NoSnapshot: true, Uncoded: true}
	if names, ok := c.set.Names(); ok {
		// Record only the wanted syscalls, plus those the tracer needs to
		// follow processes.
		opts.Syscalls = append(names, "execve", "execveat", "clone", "clone3", "fork", "vfork", "exit", "exit_group")
		opts.EventTypes = []event.Type{event.ProcExit1E, event.SignalDelivE}
	}
	var held *trace.Held
	if len(c.cmd) > 0 {
		h, err := trace.StartHeld(c.cmd)
		if err != nil {
			return 1, err
		}
		held = h
		opts.PIDs = []int{h.PID}
	} else {
		opts.PIDs = c.pids
	}
	src, err := openLiveTracer(opts)
	if err != nil {
		if held != nil {
			held.Abort()
		}
		return 1, err
	}
	defer src.Close()

	var waited chan int
	if held != nil {
		tr.Hold(int64(held.PID))
		if err := held.Release(); err != nil {
			held.Abort()
			return 1, err
		}
		waited = make(chan int, 1)
		go func() { waited <- held.Wait() }()
	} else {
		for _, pid := range c.pids {
			tids := threadsOf(pid)
			if len(tids) == 0 {
				return 1, fmt.Errorf("attach: process %d: no such process", pid)
			}
			for _, tid := range tids {
				tr.Attach(int64(pid), int64(tid))
			}
		}
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	status, done, idle := 0, false, 0
	var doneAt time.Time
	for {
		ev, err := src.Next()
		switch {
		case err == nil:
			idle = 0
			tr.Handle(ev)
		case errors.Is(err, capture.ErrTimeout):
			// Nothing pending: show what was traced so far.
			if f, ok := out.(interface{ Flush() error }); ok {
				f.Flush()
			}
			if done {
				idle++
			}
		case errors.Is(err, io.EOF):
			done, idle = true, 2
		default:
			return 1, err
		}
		if !done {
			select {
			case st := <-waited:
				status, done = st, true
			case <-sigs:
				if held == nil {
					done, idle = true, 2
				}
			default:
			}
			if held == nil && !done && err != nil && tr.Live() == 0 {
				done = true
			}
		}
		// After the command ended, drain what the probe still holds: stop
		// once every traced task has reported its exit or the source has
		// been idle twice.
		if done && doneAt.IsZero() {
			doneAt = time.Now()
		}
		if done && (idle >= 2 || (tr.Live() == 0 && (held == nil || exitedSeen(tr))) || time.Since(doneAt) > drainTime) {
			break
		}
	}
	if st, ok := tr.Exited(); ok && held != nil {
		status = st
	}
	if err := tr.Finish(); err != nil {
		return status, err
	}
	if s := src.Stats(); s.TotalDrops() > 0 {
		fmt.Fprintf(Stderr, "ferret trace: %d events lost\n", s.TotalDrops())
	}
	return status, nil
}

func exitedSeen(tr *trace.Tracer) bool {
	_, ok := tr.Exited()
	return ok
}

// threadsOf lists the thread ids of a process.
func threadsOf(pid int) []int {
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	return out
}
