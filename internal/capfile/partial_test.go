// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"testing"
	"testing/iotest"

	"github.com/ferret-observability/ferret/internal/event"
)

// readAll decodes every event of a capture, as "type ts tid cpu record" lines.
func readEvents(r io.Reader) ([]string, error) {
	rd, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	var out []string
	var ev event.Event
	for {
		err := rd.Next(&ev)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, fmt.Sprintf("%d %d %d %d %x", ev.Type, ev.TS, ev.TID, ev.CPU, ev.Raw))
	}
}

// TestPartialReads reads the reference captures, plain and gzip-compressed,
// through readers that return one byte at a time, half of what is asked,
// and the data with the final io.EOF (as pipes and network streams hand
// data over): the events are those of a whole read.
func TestPartialReads(t *testing.T) {
	for _, name := range []string{"sample.scap", "curl_google.scap"} {
		raw, err := os.ReadFile(trace(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(raw)
		zw.Close()
		want, err := readEvents(bytes.NewReader(raw))
		if err != nil || len(want) < 100 {
			t.Fatalf("%s: %d events, %v", name, len(want), err)
		}
		for _, in := range []struct {
			form string
			data []byte
		}{{"plain", raw}, {"gzip", gz.Bytes()}} {
			for _, wrap := range []struct {
				name string
				r    func(io.Reader) io.Reader
			}{{"one byte", iotest.OneByteReader}, {"half", iotest.HalfReader}, {"data+EOF", iotest.DataErrReader}} {
				got, err := readEvents(wrap.r(bytes.NewReader(in.data)))
				if err != nil {
					t.Errorf("%s %s %s: %v after %d events", name, in.form, wrap.name, err, len(got))
					continue
				}
				if len(got) != len(want) {
					t.Errorf("%s %s %s: %d events, want %d", name, in.form, wrap.name, len(got), len(want))
					continue
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s %s %s: event %d is %s, want %s", name, in.form, wrap.name, i, got[i], want[i])
						break
					}
				}
			}
		}
	}
}
