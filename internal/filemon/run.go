// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/held"
	"github.com/ferret-observability/ferret/internal/procfs"
)

// Syscalls are the syscalls a Monitor needs.
var Syscalls = []string{"open", "openat", "openat2", "creat", "read", "pread64", "readv", "preadv",
	"write", "pwrite64", "writev", "pwritev", "close", "clone", "clone3", "fork", "vfork", "execve",
	"execveat", "chdir", "fchdir", "dup", "dup2", "dup3"}

// Session is one `ferret files`: what to watch and how to write the records.
type Session struct {
	PIDs     []int
	Comms    []string
	Prefixes []string // absolute
	JSON     bool
	// UntilExit ends the session when the watched processes have exited
	// (always so with a Cmd).
	UntilExit bool
	// Cmd is a command to start held and watch from its execve.
	Cmd []string
	// Out receives the records; Warn the "watching" line, Started the
	// capture-started line (nil: none).
	Out, Warn, Started io.Writer
}

// Run watches the session's processes live and writes one record per
// closed file until they exit (UntilExit, Cmd) or a signal ends it; files
// still open are reported at the end. It returns the command's exit status.
func Run(s Session) (int, error) {
	opts := live.Options{Syscalls: Syscalls, EventTypes: []event.Type{event.ProcExit1E}, SnapLen: 1, NoSnapshot: true}
	var cmd *held.Cmd
	roots := append([]int(nil), s.PIDs...)
	if len(s.Cmd) > 0 {
		h, err := held.Start(s.Cmd)
		if err != nil {
			return 1, err
		}
		cmd = h
		roots = append(roots, h.PID)
	}
	if len(s.Comms) == 0 {
		// Only the trees of the roots: filter in the kernel.
		opts.PIDs, opts.FollowChildren = roots, true
	}
	src, err := live.Open(opts)
	if err != nil {
		cmd.Abort()
		return 1, err
	}
	defer src.Close()

	rw := &Writer{W: s.Out, JSON: s.JSON}
	if err := rw.WriteHeader(); err != nil {
		cmd.Abort()
		return 1, err
	}
	fo := Options{Prefixes: s.Prefixes, Comms: s.Comms}
	for _, p := range roots {
		fo.PIDs = append(fo.PIDs, int64(p))
	}
	if cmd != nil {
		fo.Held = []int64{int64(cmd.PID)}
	}
	m := New(fo, func(r *Record) { rw.Write(r) })
	if len(s.PIDs) > 0 || len(s.Comms) > 0 {
		// Processes of the trees (or named) that run already, and the
		// files they have open: the kernel follows only forks from now on.
		if err := preloadRunning(src, m, roots, len(s.Comms) == 0, s.Warn); err != nil {
			cmd.Abort()
			return 1, err
		}
	}
	capture.AnnounceStart(s.Started)
	var lastTS uint64
	loop := engine.Follow{
		Handle:  func(ev *event.Event) { lastTS = ev.TS; m.Handle(ev) },
		Idle:    flusher(s.Out),
		Command: cmd,
	}
	if s.UntilExit && cmd == nil {
		loop.Done = func() bool { return m.RootExited }
	}
	status, err := loop.Run(src)
	src.Stats().WriteLost(s.Warn, "ferret files")
	if err != nil {
		return status, err
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
func preloadRunning(src *live.Source, m *Monitor, roots []int, addRunning bool, warn io.Writer) error {
	snap, err := procfs.Scan(procfs.Options{NoEnv: true})
	if err != nil {
		return fmt.Errorf("read running processes: %w", err)
	}
	// The probe is attached: a root running now has its exit seen later.
	for _, pid := range roots {
		if !slices.ContainsFunc(snap.Threads, func(t event.Thread) bool { return t.PID == int64(pid) }) {
			return fmt.Errorf("process %d: no such process", pid)
		}
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
	if len(roots) > 0 && warn != nil {
		fmt.Fprintf(warn, "ferret files: watching %s and %d more running processes\n", pidList(roots), len(running))
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

// flusher returns a function flushing w if it buffers, else nil.
func flusher(w io.Writer) func() {
	if f, ok := w.(interface{ Flush() error }); ok {
		return func() { f.Flush() }
	}
	return nil
}
