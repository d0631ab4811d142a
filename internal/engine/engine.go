// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// Filter decides whether the current event is accepted. The filter package
// implements it.
type Filter interface {
	Match(c *fields.Ctx) bool
}

// FilterErr is implemented by filters that can fail while evaluating (an
// operator rejected on the first comparison). After Match returns false the
// engine checks Err and ends the run with that error.
type FilterErr interface {
	Err() error
}

// Consumer receives the events of a run.
//
// OnCaptureStart is called once the source is open, before the first event.
// OnEvent is called for every event that passed the filter, after the state
// was updated with it; returning ErrStop ends the run cleanly (the remaining
// consumers still see the event). OnCaptureEnd is called once at the end of
// the run, also when it stops early or fails.
type Consumer interface {
	OnCaptureStart(r *Run) error
	OnEvent(c *fields.Ctx) error
	OnCaptureEnd(r *Run) error
}

// Clock is implemented by consumers that must see the timestamp of every
// event, including events the filter rejects (chisel interval timers).
// OnClock is called before the filter is evaluated; c.Ev is the new event
// but the state may not yet reflect it.
type Clock interface {
	OnClock(c *fields.Ctx) error
}

// Rejecter is implemented by consumers that must also see the events the
// filter rejected and the state-only events of capture files (a capture
// writer in fat-file mode keeps the state-changing ones).
type Rejecter interface {
	OnRejected(c *fields.Ctx) error
}

// Idler is implemented by consumers that want a call when a live source has
// no event ready (to flush output or run wall-clock work).
type Idler interface {
	OnIdle(r *Run) error
}

// initialState marks the event types that, at the start of a capture,
// are state rather than events (container metadata).
var initialState = func() (m [event.MaxType]bool) {
	for _, t := range event.ByName("container") {
		m[t] = true
	}
	return m
}()

// containerJSON marks the container metadata events that carry JSON.
var containerJSON = func() (m [event.MaxType]bool) {
	for _, t := range event.ByName("container") {
		m[t] = t != event.EvContainerE
	}
	return m
}()

// DisplayFiltered is implemented by the consumers a display filter (-d)
// applies to; the summary, capture writers and chisels see every event.
type DisplayFiltered interface {
	DisplayFiltered()
}

// ErrStop asks the engine to end the run without error.
var ErrStop = errors.New("capture ended")

// Options configure a run.
type Options struct {
	// Filter is the command-line filter (nil accepts everything).
	Filter Filter
	// Display makes Filter a display filter (-d): every event updates the
	// state and reaches every consumer, except those implementing
	// DisplayFiltered (the event printer), which receive only the events
	// the filter accepts. Otherwise it is a capture filter (see Run).
	Display bool
	// MaxEvents stops the run after that many events (-n; 0 = no limit):
	// events accepted by a capture filter, or all events with a display
	// filter.
	MaxEvents uint64
	// MaxDuration stops the run once an event is more than that many
	// nanoseconds of trace time after the first one (-M; 0 = no limit).
	MaxDuration uint64
	// State options.
	State state.Options
	// Ctx, when not nil, is called once with the context of the run before
	// the first event so the caller can set rendering modes (buffer format,
	// time mode, print length).
	Ctx func(c *fields.Ctx)
}

// Stats are the counters of a run.
type Stats struct {
	Read      uint64 // events read from the source
	Accepted  uint64 // events that passed the filter and reached consumers
	StateOnly uint64 // state-only events of capture files (never shown)
	FirstTS   uint64
	LastTS    uint64
}

// Run is one pass over a source.
type Run struct {
	Source    capture.Source
	State     *state.State
	Ctx       *fields.Ctx
	Stats     Stats
	opts      Options
	consumers []Consumer
	clocks    []Clock
	idlers    []Idler
	rejecters []Rejecter
	display   []bool // consumers[i] implements DisplayFiltered
	stop      atomic.Bool
	finish    atomic.Bool
	// states holds one state per machine of a capture.MachineSource
	// (states[0] is the first State); machine is the index of State.
	states  []*state.State
	machine int
}

