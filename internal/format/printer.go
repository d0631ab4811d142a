// SPDX-License-Identifier: Apache-2.0

package format

import (
	"bufio"
	"io"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// PrinterOptions configure a Printer.
type PrinterOptions struct {
	JSON bool // -j
	// Internal prints events of the internal category (procinfo, ...),
	// which are otherwise never shown (-D).
	Internal bool
	// FlushLines flushes the output after every line (live capture to a
	// pipe, --unbuffered).
	FlushLines bool
}

// Printer writes one line per event to an output stream through a
// reusable buffer; it does not allocate per event.
type Printer struct {
	w    *bufio.Writer
	f    *Format
	opts PrinterOptions
	line []byte
	// Printed counts the lines written.
	Printed uint64
}

// NewPrinter returns a printer writing f's rendering of each event to w.
// Output that is not flushed line by line goes out in writes of 1 MiB,
// which cost the kernel a quarter less than 64 KiB ones per byte written to
// a file.
func NewPrinter(w io.Writer, f *Format, opts PrinterOptions) *Printer {
	size := 1 << 20
	if opts.FlushLines {
		size = 64 << 10
	}
	return &Printer{w: bufio.NewWriterSize(w, size), f: f, opts: opts, line: make([]byte, 0, 1024)}
}

// Format returns the printer's format.
func (p *Printer) Format() *Format { return p.f }

// Event prints the current event of c unless it is an internal event or a
// required field has no value. It updates c.PrevPrintedTS.
func (p *Printer) Event(c *fields.Ctx) error {
	ev := c.Ev
	if !p.opts.Internal {
		if info := ev.Type.Info(); info != nil && info.Category&event.CatInternal != 0 {
			return nil
		}
	}
	// evt.deltatime and -t D count from the previous printed line (0 for
	// the first one).
	prev := c.PrevTS
	c.PrevTS = c.PrevPrintedTS
	if c.PrevTS == 0 {
		c.PrevTS = ev.TS
	}
	var ok bool
	if p.opts.JSON {
		p.line, ok = p.f.AppendJSON(p.line[:0], c)
	} else {
		p.line, ok = p.f.Append(p.line[:0], c)
	}
	c.PrevTS = prev
	if err := p.f.Err(); err != nil {
		return err
	}
	if !ok {
		return nil
	}
	c.PrevPrintedTS = ev.TS
	p.line = append(p.line, '\n')
	p.Printed++
	if _, err := p.w.Write(p.line); err != nil {
		return err
	}
	if p.opts.FlushLines {
		return p.w.Flush()
	}
	return nil
}

// Flush writes buffered output.
func (p *Printer) Flush() error { return p.w.Flush() }
