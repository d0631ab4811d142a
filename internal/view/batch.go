// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"

	"github.com/ferret-observability/ferret/internal/capture"
	"io"

	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// Batch is an engine consumer that prints a view's samples as csysdig's
// --raw or -j output. Capture files give one sample at their end (after an
// empty one, as csysdig prints it); live sources one every Interval.
type Batch struct {
	Table *Table
	Out   io.Writer
	JSON  bool
	// Live selects a sample every Interval nanoseconds of event time, the
	// rate values being per Interval; otherwise the sample covers the
	// whole capture.
	Live     bool
	Interval uint64
	// Target is the drill-down target view and UserFilter the
	// command-line filter, for the JSON info section.
	Target     *Def
	UserFilter string
	// From and To select the rows of each JSON sample (To 0: all).
	From, To int
	// Flows gives a view of flow records its rows (live).
	Flows *Flows

	st        *state.State
	ctx       *fields.Ctx
	first     uint64
	last      uint64
	nextFlush uint64
	lastTS    uint64
	ended     int
}

// OnCaptureStart implements engine.Consumer.
func (b *Batch) OnCaptureStart(r *engine.Run) error {
	b.st, b.ctx = r.State, r.Ctx
	if b.JSON {
		_, err := io.WriteString(b.Out, "{\"slices\": [\n{\"progress\": 0},\n")
		return err
	}
	return nil
}

// OnEvent implements engine.Consumer.
func (b *Batch) OnEvent(c *fields.Ctx) error {
	ts := c.Ev.TS
	if b.first == 0 {
		b.first = ts
	}
	b.last = ts
	b.lastTS = ts
	if b.Live && (ts > b.nextFlush || b.nextFlush-ts > 2*b.interval()) {
		// (A sample clock far ahead of the events, set by a stray
		// timestamp, would hold back every sample while the rows grow:
		// it starts again from this event.)
		if err := b.endOfSample(c, ts); err != nil {
			return err
		}
	}
	return b.Table.Process(c)
}

// endOfSample closes the current sample (csysdig's flush: nothing is
// emitted by the first one, which only starts the clock) and prints it.
func (b *Batch) endOfSample(c *fields.Ctx, ts uint64) error {
	var rows []*Row
	emitted := b.nextFlush != 0
	if b.Table.flows && b.Flows != nil {
		// (The first read only starts the counts.)
		if rates := b.Flows.read(b.interval()); emitted {
			b.Table.ProcessFlows(c, b.st, rates, ts)
		}
	}
	if emitted {
		b.Table.ProcessThreads(c, b.st, ts)
		if err := b.Table.ThreadIOErr(); err != nil {
			return err
		}
		rows = b.Table.Sample()
	} else if b.Table.list {
		rows = b.Table.Sample()
	}
	iv := b.interval()
	b.nextFlush = ts - ts%iv + iv
	delta := b.Interval
	if !b.Live {
		delta = b.last - b.first
	}
	if b.JSON {
		if !b.Live && b.ended == 0 {
			return nil
		}
		return b.Table.WriteJSON(b.Out, RowRange(rows, b.From, b.To), delta, b.Table.Info(b.Target, b.UserFilter))
	}
	return b.Table.WriteRaw(b.Out, rows, delta)
}

func (b *Batch) interval() uint64 {
	if b.Interval == 0 {
		return 2 * nsPerSec
	}
	return b.Interval
}

// OnCaptureEnd implements engine.Consumer: a capture file's sample is
// printed at its end.
func (b *Batch) OnCaptureEnd(r *engine.Run) error {
	var err error
	if n := r.Options().MaxEvents; n > 0 && r.Stats.Accepted >= n {
		// Stopped by -n before the end: csysdig prints no sample then.
		b.ctx = nil
	}
	if b.ctx != nil && b.ctx.Ev != nil && !b.Live {
		for b.ended = 0; b.ended < 2 && err == nil; b.ended++ {
			err = b.endOfSample(b.ctx, b.lastTS)
		}
	} else if b.ctx != nil && b.ctx.Ev != nil && b.Live && b.nextFlush != 0 {
		err = b.endOfSample(b.ctx, b.lastTS)
	}
	if b.JSON {
		if _, e := io.WriteString(b.Out, "]}\n"); err == nil {
			err = e
		}
	}
	return err
}

