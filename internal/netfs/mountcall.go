// SPDX-License-Identifier: Apache-2.0

package netfs

import "github.com/ferret-observability/ferret/internal/event"

// MountCalls pairs the enter and exit events of mount and umount calls,
// keyed by thread.
type MountCalls map[int64]*MountEvent

// IsMountCall reports whether ev is a mount or umount event.
func IsMountCall(ev *event.Event) bool {
	name := ev.Type.Name()
	return name == "mount" || name == "umount"
}

// Add takes one mount or umount event; proc names the process of a task
// (read when the call starts, while the caller still runs). At the exit it
// returns the finished call, otherwise nil.
func (c MountCalls) Add(ev *event.Event, proc func(tid int64) (pid int64, comm string)) *MountEvent {
	if ev.Type.IsEnter() {
		pid, comm := proc(ev.TID)
		me := &MountEvent{PID: pid, TID: ev.TID, Comm: comm, EnterTS: ev.TS}
		if i := ev.ParamIndex("flags"); i >= 0 {
			v, _ := ev.Uint(i)
			me.Flags = event.FlagsString(v, ev.Info().Params[i].Flags)
		}
		c[ev.TID] = me
		return nil
	}
	me := c[ev.TID]
	delete(c, ev.TID)
	if me == nil {
		pid, comm := proc(ev.TID)
		me = &MountEvent{PID: pid, TID: ev.TID, Comm: comm}
	}
	me.TS = ev.TS
	me.Res, _ = ev.Int(0)
	str := func(name string) string {
		if i := ev.ParamIndex(name); i >= 0 {
			s, _ := ev.Str(i)
			return s
		}
		return ""
	}
	if ev.Type.Name() == "mount" {
		me.Call, me.Source, me.Target, me.FSType = "mount", str("dev"), str("dir"), str("type")
	} else {
		me.Call, me.Target = "umount", str("name")
	}
	return me
}
