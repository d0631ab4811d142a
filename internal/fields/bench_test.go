// SPDX-License-Identifier: Apache-2.0

package fields_test

import (
	"errors"
	"github.com/ferret-observability/ferret/internal/testutil"
	"io"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// BenchmarkUpdateInfo measures the state update plus evt.info rendering of
// one event, over the events of the curl reference trace (ns/op is per
// event).
func BenchmarkUpdateInfo(b *testing.B) {
	ref := testutil.Reference(b)
	src, err := file.Open(filepath.Join(ref, "traces", "curl_google.scap"))
	if err != nil {
		b.Fatal(err)
	}
	snap := src.Snapshot()
	var evs []*event.Event
	for {
		ev, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, ev.Clone())
	}
	src.Close()
	st := state.New(state.Options{})
	c := fields.NewCtx(st)
	info, err := fields.CompileToken("evt.info")
	if err != nil {
		b.Fatal(err)
	}
	name, _ := fields.CompileToken("proc.name")
	fdname, _ := fields.CompileToken("fd.name")
	var v fields.Value
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(evs)
		if k == 0 {
			b.StopTimer()
			st.Load(snap)
			b.StartTimer()
		}
		ev := evs[k]
		st.Update(ev)
		c.Ev = ev
		if info.Extract(c, &v) {
			buf = fields.AppendText(buf[:0], c, info, &v)
		}
		if name.Extract(c, &v) {
			buf = fields.AppendText(buf, c, name, &v)
		}
		if fdname.Extract(c, &v) {
			buf = fields.AppendText(buf, c, fdname, &v)
		}
	}
}
