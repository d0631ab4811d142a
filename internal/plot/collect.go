// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"fmt"

	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/hist"
)

// Data is what a picture is drawn from: the aggregated counts and the
// capture's time range.
type Data struct {
	Opts Options
	// Grid holds heat map, spectrogram and subsecond counts: time rows ×
	// hist buckets (heatmap, spectrogram) or offset columns (subsecond).
	Grid *hist.Grid
	// Sums holds timeline values per key and interval.
	Sums *hist.Sums
	// Kind of the value field (durations get time units).
	ValueKind fields.Kind
	// FirstTS and LastTS bound the events read (all of them, not only the
	// selected ones, but not the state records that open capture files).
	FirstTS, LastTS uint64
	// Read counts the events read from the source; Events those
	// aggregated; NoValue those selected by the filter that had no value
	// for the field or key.
	Read, Events, NoValue uint64
}

// collector is the engine consumer that aggregates events into Data.
type collector struct {
	d      *Data
	val    fields.Extractor
	key    fields.Extractor
	v      fields.Value
	kv     fields.Value
	keyBuf []byte
	period uint64
	cols   uint64
	// first and last are the times of the first and last events read
	// (not counting the state records at the start of capture files).
	first, last uint64
}

func newCollector(o Options) (*collector, error) {
	d := &Data{Opts: o}
	c := &collector{d: d}
	iv := uint64(o.Interval)
	var err error
	if o.Field != "" {
		if c.val, err = fields.CompileToken(o.Field); err != nil {
			return nil, fmt.Errorf("--field: %w", err)
		}
		f, ok := fields.Default.Field(fieldName(o.Field))
		if ok {
			d.ValueKind = f.Kind
		}
	}
	switch o.Kind {
	case Heatmap, Spectrogram:
		d.Grid = hist.NewGrid(iv, hist.NumBuckets)
	case Subsecond:
		d.Grid = hist.NewGrid(iv, o.Columns)
		c.period, c.cols = iv, uint64(o.Columns)
	case Timeline:
		d.Sums = hist.NewSums(iv)
		if c.key, err = fields.CompileToken(o.By); err != nil {
			return nil, fmt.Errorf("--by: %w", err)
		}
	}
	return c, nil
}

// fieldName strips an argument ("evt.arg.size" stays, "evt.arg[1]" loses
// the index) to find the registry entry.
func fieldName(tok string) string {
	name, _, _, ok := fields.Lookup(tok)
	if !ok {
		return tok
	}
	return name
}

func (c *collector) OnCaptureStart(*engine.Run) error { return nil }

// OnClock sees every event before the filter: the time axis covers the
// whole capture, quiet stretches included.
func (c *collector) OnClock(ctx *fields.Ctx) error {
	if internal(ctx) {
		return nil
	}
	if c.first == 0 {
		c.first = ctx.Ev.TS
	}
	c.last = ctx.Ev.TS
	return nil
}

func (c *collector) OnEvent(ctx *fields.Ctx) error {
	if internal(ctx) {
		return nil
	}
	ts := ctx.Ev.TS
	d := c.d
	switch d.Opts.Kind {
	case Subsecond:
		col := int((ts % c.period) * c.cols / c.period)
		d.Grid.Add(ts, col)
	case Timeline:
		v, ok := c.value(ctx)
		if !ok || !c.key.Extract(ctx, &c.kv) {
			d.NoValue++
			return nil
		}
		c.keyBuf = fields.AppendText(c.keyBuf[:0], ctx, c.key, &c.kv)
		d.Sums.Add(ts, c.keyBuf, v)
	default:
		v, ok := c.value(ctx)
		if !ok {
			d.NoValue++
			return nil
		}
		d.Grid.Add(ts, hist.Bucket(v))
	}
	d.Events++
	return nil
}

// internal reports process and container records and notifications, which
// ferret -r does not show either (and whose times may precede the capture).
func internal(ctx *fields.Ctx) bool {
	info := ctx.Ev.Type.Info()
	return info != nil && info.Category&event.CatInternal != 0
}

// value extracts the value field as an unsigned number; negative and
// missing values have none.
func (c *collector) value(ctx *fields.Ctx) (uint64, bool) {
	if !c.val.Extract(ctx, &c.v) {
		return 0, false
	}
	return numeric(&c.v)
}

func numeric(v *fields.Value) (uint64, bool) {
	switch v.Kind {
	case fields.KindInt64:
		if v.Int < 0 {
			return 0, false
		}
		return uint64(v.Int), true
	case fields.KindDouble:
		if v.Float < 0 || v.Float != v.Float {
			return 0, false
		}
		return uint64(v.Float), true
	case fields.KindBool:
		if v.Uint != 0 || v.Int != 0 {
			return 1, true
		}
		return 0, true
	case fields.KindUint64, fields.KindRelTime, fields.KindAbsTime, fields.KindPort:
		return v.Uint, true
	}
	return 0, false
}

func (c *collector) OnCaptureEnd(r *engine.Run) error {
	d := c.d
	d.FirstTS, d.LastTS, d.Read = c.first, c.last, r.Stats.Read
	if d.FirstTS == 0 {
		return nil
	}
	if d.Grid != nil {
		d.Grid.Extend(d.FirstTS)
		d.Grid.Extend(d.LastTS)
	}
	if d.Sums != nil {
		d.Sums.Extend(d.FirstTS)
		d.Sums.Extend(d.LastTS)
	}
	return nil
}
