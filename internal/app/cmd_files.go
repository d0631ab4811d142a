// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/filemon"
	"github.com/ferret-observability/ferret/internal/procfs"
	"github.com/ferret-observability/ferret/internal/trace"
)

func init() {
	Register("files", "file opens and closes of a process tree, one record per closed file", runFiles)
}

const filesUsage = `Usage: ferret files [options] [-- CMD [ARGS...]]

Watches every file open and close of a process tree (the processes given
with --pid, or the command given after --, and all their descendants, plus
programs named with --comm started later) and prints one record per file
when it is closed, when its process exits, or when monitoring ends: open
and close times, duration, pid, tid, ppid, comm, path (made absolute),
flags, fd, bytes read and written, and the open's result. Processes of the
trees that already run are watched too, and files they had open before
monitoring started are reported like the others, their open time marked
"<" (JSON: "opened_before": true).

Options:
`

// fileSyscalls are the syscalls the file monitor needs.
var fileSyscalls = []string{"open", "openat", "openat2", "creat", "read", "pread64", "readv", "preadv",
	"write", "pwrite64", "writev", "pwritev", "close", "clone", "clone3", "fork", "vfork", "execve",
	"execveat", "chdir", "fchdir", "dup", "dup2", "dup3"}

func runFiles(args []string) int {
	fs := pflag.NewFlagSet("ferret files", pflag.ContinueOnError)
	fs.SetOutput(Stderr)
	pids := fs.IntSlice("pid", nil, "watch process `PID` and its descendants (repeatable)")
	comms := fs.StringArray("comm", nil, "also watch programs with this command `NAME` (repeatable)")
	prefixes := fs.StringArray("prefix", nil, "only report files under `PATH` (repeatable; default: all)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	out := fs.StringP("output", "o", "", "write records to `FILE`")
	untilExit := fs.Bool("until-exit", false, "stop when the watched processes (or the command) have exited")
	fs.Usage = func() {
		io.WriteString(Stderr, filesUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(Stderr, "ferret files: "+format+"\n", a...)
		return 1
	}
	cmd := fs.Args()
	if len(cmd) == 0 && len(*pids) == 0 && len(*comms) == 0 {
		return fail("give --pid, --comm or a command to run")
	}
	for i, p := range *prefixes {
		abs, err := filepath.Abs(p)
		if err != nil {
			return fail("prefix %s: %v", p, err)
		}
		(*prefixes)[i] = abs
	}
	var w io.Writer = Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	status, err := filesRun(filesConfig{pids: *pids, comms: *comms, prefixes: *prefixes, json: *asJSON,
		untilExit: *untilExit || len(cmd) > 0, cmd: cmd}, bw)
	if err != nil {
		fail("%v", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}

// drainTime bounds how long a finished session keeps reading late events.
const drainTime = 500 * time.Millisecond

type filesConfig struct {
	pids      []int
	comms     []string
	prefixes  []string
	json      bool
	untilExit bool
	cmd       []string
}

func filesRun(c filesConfig, w io.Writer) (int, error) {
	opts := live.Options{Syscalls: fileSyscalls, EventTypes: []event.Type{event.ProcExit1E}, SnapLen: 1, NoSnapshot: true}
	var held *trace.Held
	roots := append([]int(nil), c.pids...)
	if len(c.cmd) > 0 {
		h, err := trace.StartHeld(c.cmd)
		if err != nil {
			return 1, err
		}
		held = h
		roots = append(roots, h.PID)
	}
	if len(c.comms) == 0 {
		// Only the trees of the roots: filter in the kernel.
		opts.PIDs, opts.FollowChildren = roots, true
	}
	src, err := openLiveTracer(opts)
	if err != nil {
		if held != nil {
			held.Abort()
		}
		return 1, err
	}
	defer src.Close()

	rw := &filemon.Writer{W: w, JSON: c.json}
	if err := rw.WriteHeader(); err != nil {
		return 1, err
	}
	var rootIDs []int64
	for _, p := range roots {
		rootIDs = append(rootIDs, int64(p))
	}
	fo := filemon.Options{Prefixes: c.prefixes, PIDs: rootIDs, Comms: c.comms}
	if held != nil {
		fo.Held = []int64{int64(held.PID)}
	}
	m := filemon.New(fo, func(r *filemon.Record) { rw.Write(r) })
	if len(c.pids) > 0 || len(c.comms) > 0 {
		// Processes of the trees (or named) that run already, and the
		// files they have open: the kernel follows only forks from now on.
		if err := preloadRunning(src, m, roots, len(c.comms) == 0); err != nil {
			if held != nil {
				held.Abort()
			}
			return 1, err
		}
	}

	var waited chan int
	if held != nil {
		if err := held.Release(); err != nil {
			held.Abort()
			return 1, err
		}
		waited = make(chan int, 1)
		go func() { waited <- held.Wait() }()
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	status, done, idle := 0, false, 0
	var doneAt time.Time
	var lastTS uint64
	for {
		ev, err := src.Next()
		switch {
		case err == nil:
			idle = 0
			lastTS = ev.TS
			m.Handle(ev)
		case errors.Is(err, capture.ErrTimeout):
			if f, ok := w.(interface{ Flush() error }); ok {
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
				done, idle = true, 2
			default:
			}
			if c.untilExit && held == nil && m.RootExited {
				done = true
			}
		}
		if done && doneAt.IsZero() {
			doneAt = time.Now()
		}
		// After the end, drain what the probe still holds: until the source
		// is idle twice, or for at most drainTime when other processes keep
		// it busy.
		if done && (idle >= 2 || time.Since(doneAt) > drainTime) {
			break
		}
	}
	if now := uint64(time.Now().UnixNano()); now > lastTS {
		lastTS = now
	}
	m.Flush(lastTS)
	return status, nil
}

// preloadRunning reads the running processes from /proc and hands them
// with their open files to the monitor; when the kernel filters by pid, the
// running processes of the watched trees join the traced set.
func preloadRunning(src liveTracer, m *filemon.Monitor, roots []int, addRunning bool) error {
	snap, err := procfs.Scan(procfs.Options{NoEnv: true})
	if err != nil {
		return fmt.Errorf("read running processes: %w", err)
	}
	running := m.Preload(snap.Threads, uint64(time.Now().UnixNano()))
	if addRunning {
		for _, pid := range running {
			if err := src.AddPID(int(pid)); err != nil {
				return fmt.Errorf("watch running process %d: %w", pid, err)
			}
		}
	}
	// Like strace's "attached": from here on nothing is missed.
	if len(roots) > 0 {
		fmt.Fprintf(Stderr, "ferret files: watching %s and %d more running processes\n", pidList(roots), len(running))
	}
	return nil
}

func pidList(pids []int) string {
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return "process " + strings.Join(s, ", ")
}