// New prepares a run over src. The state is loaded from src.Snapshot().
// A source that implements capture.ThreadLookup answers the state's
// questions about threads its snapshot missed, unless opts.State.Lookup is
// set; one that implements capture.MountNSLookup tells the mount
// namespaces of threads that change namespace. Such a source watches the machine itself, so containers met in its
// threads' cgroups are looked up on the machine too (opts.State.Containers
// defaults to a container.Resolver); capture files only know the container
// metadata they carry.
func New(src capture.Source, opts Options, consumers ...Consumer) *Run {
	if l, ok := src.(capture.ThreadLookup); ok {
		if opts.State.Lookup == nil {
			opts.State.Lookup = l.LookupThread
		}
		if opts.State.Alive == nil {
			opts.State.Alive = l.ThreadAlive
		}
		if opts.State.Containers == nil {
			opts.State.Containers = container.NewResolver()
		}
	}
	if l, ok := src.(capture.MountNSLookup); ok && opts.State.MountNS == nil {
		opts.State.MountNS, opts.State.MountTable = l.MountNS, l.MountTable
	}
	st := state.New(opts.State)
	st.Load(src.Snapshot())
	r := &Run{Source: src, State: st, Ctx: fields.NewCtx(st), opts: opts, consumers: consumers, states: []*state.State{st}}
	for _, c := range consumers {
		_, df := c.(DisplayFiltered)
		r.display = append(r.display, df)
		if k, ok := c.(Clock); ok {
			r.clocks = append(r.clocks, k)
		}
		if k, ok := c.(Idler); ok {
			r.idlers = append(r.idlers, k)
		}
		if k, ok := c.(Rejecter); ok {
			r.rejecters = append(r.rejecters, k)
		}
	}
	if opts.Ctx != nil {
		opts.Ctx(r.Ctx)
	}
	return r
}

// Stop asks the run to end after the current event. It is safe to call
// from another goroutine (signal handlers).
func (r *Run) Stop() { r.stop.Store(true) }

// Finish asks the run to end once the source has returned every event that
// happened before the call (a capture.Lagging source: a live capture holds
// events in per-CPU batches, its ring and its backlog), so that ending a
// capture loses nothing it recorded. A source that does not lag stops after
// the current event, as with Stop; so does a lagging one that has not
// caught up DrainTime after its last event, or FinishTime after the call.
// It is safe to call from another goroutine; Stop still ends the run at
// once.
func (r *Run) Finish() { r.finish.Store(true) }

// FinishTime bounds the drain after Finish (a backlog that takes longer to
// handle is left; a live source counts it as lost).
const FinishTime = 10 * time.Second

// Stopped reports whether Stop was called.
func (r *Run) Stopped() bool { return r.stop.Load() }

// Options returns the run's options.
func (r *Run) Options() Options { return r.opts }

// Loop runs the capture to its end: EOF, -n/-M limits, Stop, ErrStop from a
// consumer, or an error. Every consumer's OnCaptureEnd is called before it
// returns. The source is not closed.
func (r *Run) Loop() (err error) {
	for _, c := range r.consumers {
		if err := c.OnCaptureStart(r); err != nil {
			if errors.Is(err, ErrStop) {
				return r.end(nil)
			}
			return r.end(err)
		}
	}
	return r.end(r.loop())
}

func (r *Run) end(err error) error {
	for _, c := range r.consumers {
		if e := c.OnCaptureEnd(r); e != nil && err == nil && !errors.Is(e, ErrStop) {
			err = e
		}
	}
	return err
}

