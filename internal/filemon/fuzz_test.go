// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// FuzzHandle feeds arbitrary records to a monitor that already tracks an
// open file; it must never panic.
func FuzzHandle(f *testing.F) {
	g := newGen()
	g.openat(5, -100, "/w/a", oRDONLY, 3)
	g.rw("read", 5, 3, 4)
	g.fork(5, 6)
	g.close(5, 3)
	for _, e := range g.Events() {
		f.Add(e.Raw)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		m := New(Options{Prefixes: []string{"/w"}, PIDs: []int64{5},
			Lookup: lookupAll(procInfo{Cwd: "/w"})}, func(*Record) {})
		m.Handle(g.Events()[0])
		m.Handle(g.Events()[1])
		var ev event.Event
		if ev.Decode(rec) != nil {
			return
		}
		m.Handle(&ev)
		ev.TID = 5
		m.Handle(&ev)
		m.Flush(1)
	})
}
