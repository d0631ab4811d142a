// SPDX-License-Identifier: Apache-2.0

package synth

import (
	"io"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
)

// Source replays a list of events. Events are numbered 1, 2, ... in order
// unless they already carry a number.
type Source struct {
	snap  *event.Snapshot
	evs   []*event.Event
	i     int
	bytes uint64
}

var _ capture.Source = (*Source)(nil)

// New returns a Source over evs starting from snap (nil = empty snapshot).
func New(snap *event.Snapshot, evs []*event.Event) *Source {
	if snap == nil {
		snap = &event.Snapshot{}
	}
	return &Source{snap: snap, evs: evs}
}

// Snapshot returns the snapshot given to New.
func (s *Source) Snapshot() *event.Snapshot { return s.snap }

// Next returns the next event, or io.EOF after the last.
func (s *Source) Next() (*event.Event, error) {
	if s.i >= len(s.evs) {
		return nil, io.EOF
	}
	ev := s.evs[s.i]
	s.i++
	if ev.Num == 0 {
		ev.Num = uint64(s.i)
	}
	s.bytes += uint64(len(ev.Raw))
	return ev, nil
}

// Stats counts the events delivered.
func (s *Source) Stats() capture.Stats {
	return capture.Stats{Events: uint64(s.i), Bytes: s.bytes}
}

// Close does nothing.
func (s *Source) Close() error { return nil }
