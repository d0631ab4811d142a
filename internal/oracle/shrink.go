// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"

	"github.com/ferret-observability/ferret/internal/event"
)

// Shrink removes events, threads and fds from c while the two tools still
// disagree on mode m, trying at most budget replays, and returns the
// smallest capture found.
func (r *Runner) Shrink(c *Capture, m Mode, dir string, budget int) *Capture {
	path := filepath.Join(dir, "shrink.scap")
	return ShrinkWhile(c, budget, func(x *Capture) bool {
		if err := os.WriteFile(path, x.Encode(), 0o644); err != nil {
			return false
		}
		v := r.Check(path, m)
		return !v.SysdigFailed && !v.Agree
	})
}

// ShrinkWhile removes events, threads and fds from c while keep still holds
// for the smaller capture, calling keep at most budget times.
func ShrinkWhile(c *Capture, budget int, keep func(*Capture) bool) *Capture {
	fails := func(x *Capture) bool {
		if budget <= 0 {
			return false
		}
		budget--
		return keep(x)
	}
	cur := c
	// events: drop chunks, halving the chunk size
	for chunk := len(cur.Events) / 2; chunk >= 1 && budget > 0; chunk /= 2 {
		for i := 0; i < len(cur.Events) && budget > 0; {
			j := min(i+chunk, len(cur.Events))
			x := cur.with(append(append([]*event.Event(nil), cur.Events[:i]...), cur.Events[j:]...), nil)
			if fails(x) {
				cur = x
			} else {
				i = j
			}
		}
	}
	// threads of the snapshot, then each thread's fds
	for i := 0; i < len(cur.Snap.Threads) && budget > 0; {
		th := append(append([]event.Thread(nil), cur.Snap.Threads[:i]...), cur.Snap.Threads[i+1:]...)
		x := cur.with(cur.Events, th)
		if fails(x) {
			cur = x
		} else {
			i++
		}
	}
	for i := 0; i < len(cur.Snap.Threads) && budget > 0; i++ {
		for k := 0; k < len(cur.Snap.Threads[i].FDs) && budget > 0; {
			th := append([]event.Thread(nil), cur.Snap.Threads...)
			th[i].FDs = append(append([]event.FD(nil), th[i].FDs[:k]...), th[i].FDs[k+1:]...)
			x := cur.with(cur.Events, th)
			if fails(x) {
				cur = x
			} else {
				k++
			}
		}
	}
	return cur
}

// with returns a copy of c with other events and (when not nil) threads.
func (c *Capture) with(evs []*event.Event, threads []event.Thread) *Capture {
	snap := *c.Snap
	if threads != nil {
		snap.Threads = threads
	}
	return &Capture{Seed: c.Seed, Snap: &snap, Events: evs, Layout: c.Layout}
}
