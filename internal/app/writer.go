// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// captureWriter is the -w consumer: accepted events are written as they
// are; with -F the state-changing events the filter rejected are written
// too, flagged so that readers use them for state only.
type captureWriter struct {
	cfg *Config
	src capture.Source
	fw  *capfile.FileWriter
	tmp event.Event
}

func (w *captureWriter) OnCaptureStart(r *engine.Run) error {
	c := w.cfg
	fw, err := capfile.Create(c.Write, w.src.Snapshot(), capfile.Options{
		WriterOptions: capfile.WriterOptions{Compress: c.Compress},
		SizeMB:        int(c.FileSize),
		Seconds:       int(c.Seconds),
		Limit:         c.Limit,
		EventsPerFile: c.EventsPer,
		// Each rotated file starts from the tables as they are then.
		Snapshot: r.State.Snapshot,
	})
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", c.Write, err)
	}
	w.fw = fw
	return nil
}

func (w *captureWriter) OnEvent(c *fields.Ctx) error {
	return w.fw.WriteEvent(c.Ev)
}

func (w *captureWriter) OnRejected(c *fields.Ctx) error {
	if !w.cfg.FatFile {
		return nil
	}
	ev := c.Ev
	info := ev.Info()
	if ev.DumpFlags&event.DumpStateOnly == 0 && (info == nil || info.Flags&event.FlagModifiesState == 0) {
		return nil
	}
	w.tmp = *ev
	w.tmp.DumpFlags |= event.DumpStateOnly
	return w.fw.WriteEvent(&w.tmp)
}

func (w *captureWriter) OnCaptureEnd(*engine.Run) error {
	if w.fw == nil {
		return nil
	}
	return w.fw.Close()
}
