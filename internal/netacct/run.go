// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Source is the kernel side: cumulative flow counters and health.
type Source interface {
	// Flows appends every entry of the kernel map to dst.
	Flows(dst []Flow) ([]Flow, error)
	// Delete removes stale entries returned by the last Flows and returns
	// their values at the moment of deletion.
	Delete(keys []FlowKey) ([]Flow, error)
	Stats() (KernelStats, error)
}

// Tick is what one interval produced.
type Tick struct {
	Time     time.Time
	Every    time.Duration
	Interval Interval
	Totals   []Row // cumulative, bounded to top-K peers per program
	Kernel   KernelStats
	By       By
	// Latency holds the call-time histograms when the source times calls
	// (see LatencySource).
	Latency []Latency
}

// Sink consumes ticks (table printer, exporters). An error is reported and
// the run goes on.
type Sink interface {
	Tick(t *Tick) error
}

// Run reads src every interval, aggregates and hands each tick to the
// sinks, until ctx ends or count ticks were made (count <= 0: no limit).
// A final tick is made when ctx ends. Sink errors go to onErr.
func Run(ctx context.Context, src Source, agg *Aggregator, every time.Duration, count int, onErr func(error), sinks ...Sink) error {
	tk := time.NewTicker(every)
	defer tk.Stop()
	var flows []Flow
	for n := 0; count <= 0 || n < count; n++ {
		final := false
		select {
		case <-ctx.Done():
			final = true
		case <-tk.C:
		}
		var err error
		flows, err = src.Flows(flows[:0])
		if err != nil {
			return err
		}
		t := &Tick{Time: time.Now(), Every: every, By: agg.By()}
		t.Interval = agg.Update(flows)
		t.Totals = agg.Totals()
		if t.Kernel, err = src.Stats(); err != nil {
			return err
		}
		if ls, ok := src.(LatencySource); ok {
			if t.Latency, err = ls.Latencies(); err != nil {
				return err
			}
		}
		if len(t.Interval.Stale) > 0 {
			final, err := src.Delete(t.Interval.Stale)
			if err != nil {
				onErr(err)
			}
			agg.Deleted(final)
		}
		for _, s := range sinks {
			if err := s.Tick(t); err != nil {
				onErr(err)
			}
		}
		if final {
			return nil
		}
	}
	return nil
}

// TableSink prints each interval as a table.
type TableSink struct {
	W    io.Writer
	TopK int // per-program peer rows shown (0: all)
}

// Tick implements Sink.
func (s *TableSink) Tick(t *Tick) error {
	k := t.Kernel
	if _, err := fmt.Fprintf(s.W, "%s  interval %s  flows %d/%d (%.1f%%)  calls %d  dropped %d\n",
		t.Time.Format("2006-01-02 15:04:05"), t.Every, k.Entries, k.MaxEntries, 100*k.Pressure(), k.Calls, k.Drops()); err != nil {
		return err
	}
	if err := WriteTable(s.W, t.By, TopK(t.Interval.Rows, s.TopK), t.Interval.Total); err != nil {
		return err
	}
	_, err := fmt.Fprintln(s.W)
	return err
}
