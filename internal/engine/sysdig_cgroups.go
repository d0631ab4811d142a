// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"strings"

	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/event"
)

// cgroupsParam gives, per event type, the index of its "cgroups"
// parameter (the process events of the clone and execve families), -1 for
// the others.
var cgroupsParam = func() (m [event.MaxType]int8) {
	for t := range m {
		m[t] = -1
		info := event.Type(t).Info()
		if info == nil {
			continue
		}
		for i, p := range info.Params {
			if p.Name == "cgroups" {
				m[t] = int8(i)
			}
		}
	}
	return m
}()

// sysdigSnapshot returns snap with its threads' cgroups as sysdig needs
// them to tell their containers (container.SysdigCgroups); snap itself
// when no thread needs it.
func sysdigSnapshot(snap *event.Snapshot) *event.Snapshot {
	if snap == nil {
		return nil
	}
	var threads []event.Thread
	for i, t := range snap.Threads {
		cgs, changed := container.SysdigCgroups(t.Cgroups)
		if !changed {
			continue
		}
		if threads == nil {
			threads = append([]event.Thread(nil), snap.Threads...)
		}
		threads[i].Cgroups = cgs
	}
	if threads == nil {
		return snap
	}
	out := *snap
	out.Threads = threads
	return &out
}

// sysdigEvent returns ev, or a copy in b whose cgroups parameter is as
// sysdig needs it to tell the process's container.
func sysdigEvent(ev *event.Event, b *event.Builder, tmp *event.Event) *event.Event {
	i := int(cgroupsParam[ev.Type])
	if i < 0 || !ev.HasParam(i) {
		return ev
	}
	v := strings.TrimSuffix(string(ev.Param(i)), "\x00")
	if v == "" {
		return ev
	}
	cgs, changed := container.SysdigCgroups(strings.Split(v, "\x00"))
	if !changed {
		return ev
	}
	b.Reset(ev.Type)
	for k := 0; k < ev.NParams; k++ {
		if k == i {
			b.Str(strings.Join(cgs, "\x00"))
			continue
		}
		b.Raw(ev.Param(k))
	}
	*tmp = *ev
	tmp.Raw = b.Bytes(ev.TS, ev.TID)
	return tmp
}
