// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/held"
	"github.com/ferret-observability/ferret/internal/procfs"
)

// Session is one `ferret trace`: the tracer's options and what to trace,
// a command to start (Cmd) or running processes (PIDs).
type Session struct {
	Options
	Cmd  []string
	PIDs []int
	// Warn receives the lost-events report, the capture-started line and
	// the attach and detach messages of -p (those two unless Quiet).
	Warn io.Writer
	// Separate, when set, writes each task's lines to Separate.TID (-ff).
	Separate string
	// Env sets (NAME=VALUE) or removes (NAME) variables of the command's
	// environment (-E).
	Env []string
	// User, when set, runs the command as that user (-u).
	User *held.User
}

// files writes each task's lines to its own PREFIX.TID file.
type files struct {
	prefix string
	open   map[int64]*bufio.Writer
	closer []*os.File
	err    error
}

func (f *files) writer(tid int64) io.Writer {
	if w, ok := f.open[tid]; ok {
		return w
	}
	fh, err := os.Create(f.prefix + "." + strconv.FormatInt(tid, 10))
	if err != nil {
		if f.err == nil {
			f.err = err
		}
		f.open[tid] = bufio.NewWriter(io.Discard)
		return f.open[tid]
	}
	f.closer = append(f.closer, fh)
	w := bufio.NewWriterSize(fh, 16<<10)
	f.open[tid] = w
	return w
}

func (f *files) flush() {
	for _, w := range f.open {
		w.Flush()
	}
}

func (f *files) close() error {
	f.flush()
	for _, fh := range f.closer {
		if err := fh.Close(); err != nil && f.err == nil {
			f.err = err
		}
	}
	f.closer = nil
	return f.err
}

// Run traces the session's command or processes live until the command
// exits (its status is returned), every traced task has exited, or a signal
// ends it (-p). Out is flushed whenever the probe has nothing pending.
func Run(s Session) (int, error) {
	var sep *files
	if s.Separate != "" {
		sep = &files{prefix: s.Separate, open: map[int64]*bufio.Writer{}}
		s.Options.Separate = sep.writer
		defer sep.close()
	}
	for _, kv := range s.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			os.Setenv(k, v)
		} else {
			os.Unsetenv(kv)
		}
	}
	tr := New(s.Options)
	snap := max(tr.opts.StrSize+1, live.DefaultSnapLen)
	if s.ReadFDs != nil || s.WriteFDs != nil {
		snap = live.MaxRawSnapLen // the dumps show whole buffers
	}
	// -c and -e signal=none show no signals: their programs are not loaded
	noSignals := s.Summary || s.Signals != nil && len(s.Signals) == 0
	opts := live.Options{FollowChildren: s.Follow, SnapLen: snap, NoSnapshot: true, Raw: Copies(),
		IgnoredSignals: !noSignals, NoSignals: noSignals}
	if s.Stack {
		opts.Raw = StackCopies()
	}
	opts.Raw = FullCopies(opts.Raw, s.Abbrev)
	if names, ok := s.Set.Names(); ok {
		// Record only the wanted syscalls, plus those the tracer needs to
		// follow processes.
		opts.Syscalls = append(names, "execve", "execveat", "clone", "clone3", "fork", "vfork", "exit", "exit_group")
		if s.DecodeFDs {
			opts.Syscalls = append(opts.Syscalls, fdCalls()...)
		}
		opts.EventTypes = []event.Type{event.ProcExit1E, event.SignalDelivE}
	}
	var cmd *held.Cmd
	if len(s.Cmd) > 0 {
		h, err := held.StartAs(s.Cmd, s.User)
		if err != nil {
			return 1, err
		}
		cmd = h
		opts.PIDs = []int{h.PID}
	} else {
		opts.PIDs = s.PIDs
	}
	src, err := live.Open(opts)
	if err != nil {
		cmd.Abort()
		return 1, err
	}
	defer src.Close()

	idle := flusher(s.Out)
	if sep != nil {
		out := idle
		idle = func() {
			sep.flush()
			if out != nil {
				out()
			}
		}
	}
	loop := engine.Follow{Handle: tr.Handle, Command: cmd, SignalsToCommand: true, Idle: idle}
	if cmd != nil {
		tr.Hold(int64(cmd.PID))
		// -y: the descriptors it has now, but for the hold pipe, which it
		// closes before its execve
		tr.loadFDs(int64(cmd.PID), int64(cmd.HoldFD))
		loop.Drained = func() bool { _, exited := tr.Exited(); return tr.Live() == 0 && exited }
	} else {
		for _, pid := range s.PIDs {
			tids := procfs.Threads(pid)
			if len(tids) == 0 {
				return 1, fmt.Errorf("attach: process %d: no such process", pid)
			}
			// strace attaches every thread of the process with -f, else
			// only the one named
			if !s.Follow {
				tids = []int{pid}
			}
			for _, tid := range tids {
				tr.Attach(int64(pid), int64(tid))
			}
			if s.Quiet == 0 && s.Warn != nil {
				if len(tids) > 1 && s.Follow {
					fmt.Fprintf(s.Warn, "ferret trace: Process %d attached with %d threads\n", pid, len(tids))
				} else {
					fmt.Fprintf(s.Warn, "ferret trace: Process %d attached\n", pid)
				}
			}
		}
		loop.Done = func() bool { return tr.Live() == 0 }
		loop.Drained = loop.Done
	}
	if s.Quiet == 0 {
		capture.AnnounceStart(s.Warn)
	}
	status, err := loop.Run(src)
	if err != nil {
		return status, err
	}
	if cmd == nil && s.Quiet == 0 && s.Warn != nil {
		for _, pid := range s.PIDs {
			if tr.Traced(int64(pid)) {
				fmt.Fprintf(s.Warn, "ferret trace: Process %d detached\n", pid)
			}
		}
	}
	if st, ok := tr.Exited(); ok && cmd != nil {
		status = st
	}
	if err := tr.Finish(); err != nil {
		return status, err
	}
	if sep != nil {
		if err := sep.close(); err != nil {
			return status, err
		}
	}
	src.Stats().WriteLost(s.Warn, "ferret trace")
	return status, nil
}

// flusher returns a function flushing w if it buffers, else nil.
func flusher(w io.Writer) func() {
	if f, ok := w.(interface{ Flush() error }); ok {
		return func() { f.Flush() }
	}
	return nil
}
