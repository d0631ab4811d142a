// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
)

// Run reads the events o selects, writes the picture to o.Output and, with
// o.PrintFilter, prints the filter of that cell on stdout. A live capture
// reports its counters on stderr. When reading fails midway, the picture of
// the events read so far is still written and the error returned.
func Run(o Options, stdout, stderr io.Writer) error {
	o = o.withDefaults()
	format := ""
	if o.Output != "" {
		var err error
		if format, err = formatExt(o.Output); err != nil {
			return err
		}
	}
	var cell *cellRef
	if o.PrintFilter != "" {
		c, err := parseCell(o, o.PrintFilter)
		if err != nil {
			return err
		}
		cell = c
	}
	d, loopErr := collect(o, stderr)
	if d == nil {
		return loopErr
	}
	if o.Output != "" {
		var buf bytes.Buffer
		if err := Write(&buf, d, format); err != nil {
			return errors.Join(loopErr, fmt.Errorf("drawing %s: %w", o.Output, err))
		}
		if err := os.WriteFile(o.Output, buf.Bytes(), 0o644); err != nil {
			return errors.Join(loopErr, fmt.Errorf("writing the picture: %w", err))
		}
	}
	if cell != nil {
		text, n, err := CellFilter(d, cell)
		if err != nil {
			return errors.Join(loopErr, err)
		}
		fmt.Fprintln(stdout, text)
		what := "events"
		if o.Kind == Timeline {
			what = o.Field
		}
		fmt.Fprintf(stderr, "%d %s in this cell\n", n, what)
	}
	return loopErr
}

// Collect reads the events o selects and returns their aggregation. Live
// captures end after o.MaxSeconds or on SIGINT/SIGTERM and report their
// counters on stderr. When reading fails midway, the data read so far is
// returned with the error.
func Collect(o Options, stderr io.Writer) (*Data, error) {
	return collect(o.withDefaults(), stderr)
}

func collect(o Options, stderr io.Writer) (*Data, error) {
	flt, err := filter.Compile(o.fullFilter(), fields.Default)
	if err != nil {
		return nil, err
	}
	col, err := newCollector(o)
	if err != nil {
		return nil, err
	}
	src, err := open(o, flt)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	r := engine.New(src, engine.Options{Filter: flt, MaxDuration: uint64(o.MaxSeconds * 1e9)}, col)
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			r.Stop()
		case <-done:
		}
	}()
	live := len(o.Read) == 0
	if live {
		fmt.Fprintf(stderr, "capturing; Ctrl-C or SIGTERM ends the capture and writes the picture\n")
	}
	err = r.Loop()
	close(done)
	signal.Stop(sig)
	if live {
		src.Stats().WriteReport(stderr)
	}
	return col.d, err
}

// open opens the files, or the live source with the events the filter can
// never select dropped in the kernel.
func open(o Options, flt *filter.Filter) (capture.Source, error) {
	if len(o.Read) > 0 {
		for _, p := range o.Read {
			if _, err := os.Stat(p); err != nil {
				if _, err0 := os.Stat(p + "0"); err0 != nil {
					return nil, fmt.Errorf("can't open file %s: %w", p, errors.Unwrap(err))
				}
			}
		}
		src, err := file.Open(o.Read...)
		if err != nil {
			return nil, err
		}
		return src, nil
	}
	if err := live.CheckPrivileges(); err != nil {
		return nil, fmt.Errorf("live capture: %w (use -r FILE to draw a capture file)", err)
	}
	pd := filter.KernelPushDown(flt)
	src, err := live.Open(live.Options{SnapLen: o.SnapLen, BufferSize: o.BufferSize,
		EventTypes: pd.EventTypes, Comms: pd.Comms, CommsKeepState: len(pd.Comms) > 0})
	if err != nil {
		return nil, fmt.Errorf("cannot start live capture: %w", err)
	}
	return src, nil
}
