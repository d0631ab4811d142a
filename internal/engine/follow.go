// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/held"
)

// DrainTime bounds how long a finished Follow waits for a lagging source to
// catch up with the moment the run ended (a CPU that never answers); a
// source that is not lagging is drained when it was idle twice.
const DrainTime = 2 * time.Second

// Follow is the loop of the tools that follow processes live and keep their
// own tables (ferret trace, files, netfs): it hands every event of a live
// source to Handle until a stop condition holds, then drains what the probe
// still holds.
//
// The run ends at once on EOF, on SIGINT/SIGTERM (unless SignalsToCommand)
// and when Tick asks for it. It ends after a drain when the held Command
// exits or Done reports true: the loop keeps reading until Drained reports
// true or the source has returned every event that happened before that
// moment (capture.Lagging: the moment is marked when the stop is seen, so
// after the command's exit), or, for a source that is not lagging, until it
// was idle twice. DrainTime bounds the drain.
type Follow struct {
	// Handle receives every event.
	Handle func(ev *event.Event)
	// Idle, when set, is called whenever the source has nothing ready
	// (flush output so that a pipe does not wait for a full buffer).
	Idle func()
	// Command, when set, is a held command: Run releases it first and
	// returns its exit status once it has exited.
	Command *held.Cmd
	// SignalsToCommand leaves SIGINT and SIGTERM to the Command (they reach
	// its process group too): the run ends when the command does.
	SignalsToCommand bool
	// Done, when set, is the stop predicate checked after each event and
	// idle poll (no traced task left, the watched processes exited).
	Done func() bool
	// Drained, when set, ends the drain early (every task reported its
	// exit).
	Drained func() bool
	// Every, when positive, calls Tick that often (wall clock); Tick
	// returning true ends the run at once (N intervals done).
	Every time.Duration
	Tick  func() (stop bool)
}

// Run follows src to the end and returns the Command's exit status (0
// without a command, 1 with an error). The source is not closed.
func (f *Follow) Run(src capture.Source) (int, error) {
	var waited chan int
	if f.Command != nil {
		if err := f.Command.Release(); err != nil {
			f.Command.Abort()
			return 1, err
		}
		waited = make(chan int, 1)
		go func() { waited <- f.Command.Wait() }()
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	var next time.Time
	if f.Every > 0 {
		next = time.Now().Add(f.Every)
	}
	status, done, idle := 0, false, 0
	var doneAt time.Time
	lag, lagging := src.(capture.Lagging)
	var mark uint64
	for {
		ev, err := src.Next()
		switch {
		case err == nil:
			idle = 0
			f.Handle(ev)
		case errors.Is(err, capture.ErrTimeout):
			if f.Idle != nil {
				f.Idle()
			}
			if done {
				idle++
			}
		case errors.Is(err, io.EOF):
			return status, nil
		default:
			return 1, err
		}
		if !done {
			select {
			case status = <-waited:
				done = true
			case <-sigs:
				if waited == nil || !f.SignalsToCommand {
					return status, nil
				}
			default:
			}
			if !done && f.Done != nil && f.Done() {
				done = true
			}
			if done {
				doneAt = time.Now()
				if lagging {
					mark = lag.Mark()
				}
			}
		}
		if f.Every > 0 {
			if now := time.Now(); !now.Before(next) {
				if f.Tick() {
					return status, nil
				}
				next = now.Add(f.Every)
			}
		}
		if done && f.drained(lag, mark, idle, doneAt) {
			return status, nil
		}
	}
}

// drained reports whether a finished run has read what it waits for (see
// Follow).
func (f *Follow) drained(lag capture.Lagging, mark uint64, idle int, doneAt time.Time) bool {
	switch {
	case f.Drained != nil && f.Drained():
		return true
	case lag != nil:
		return lag.Caught(mark) || time.Since(doneAt) > DrainTime
	}
	return idle >= 2 || time.Since(doneAt) > DrainTime
}
