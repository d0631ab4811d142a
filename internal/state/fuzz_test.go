// SPDX-License-Identifier: Apache-2.0

package state

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// FuzzContainerJSON feeds arbitrary container metadata to the parser.
func FuzzContainerJSON(f *testing.F) {
	f.Add(`{"container":{"id":"0123456789ab","name":"web","image":"nginx","type":0,"Mounts":[{"Source":"/a","Destination":"/b","Mode":"ro"}]}}`)
	f.Add(`{"container":{"id":"x","type":99}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, js string) {
		s := New(Options{})
		s.AddContainerJSON(js)
	})
}

// FuzzUpdate runs arbitrary records through the state machine, each twice
// (as enter-exit sequences would), from a loaded snapshot.
func FuzzUpdate(f *testing.F) {
	var b event.Builder
	f.Add(append([]byte(nil), b.Reset(lastType(f, "open", false)).I64(4).Str("a/b").U32(1).U32(0).U32(0).Bytes(1, 200)...))
	f.Add(append([]byte(nil), b.Reset(lastType(f, "clone", false)).I64(300).Str("x").Raw(nil).I64(300).Bytes(2, 200)...))
	f.Add(append([]byte(nil), b.Reset(lastType(f, "accept", false)).I64(5).Raw([]byte{10}).Bytes(3, 200)...))
	f.Fuzz(func(t *testing.T, rec []byte) {
		var ev event.Event
		if err := ev.Decode(rec); err != nil {
			return
		}
		s := New(Options{MaxThreads: 16})
		s.Load(baseSnapshot())
		s.Update(&ev)
		s.Update(&ev)
		_ = s.ResolvePath(s.Cur().Thread, -100, "x")
	})
}
