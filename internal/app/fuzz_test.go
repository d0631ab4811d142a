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

// FuzzFormatEvents renders the events of curl_google.scap with arbitrary
// -p formats, as text and JSON, in every buffer mode.
func FuzzFormatEvents(f *testing.F) {
	for _, s := range []string{format.Default, format.Container, "*%evt.num %fd.name %proc.aname[3] %evt.arg[1] %evt.rawarg.res", "%10evt.buffer|%evt.arg.data", "%evt.around[1534527348514632619]"} {
		f.Add(s, uint8(0), false)
	}
	trace := filepath.Join("testdata", "curl_google.scap")
	f.Fuzz(func(t *testing.T, s string, buf uint8, json bool) {
		fm, err := format.Compile(s, fields.Default)
		if err != nil {
			return
		}
		src, err := file.Open(trace)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		p := format.NewPrinter(io.Discard, fm, format.PrinterOptions{JSON: json, Internal: true})
		r := engine.New(src, engine.Options{MaxEvents: 400, Ctx: func(c *fields.Ctx) {
			c.JSON = json
			c.Buf = fields.BufFormat(buf % 5)
		}}, &printOnly{p})
		if err := r.Loop(); err != nil {
			t.Fatal(err)
		}
	})
}

type printOnly struct{ p *format.Printer }

func (o *printOnly) OnCaptureStart(*engine.Run) error { return nil }
func (o *printOnly) OnEvent(c *fields.Ctx) error      { return o.p.Event(c) }
func (o *printOnly) OnCaptureEnd(*engine.Run) error   { return o.p.Flush() }
