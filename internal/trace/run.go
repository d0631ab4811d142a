// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"fmt"
	"io"

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
	// Warn receives the lost-events report.
	Warn io.Writer
}

// Run traces the session's command or processes live until the command
// exits (its status is returned), every traced task has exited, or a signal
// ends it (-p). Out is flushed whenever the probe has nothing pending.
func Run(s Session) (int, error) {
	tr := New(s.Options)
	opts := live.Options{FollowChildren: s.Follow, SnapLen: max(tr.opts.StrSize+1, live.DefaultSnapLen), NoSnapshot: true, Raw: Copies()}
	if names, ok := s.Set.Names(); ok {
		// Record only the wanted syscalls, plus those the tracer needs to
		// follow processes.
		opts.Syscalls = append(names, "execve", "execveat", "clone", "clone3", "fork", "vfork", "exit", "exit_group")
		opts.EventTypes = []event.Type{event.ProcExit1E, event.SignalDelivE}
	}
	var cmd *held.Cmd
	if len(s.Cmd) > 0 {
		h, err := held.Start(s.Cmd)
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

	loop := engine.Follow{Handle: tr.Handle, Command: cmd, SignalsToCommand: true, Idle: flusher(s.Out)}
	if cmd != nil {
		tr.Hold(int64(cmd.PID))
		loop.Drained = func() bool { _, exited := tr.Exited(); return tr.Live() == 0 && exited }
	} else {
		for _, pid := range s.PIDs {
			tids := procfs.Threads(pid)
			if len(tids) == 0 {
				return 1, fmt.Errorf("attach: process %d: no such process", pid)
			}
			for _, tid := range tids {
				tr.Attach(int64(pid), int64(tid))
			}
		}
		loop.Done = func() bool { return tr.Live() == 0 }
		loop.Drained = loop.Done
	}
	status, err := loop.Run(src)
	if err != nil {
		return status, err
	}
	if st, ok := tr.Exited(); ok && cmd != nil {
		status = st
	}
	if err := tr.Finish(); err != nil {
		return status, err
	}
	if st := src.Stats(); st.TotalDrops() > 0 && s.Warn != nil {
		fmt.Fprintf(s.Warn, "ferret trace: %d events lost\n", st.TotalDrops())
	}
	return status, nil
}

// flusher returns a function flushing w if it buffers, else nil.
func flusher(w io.Writer) func() {
	if f, ok := w.(interface{ Flush() error }); ok {
		return func() { f.Flush() }
	}
	return nil
}
