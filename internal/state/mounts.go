// SPDX-License-Identifier: Apache-2.0

package state

import (
	"path"

	"github.com/ferret-observability/ferret/internal/event"
)

// The mount table is machine state: it comes with the snapshot a capture
// starts from (the capturing machine's mountinfo) and follows the capture's
// successful mount and umount calls, so that a replayed capture describes
// the machine that recorded it.

func init() {
	onExit(exitMount, "mount")
	onExit(exitUmount, "umount")
}

// Mounts returns the mount table (nil when the capture carries none) and
// a generation number that changes whenever the table does.
func (s *State) Mounts() ([]event.Mount, uint64) { return s.mounts, s.mountGen }

func (s *State) setMounts(ms []event.Mount) {
	if ms == nil {
		s.mounts = nil
	} else {
		s.mounts = append([]event.Mount(nil), ms...)
	}
	s.mountGen++
}

func exitMount(s *State, ev *event.Event, t *Thread) {
	if s.mounts == nil {
		return
	}
	if res, ok := ev.Int(0); !ok || res != 0 {
		return
	}
	str := func(i int) string { v, _ := ev.Str(i); return v }
	dir := str(2)
	if dir == "" || dir[0] != '/' {
		return
	}
	s.mounts = append(s.mounts, event.Mount{Point: path.Clean(dir), Source: str(1), FSType: str(3)})
	s.mountGen++
}

func exitUmount(s *State, ev *event.Event, t *Thread) {
	if s.mounts == nil {
		return
	}
	if res, ok := ev.Int(0); !ok || res != 0 {
		return
	}
	name, _ := ev.Str(1)
	if name == "" || name[0] != '/' {
		return
	}
	name = path.Clean(name)
	// The latest mount on that point goes.
	for i := len(s.mounts) - 1; i >= 0; i-- {
		if s.mounts[i].Point == name {
			s.mounts = append(s.mounts[:i], s.mounts[i+1:]...)
			s.mountGen++
			return
		}
	}
}