func (r *Run) loop() error {
	ctx := r.Ctx
	sec, _ := r.Source.(capture.SectionSource)
	ms, _ := r.Source.(capture.MachineSource)
	flt := r.opts.Filter
	fe, _ := flt.(FilterErr)
	leading := true // still in the capture's leading container metadata
	lag, lagging := r.Source.(capture.Lagging)
	var mark uint64
	var progress, finishAt time.Time // when the drain after Finish last got an event, began
	finishing := false
	for !r.stop.Load() {
		if r.finish.Load() {
			if !finishing {
				if !lagging {
					return nil
				}
				finishing, mark, progress = true, lag.Mark(), time.Now()
				finishAt = progress
			}
			if lag.Caught(mark) || time.Since(progress) > DrainTime || time.Since(finishAt) > FinishTime {
				return nil
			}
		}
		ev, err := r.Source.Next()
		if finishing && err == nil {
			progress = time.Now()
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			if errors.Is(err, capture.ErrTimeout) {
				for _, c := range r.idlers {
					if err := c.OnIdle(r); err != nil {
						return stopErr(err)
					}
				}
				continue
			}
			return fmt.Errorf("reading events: %w", err)
		}
		if ms != nil {
			r.useMachine(ms.Machine())
		}
		if sec != nil && sec.NewSection() {
			r.State.Load(r.Source.Snapshot())
		}
		st := &r.Stats
		st.Read++
		leading = leading && initialState[ev.Type]
		if st.FirstTS == 0 && !containerJSON[ev.Type] {
			// The capture's time starts at its first event; sysdig does
			// not count container JSON metadata, even leading.
			st.FirstTS = ev.TS
			ctx.FirstTS = ev.TS
		}
		if leading {
			// Like sysdig, the container events a capture starts with
			// are its initial state: they feed the container table and
			// count in evt.num, but are not events of the capture (never
			// shown, filtered or handed to chisels). Later ones are
			// events like any other. sysdig does run its filter on them
			// (its verdict is dropped), which fields that remember their
			// last value (container.type) see.
			ctx.Ev = ev
			r.State.Update(ev)
			st.StateOnly++
			if flt != nil {
				flt.Match(ctx)
				if fe != nil {
					if err := fe.Err(); err != nil {
						return err
					}
				}
			}
			if err := r.rejected(); err != nil {
				return err
			}
			continue
		}
		if r.opts.MaxDuration > 0 && ev.TS-st.FirstTS > r.opts.MaxDuration {
			return nil
		}
		ctx.PrevTS = st.LastTS
		st.LastTS = ev.TS
		ctx.Ev = ev
		if ev.DumpFlags&event.DumpStateOnly != 0 {
			// State-only events of fat files feed the tables but are not
			// shown or handed to chisels (a capture filter may still keep
			// one from being parsed, see update).
			r.update(ev, flt)
			st.StateOnly++
			if err := r.rejected(); err != nil {
				return err
			}
			continue
		}
		for _, c := range r.clocks {
			if err := c.OnClock(ctx); err != nil {
				return stopErr(err)
			}
		}
		shown := true // by a display filter
		if r.opts.Display && flt != nil {
			r.State.Update(ev)
			shown = flt.Match(ctx)
			if fe != nil && !shown {
				if err := fe.Err(); err != nil {
					return err
				}
			}
		} else if !r.update(ev, flt) {
			if fe != nil {
				if err := fe.Err(); err != nil {
					return err
				}
			}
			if err := r.rejected(); err != nil {
				return err
			}
			if r.limit() {
				return nil
			}
			continue
		}
		st.Accepted++
		var stop bool
		for i, c := range r.consumers {
			if !shown && r.display[i] {
				continue
			}
			if err := c.OnEvent(ctx); err != nil {
				if !errors.Is(err, ErrStop) {
					return err
				}
				stop = true
			}
		}
		if stop || r.limit() {
			return nil
		}
	}
	return nil
}

// update runs the state machine on ev and the capture filter flt (none
// when nil or a display filter) on it, and reports whether flt accepted it.
// As in sysdig, an event that does not modify state is judged after its
// thread and fd are looked up but before it is parsed, and one refused then
// is not parsed at all (its thread forgets its pending enter event); the
// others are judged once parsed. Without a filter it is State.Update.
func (r *Run) update(ev *event.Event, flt Filter) bool {
	if flt == nil || r.opts.Display {
		r.State.Update(ev)
		return true
	}
	r.State.Prepare(ev, true)
	// (ferret also parses unshare, setns and its mount-namespace
	// records, see event.Type.MountNSState)
	if info := ev.Info(); info != nil && info.Flags&event.FlagModifiesState == 0 && !ev.Type.MountNSState() {
		if !flt.Match(r.Ctx) {
			r.State.Reject()
			return false
		}
		r.State.Parse()
		return true
	}
	r.State.Parse()
	return flt.Match(r.Ctx)
}

// useMachine makes the state of machine i current (creating it on the
// machine's first event, which a MachineSource reports as a new section).
func (r *Run) useMachine(i int) {
	if i == r.machine || i < 0 {
		return
	}
	for len(r.states) <= i {
		r.states = append(r.states, state.New(r.opts.State))
	}
	r.machine = i
	r.State = r.states[i]
	r.Ctx.State = r.State
}

func (r *Run) rejected() error {
	for _, c := range r.rejecters {
		if err := c.OnRejected(r.Ctx); err != nil {
			return stopErr(err)
		}
	}
	return nil
}

// limit reports whether -n is reached: it counts the events a capture
// filter accepted, or every event with a display filter (as sysdig does).
func (r *Run) limit() bool {
	if r.opts.MaxEvents == 0 {
		return false
	}
	n := r.Stats.Accepted
	if r.opts.Display {
		n = r.Stats.Read - r.Stats.StateOnly
	}
	return n >= r.opts.MaxEvents
}

func stopErr(err error) error {
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}
