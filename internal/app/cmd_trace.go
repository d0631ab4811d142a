// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/trace"
)

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

func (cl *cli) runTrace(args []string) int {
	c, err := parseTraceArgs(args)
	if errors.Is(err, errHelp) {
		io.WriteString(cl.stdout, traceUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(cl.stderr, "ferret trace: %v\nTry 'ferret trace -h' for more information.\n", err)
		return 1
	}
	out := cl.stderr
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			fmt.Fprintf(cl.stderr, "ferret trace: can't fopen '%s': %v\n", c.out, err)
			return 1
		}
		defer f.Close()
		out = f
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	status, err := trace.Run(trace.Session{Options: trace.Options{Out: bw, Follow: c.follow, Durations: c.durations,
		Time: c.time, Summary: c.count, Set: c.set, StrSize: c.strSize, PIDPrefix: c.out != "" && (c.follow || len(c.pids) > 1)},
		Cmd: c.cmd, PIDs: c.pids, Warn: cl.stderr})
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintf(cl.stderr, "ferret trace: %v\n", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}
