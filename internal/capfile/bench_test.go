// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// BigCapture builds an uncompressed capture of about size bytes by repeating
// the events of a reference trace with shifted timestamps. It returns the
// capture and its event count.
func bigCapture(tb testing.TB, name string, size int, gz bool) ([]byte, int) {
	tb.Helper()
	data, err := os.ReadFile(trace(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	snap, evs, err := readAll(tb, data)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, snap, WriterOptions{Compress: gz})
	if err != nil {
		tb.Fatal(err)
	}
	span := evs[len(evs)-1].TS - evs[0].TS + 1
	n := 0
	var ev event.Event
	rec := make([]byte, 0, 1<<16)
	for rep := uint64(0); w.Written() < int64(size); rep++ {
		for _, e := range evs {
			rec = append(rec[:0], e.Raw...)
			binary.LittleEndian.PutUint64(rec, e.TS+rep*span)
			if err := ev.Decode(rec); err != nil {
				tb.Fatal(err)
			}
			ev.CPU, ev.DumpFlags = e.CPU, e.DumpFlags
			if err := w.WriteEvent(&ev); err != nil {
				tb.Fatal(err)
			}
			n++
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), n
}

func benchRead(b *testing.B, gz bool) {
	data, n := bigCapture(b, "curl_google.scap", 32<<20, gz)
	var ev event.Event
	var raw int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for {
			err := rd.Next(&ev)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != n {
			b.Fatalf("read %d events, want %d", got, n)
		}
		raw = rd.Offset()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)*float64(b.N)/sec, "events/s")
	b.ReportMetric(float64(raw)*float64(b.N)/sec/1e6, "MB/s")
}

// BenchmarkRead reads a 32 MB capture made of repeated curl_google events.
func BenchmarkRead(b *testing.B) { benchRead(b, false) }

// BenchmarkReadGzip reads the same capture gzip-compressed (MB/s counts
// uncompressed bytes).
func BenchmarkReadGzip(b *testing.B) { benchRead(b, true) }

func benchWrite(b *testing.B, gz bool, level int) {
	data, n := bigCapture(b, "curl_google.scap", 32<<20, false)
	snap, evs, err := readAll(b, data)
	if err != nil {
		b.Fatal(err)
	}
	var written int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := NewWriter(io.Discard, snap, WriterOptions{Compress: gz, Level: level})
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range evs {
			if err := w.WriteEvent(ev); err != nil {
				b.Fatal(err)
			}
		}
		w.Close()
		written = w.Written()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)*float64(b.N)/sec, "events/s")
	b.ReportMetric(float64(written)*float64(b.N)/sec/1e6, "MB/s")
}

// BenchmarkWrite writes the capture to io.Discard.
func BenchmarkWrite(b *testing.B) { benchWrite(b, false, 0) }

// BenchmarkWriteGzip writes it gzip-compressed.
func BenchmarkWriteGzip(b *testing.B) { benchWrite(b, true, 0) }

// BenchmarkWriteGzipFast writes it with the fastest gzip level.
func BenchmarkWriteGzipFast(b *testing.B) { benchWrite(b, true, 1) }

// TestNoAllocPerEvent checks the hot paths: reading and writing an event
// allocates nothing once buffers are warm.
func TestNoAllocPerEvent(t *testing.T) {
	data, n := bigCapture(t, "curl_google.scap", 1<<20, false)
	rd, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var ev event.Event
	for i := 0; i < 100; i++ {
		if err := rd.Next(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if a := testing.AllocsPerRun(n/2, func() {
		if err := rd.Next(&ev); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("reading allocates %.2f times per event", a)
	}
	w, err := NewWriter(io.Discard, nil, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		w.WriteEvent(&ev)
	}
	if a := testing.AllocsPerRun(5000, func() {
		if err := w.WriteEvent(&ev); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("writing allocates %.2f times per event", a)
	}
}
