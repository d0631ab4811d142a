// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
)

// lateSource is a lagging source (capture.Lagging) on a clock that ticks
// once per Next call. Each event happened at its TS but is only returned
// at its Num tick, as a live source returns events still held in a CPU's
// buffer; in between Next times out.
type lateSource struct {
	evs   []*event.Event
	i     int
	now   uint64
	marks int
}

func (s *lateSource) Snapshot() *event.Snapshot { return &event.Snapshot{} }
func (s *lateSource) Stats() capture.Stats      { return capture.Stats{} }
func (s *lateSource) Close() error              { return nil }
func (s *lateSource) Next() (*event.Event, error) {
	s.now++
	if s.i < len(s.evs) && s.evs[s.i].Num <= s.now {
		s.i++
		return s.evs[s.i-1], nil
	}
	return nil, capture.ErrTimeout
}
func (s *lateSource) Mark() uint64 { s.marks++; return s.now }
func (s *lateSource) Caught(mark uint64) bool {
	for _, ev := range s.evs[s.i:] {
		if ev.TS <= mark {
			return false
		}
	}
	return true
}

// TestFollowWaitsForLaggingSource stops a run on its first event while
// the source still holds older events: the run reads every event that
// happened before the stop was seen, however many times the source is idle
// meanwhile, and none after.
func TestFollowWaitsForLaggingSource(t *testing.T) {
	mk := func(ts, num uint64) *event.Event { return &event.Event{TS: ts, Num: num} }
	// the stop is seen at tick 1; the second event happened at 1 but is
	// returned at tick 20, the third happened after the stop
	src := &lateSource{evs: []*event.Event{mk(0, 1), mk(1, 20), mk(30, 31)}}
	var got []uint64
	f := Follow{
		Handle: func(ev *event.Event) { got = append(got, ev.Num) },
		Done:   func() bool { return len(got) > 0 },
	}
	if _, err := f.Run(src); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != 20 {
		t.Errorf("handled %v, want [1 20]", got)
	}
	if src.marks != 1 {
		t.Errorf("%d marks, want 1", src.marks)
	}
}

// TestFollowDrainedEndsEarly: Drained ends the drain before the mark is
// caught.
func TestFollowDrainedEndsEarly(t *testing.T) {
	src := &lateSource{evs: []*event.Event{{Num: 1}, {TS: 1, Num: 50}}}
	n := 0
	f := Follow{
		Handle:  func(*event.Event) { n++ },
		Done:    func() bool { return n > 0 },
		Drained: func() bool { return n > 0 },
	}
	if _, err := f.Run(src); err != nil {
		t.Fatal(err)
	}
	if n != 1 || src.now != 1 {
		t.Errorf("%d events in %d ticks, want 1 in 1", n, src.now)
	}
}
