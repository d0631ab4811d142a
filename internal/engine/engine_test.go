// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// fakeSource replays a fixed list of events.
type fakeSource struct {
	evs []*event.Event
	i   int
	err error // returned after the events instead of io.EOF
}

func (s *fakeSource) Snapshot() *event.Snapshot { return &event.Snapshot{} }
func (s *fakeSource) Next() (*event.Event, error) {
	if s.i >= len(s.evs) {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	s.i++
	return s.evs[s.i-1], nil
}
func (s *fakeSource) Stats() capture.Stats { return capture.Stats{Events: uint64(s.i)} }
func (s *fakeSource) Close() error         { return nil }

// events builds n events alternating brk enter/exit, one millisecond apart;
// events listed in stateOnly carry the state-only dump flag.
func events(t *testing.T, n int, stateOnly ...uint64) []*event.Event {
	var b event.Builder
	var out []*event.Event
	brk := event.ByName("brk")
	for i := 0; i < n; i++ {
		typ := brk[0]
		if i%2 == 1 {
			typ = brk[1]
		}
		rec := b.Reset(typ).U64(0).Bytes(1_000_000_000+uint64(i)*1_000_000, 42)
		ev := &event.Event{}
		if err := ev.Decode(slices.Clone(rec)); err != nil {
			t.Fatal(err)
		}
		ev.Num = uint64(i + 1)
		if slices.Contains(stateOnly, ev.Num) {
			ev.DumpFlags = event.DumpStateOnly
		}
		out = append(out, ev)
	}
	return out
}

type recorder struct {
	started, ended int
	nums           []uint64
	clock          []uint64
	stopAt         uint64
}

func (r *recorder) OnCaptureStart(*Run) error { r.started++; return nil }
func (r *recorder) OnEvent(c *fields.Ctx) error {
	r.nums = append(r.nums, c.Ev.Num)
	if r.stopAt != 0 && c.Ev.Num == r.stopAt {
		return ErrStop
	}
	return nil
}
func (r *recorder) OnCaptureEnd(*Run) error     { r.ended++; return nil }
func (r *recorder) DisplayFiltered()            {}
func (r *recorder) OnClock(c *fields.Ctx) error { r.clock = append(r.clock, c.Ev.Num); return nil }

type oddFilter struct{}

func (oddFilter) Match(c *fields.Ctx) bool { return c.Ev.Num%2 == 1 }

func TestLoop(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		stateOnly []uint64
		opts      Options
		stopAt    uint64
		want      []uint64
		clock     int
	}{
		{name: "all", n: 4, want: []uint64{1, 2, 3, 4}, clock: 4},
		{name: "filter", n: 6, opts: Options{Filter: oddFilter{}}, want: []uint64{1, 3, 5}, clock: 6},
		{name: "display filter", n: 6, opts: Options{Filter: oddFilter{}, Display: true}, want: []uint64{1, 3, 5}, clock: 6},
		{name: "max events", n: 10, opts: Options{MaxEvents: 3}, want: []uint64{1, 2, 3}, clock: 3},
		{name: "max events counts accepted", n: 10, opts: Options{MaxEvents: 2, Filter: oddFilter{}}, want: []uint64{1, 3}, clock: 3},
		{name: "max events with display filter", n: 10, opts: Options{MaxEvents: 4, Filter: oddFilter{}, Display: true}, want: []uint64{1, 3}, clock: 4},
		{name: "max duration", n: 10, opts: Options{MaxDuration: 2_500_000}, want: []uint64{1, 2, 3}, clock: 3},
		{name: "state only hidden", n: 5, stateOnly: []uint64{2, 3}, want: []uint64{1, 4, 5}, clock: 3},
		{name: "consumer stop", n: 10, stopAt: 2, want: []uint64{1, 2}, clock: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{stopAt: tt.stopAt}
			r := New(&fakeSource{evs: events(t, tt.n, tt.stateOnly...)}, tt.opts, rec)
			if err := r.Loop(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.nums, tt.want) {
				t.Errorf("events %v, want %v", rec.nums, tt.want)
			}
			if len(rec.clock) != tt.clock {
				t.Errorf("clock saw %d events, want %d", len(rec.clock), tt.clock)
			}
			if rec.started != 1 || rec.ended != 1 {
				t.Errorf("start/end called %d/%d times", rec.started, rec.ended)
			}
		})
	}
}

// allSeer is a consumer a display filter does not apply to.
type allSeer struct{ nums []uint64 }

func (a *allSeer) OnCaptureStart(*Run) error   { return nil }
func (a *allSeer) OnEvent(c *fields.Ctx) error { a.nums = append(a.nums, c.Ev.Num); return nil }
func (a *allSeer) OnCaptureEnd(*Run) error     { return nil }

// TestDisplayFilter checks that a display filter selects what the
// DisplayFiltered consumers see while the others see every event.
func TestDisplayFilter(t *testing.T) {
	rec, all := &recorder{}, &allSeer{}
	r := New(&fakeSource{evs: events(t, 6)}, Options{Filter: oddFilter{}, Display: true}, rec, all)
	if err := r.Loop(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.nums, []uint64{1, 3, 5}) || !slices.Equal(all.nums, []uint64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("displayed %v, all %v", rec.nums, all.nums)
	}
}

func TestLoopError(t *testing.T) {
	boom := errors.New("boom")
	rec := &recorder{}
	r := New(&fakeSource{evs: events(t, 2), err: boom}, Options{}, rec)
	if err := r.Loop(); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if rec.ended != 1 || len(rec.nums) != 2 {
		t.Errorf("ended %d, events %v", rec.ended, rec.nums)
	}
}

func TestStop(t *testing.T) {
	rec := &recorder{}
	r := New(&fakeSource{evs: events(t, 4)}, Options{}, rec)
	r.Stop()
	if err := r.Loop(); err != nil {
		t.Fatal(err)
	}
	if len(rec.nums) != 0 || rec.ended != 1 {
		t.Errorf("events %v after Stop, ended %d", rec.nums, rec.ended)
	}
}

type rejectRecorder struct {
	recorder
	rejected []uint64
}

func (r *rejectRecorder) OnRejected(c *fields.Ctx) error {
	r.rejected = append(r.rejected, c.Ev.Num)
	return nil
}

func TestRejected(t *testing.T) {
	rec := &rejectRecorder{}
	r := New(&fakeSource{evs: events(t, 6, 5)}, Options{Filter: oddFilter{}}, rec)
	if err := r.Loop(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.nums, []uint64{1, 3}) || !slices.Equal(rec.rejected, []uint64{2, 4, 5, 6}) {
		t.Errorf("accepted %v rejected %v", rec.nums, rec.rejected)
	}
}
