// SPDX-License-Identifier: Apache-2.0

package app

import (
	"github.com/ferret-observability/ferret/internal/capture/file"
	"io"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/format"
)

// allocProbe prints every event it receives, measuring the allocations
// of the print path alone.
type allocProbe struct {
	p      *format.Printer
	allocs float64
	events int
}

func (a *allocProbe) OnCaptureStart(*engine.Run) error { return nil }
func (a *allocProbe) OnCaptureEnd(*engine.Run) error   { return nil }
func (a *allocProbe) OnEvent(c *fields.Ctx) error {
	a.allocs += testing.AllocsPerRun(2, func() { a.p.Event(c) })
	a.events++
	return nil
}

// TestPrintPathAllocations checks that printing an event (default line,
// -j, a -p format) does not allocate once buffers have grown.
func TestPrintPathAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	tests := []struct {
		name string
		fmt  string
		json bool
		buf  fields.BufFormat
	}{
		{"default", format.Default, false, fields.BufNormal},
		{"json", format.Default, true, fields.BufNormal},
		{"hex", format.Default, false, fields.BufHexASCII},
		{"custom", "*%evt.num %fd.name %proc.aname[1] %evt.arg.name %evt.latency.human", false, fields.BufNormal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := file.Open(filepath.Join("testdata", "curl_google.scap"))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			f, err := format.Compile(tt.fmt, fields.Default)
			if err != nil {
				t.Fatal(err)
			}
			probe := &allocProbe{p: format.NewPrinter(io.Discard, f, format.PrinterOptions{JSON: tt.json})}
			r := engine.New(src, engine.Options{Ctx: func(c *fields.Ctx) { c.JSON = tt.json; c.Buf = tt.buf }}, probe)
			if err := r.Loop(); err != nil {
				t.Fatal(err)
			}
			per := probe.allocs / float64(probe.events)
			t.Logf("%d events, %.3f allocations per printed event", probe.events, per)
			if per > 0.01 {
				t.Errorf("print path allocates %.3f times per event", per)
			}
		})
	}
}
