// SPDX-License-Identifier: Apache-2.0

package state

import "github.com/ferret-observability/ferret/internal/event"

type handler func(s *State, ev *event.Event, t *Thread)

var handlers [event.MaxType]handler

// Update runs the state machine on ev and sets Cur. ev must stay valid until
// the next call to Update.
func (s *State) Update(ev *event.Event) {
	if s.pendingX >= 0 {
		s.removeThread(s.pendingX)
		s.pendingX = -1
	}
	c := &s.cur
	c.PrevTS = s.lastTS
	s.lastTS = ev.TS
	c.Event = ev
	c.FD = nil
	c.FDNum = -1
	c.Enter = nil
	c.Latency = 0
	c.Closed = false
	t := s.threads[ev.TID]
	c.Thread = t
	_ = t
}

func (s *State) removeThread(tid int64) { delete(s.threads, tid) }

func (s *State) setContainer(t *Thread) {}

func socketName(f *FD) string { return "" }
