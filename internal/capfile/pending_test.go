// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"io"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestContainerAfterLastEvent: container metadata met after the last event
// is written when the file is closed, at the last event's time, not lost.
func TestContainerAfterLastEvent(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, &event.Snapshot{Machine: event.Machine{NumCPUs: 1}}, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000, Step: 1000}
	g.Write(100, 1, []byte("x"))
	for _, ev := range g.Events() {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	w.AddContainer(`{"container":{"id":"0123456789ab","name":"late"}}`)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var types []event.Type
	var last event.Event
	for {
		var ev event.Event
		if err := r.Next(&ev); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		types = append(types, ev.Type)
		last = ev
	}
	if len(types) != 3 || types[2] != event.Container2E || last.TS != g.Events()[1].TS {
		t.Fatalf("events %v, last at %d", types, last.TS)
	}
	if js, _ := last.Str(0); js != `{"container":{"id":"0123456789ab","name":"late"}}` {
		t.Fatalf("container event %q", js)
	}
}
