// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"io"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

func FuzzParseSet(f *testing.F) {
	for _, s := range []string{"file,read", "!%network", "/^get", "?x,all", "%%stat"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := ParseSet(expr)
		if err == nil {
			s.Has("read")
		}
	})
}

// FuzzHandle feeds arbitrary records (as a live source could deliver after
// a probe bug) to a tracer; it must never panic.
func FuzzHandle(f *testing.F) {
	g := newGen()
	execve(g, 5, "/bin/true", "true")
	openat(g, 5, "/etc/x", oRDONLY, 3)
	read(g, 5, 3, "abc", 3)
	g.exitGroup(5, 0)
	for _, e := range g.Events() {
		f.Add(e.Raw)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		for _, opts := range []Options{{Out: io.Discard, Follow: true, Durations: true, Time: TimeUsec}, {Out: io.Discard, Summary: true}} {
			tr := New(opts)
			tr.Attach(5, 5)
			for _, e := range g.Events()[:1] {
				tr.Handle(e)
			}
			var ev event.Event
			if ev.Decode(rec) != nil || !ev.Type.Known() {
				return
			}
			ev.TID = 5
			tr.Handle(&ev)
			if ev.Type.IsEnter() {
				x := ev
				x.Type++
				tr.Handle(&x)
			}
			tr.Finish()
		}
	})
}

// FuzzMessages renders arbitrary RawIovec and RawMsghdr copies (what the
// probe read from a process's memory, which the process may change while it
// is read): they must never panic.
func FuzzMessages(f *testing.F) {
	iov := []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 'h', 'i'}
	msg := make([]byte, 56)
	msg[8], msg[24], msg[40] = 16, 1, 24
	msg = append(msg, 16, 0, 0, 0, 2, 0, 0, 53, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)
	msg = append(msg, 24, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0)
	msg = append(msg, iov...)
	f.Add(iov, uint64(1), int64(-1))
	f.Add(msg, uint64(3), int64(2))
	f.Fuzz(func(t *testing.T, p []byte, cnt uint64, size int64) {
		r := &renderer{strSize: 32}
		r.appendIovec(parseIovec(p), cnt%100, false, size)
		if m, ok := parseMsg(p); ok {
			m.control |= 1
			r.appendMsghdr(m, int64(cnt%200)-1, size)
		}
	})
}