// BatchConfig configures RunBatch.
type BatchConfig struct {
	View       string // view id
	Filter     string
	JSON       bool
	Live       bool
	Interval   uint64 // ns between live samples
	MaxEvents  uint64
	Containers bool
	// Views is the catalogue to pick from (nil: Load(nil) with sysdig's
	// installed definitions where present).
	Views *Catalog
	Out   io.Writer
	// Stop, when closed, ends the run (interrupt).
	Stop <-chan struct{}
	// SortingCol, From and To are Config's.
	SortingCol int
	From, To   int
	// Flows are the network counters of a view of flow records.
	Flows *Flows
	// ThreadIO, when set, serves the I/O columns of a table it can
	// (UseThreadIO).
	ThreadIO *ThreadIO
}

// RowRange returns rows from..to (0-based, inclusive), as csysdig's --from
// and --to select them for -j; to 0 selects all.
func RowRange(rows []*Row, from, to int) []*Row {
	if to == 0 {
		return rows
	}
	if from >= len(rows) || from < 0 {
		return nil
	}
	return rows[from:min(to+1, len(rows))]
}

// CheckRange reports an invalid --from/--to pair as csysdig does.
func CheckRange(from, to int) error {
	if to < from {
		return fmt.Errorf("'to' argument cannot be smaller than the 'from' one.")
	}
	return nil
}

// ApplySortingCol sorts t by the 1-based visible column col of
// --sortingcol, in the column's natural order (numbers descending, text
// ascending); 0 and columns out of range leave the view's order.
func ApplySortingCol(t *Table, col int) {
	if col < 1 || col > t.Visible() {
		return
	}
	t.SortBy(col-1, t.valueCol(col-1).vt == vText)
}

// RunBatch prints a view over src as csysdig --raw / -j does.
func RunBatch(src capture.Source, cfg BatchConfig) error {
	cat := cfg.Views
	if cat == nil {
		defs, _ := Load(nil)
		cat = NewCatalog(defs, cfg.Containers, cfg.JSON)
	}
	id := cfg.View
	if id == "" {
		id = "procs"
	}
	d := cat.Find(id)
	if d == nil {
		return fmt.Errorf("unknown view %s - use --list-views to list them", id)
	}
	t, err := NewTable(d, Options{Filter: cfg.Filter})
	if err != nil {
		return err
	}
	t.ReuseRows = true // each sample is printed before the next
	t.Track = cfg.Live // one pass per sample
	ApplySortingCol(t, cfg.SortingCol)
	t.UseThreadIO(cfg.ThreadIO)
	b := &Batch{Table: t, Out: cfg.Out, JSON: cfg.JSON, Live: cfg.Live, Interval: cfg.Interval, UserFilter: cfg.Filter,
		From: cfg.From, To: cfg.To, Flows: cfg.Flows}
	if t.flows && cfg.Flows == nil {
		return errFlowsLive(d)
	}
	if d.Drilldown != "" {
		b.Target = cat.Find(d.Drilldown)
	}
	run := engine.New(src, EngineOptions(cfg.MaxEvents), b)
	if cfg.Stop != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-cfg.Stop:
				run.Stop()
			case <-done:
			}
		}()
	}
	return run.Loop()
}

// EngineOptions are the engine options of a view run: no capture filter
// (views filter events themselves, so every event updates the state and
// I/O lengths are known for every I/O exit) and an optional event limit.
func EngineOptions(maxEvents uint64) engine.Options {
	return engine.Options{MaxEvents: maxEvents}
}
