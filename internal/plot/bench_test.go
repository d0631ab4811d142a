// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
	"github.com/ferret-observability/ferret/internal/format"
)

// benchInput is a long stream: copies of a trace read one after another.
func benchInput(b *testing.B, name string) []string {
	path := "testdata/curl_google.scap"
	n := 50
	if name == "svh5" {
		path, n = extraTrace(b, "sysdig_chisels_lab_svh5_activity.scap"), 10
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = path
	}
	return paths
}

// printer is the consumer of plain ferret -r: the default event line.
type printer struct{ p *format.Printer }

func (p printer) OnCaptureStart(*engine.Run) error { return nil }
func (p printer) OnEvent(c *fields.Ctx) error      { return p.p.Event(c) }
func (p printer) OnCaptureEnd(r *engine.Run) error { return p.p.Flush() }

// BenchmarkAggregateVsRead measures events/s through the same engine,
// source and filter: aggregating for a picture (no drawing) against
// printing the default event line to io.Discard, as ferret -r FILE FILTER
// does. Run with -count to compare the two side by side.
func BenchmarkAggregateVsRead(b *testing.B) {
	for _, in := range []string{"curl", "svh5"} {
		paths := benchInput(b, in)
		for _, kind := range []Kind{Heatmap, Timeline} {
			o := Options{Kind: kind, Read: paths, Interval: time.Second, Output: "x.svg"}.withDefaults()
			b.Run(in+"/plot-"+kind.String(), func(b *testing.B) {
				var events, sel uint64
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					d, err := collect(o, io.Discard)
					if err != nil {
						b.Fatal(err)
					}
					events += d.Read
					sel += d.Events
				}
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(sel)/float64(b.N), "selected/op")
			})
			b.Run(in+"/read-"+kind.String(), func(b *testing.B) {
				f, err := format.Compile(format.Default, fields.Default)
				if err != nil {
					b.Fatal(err)
				}
				flt, err := filter.Compile(o.fullFilter(), fields.Default)
				if err != nil {
					b.Fatal(err)
				}
				var events, sel uint64
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					src, err := file.Open(paths...)
					if err != nil {
						b.Fatal(err)
					}
					r := engine.New(src, engine.Options{Filter: flt}, printer{format.NewPrinter(io.Discard, f, format.PrinterOptions{})})
					if err := r.Loop(); err != nil {
						b.Fatal(err)
					}
					src.Close()
					events += r.Stats.Read
					sel += r.Stats.Accepted
				}
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(sel)/float64(b.N), "selected/op")
			})
		}
	}
}

// BenchmarkDraw measures drawing a picture from aggregated data.
func BenchmarkDraw(b *testing.B) {
	k8s := extraTrace(b, "sysdig_monitor_k8s_ticket_client_http502.scap")
	for _, kind := range []Kind{Heatmap, Spectrogram, Timeline, Subsecond} {
		d, err := Collect(Options{Kind: kind, Read: []string{k8s}, Output: "x.svg"}, os.Stderr)
		if err != nil {
			b.Fatal(err)
		}
		for _, ext := range []string{"svg", "png"} {
			b.Run(kind.String()+"/"+ext, func(b *testing.B) {
				var buf bytes.Buffer
				for i := 0; i < b.N; i++ {
					buf.Reset()
					if err := Write(&buf, d, ext); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(buf.Len()), "bytes")
			})
		}
	}
}
