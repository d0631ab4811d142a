// SPDX-License-Identifier: Apache-2.0

package view

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/capture/live"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
)

// Config is what `ferret top` was asked for.
type Config struct {
	Read       string // capture file; "" for a live capture
	View       string // initial view id ("" = procs)
	Filter     string // user filter
	DelayMS    uint64 // refresh period (live)
	NumEvents  uint64 // -n
	SnapLen    int
	Containers bool // -pc
	JSON       bool // -j
	Raw        bool // --raw
	ListViews  bool
	// SortingCol is csysdig's --sortingcol: the 1-based visible column
	// to sort by (0: the view's own; out of range: ignored).
	SortingCol int
	// From and To are csysdig's --from and --to: the rows (0-based,
	// inclusive) each -j sample prints; To 0 prints them all.
	From, To int
	// Dirs are the chisel directories to read v_*.lua from (nil: the
	// default search path, sysdig's installation included).
	Dirs []string
}

// Catalog returns the views of cfg.
func (cfg *Config) Catalog() *Catalog {
	defs, _ := Load(cfg.Dirs)
	return NewCatalog(defs, cfg.Containers, cfg.JSON)
}

// Open opens the capture file of cfg, a stream (nats://…), or the live
// source.
func Open(cfg *Config) (capture.Source, error) { return openFor(cfg, nil) }

// openFor is Open for a live source that only needs the events table t
// aggregates (nil: all): the others are dropped in the kernel, except
// those that keep the process and fd tables complete.
func openFor(cfg *Config, t *Table) (capture.Source, error) {
	if capnats.IsURL(cfg.Read) {
		t, err := capnats.ParseURL(cfg.Read)
		if err != nil {
			return nil, err
		}
		return capnats.Open(t, capnats.ReadOptions{})
	}
	if cfg.Read != "" {
		if _, err := os.Stat(cfg.Read); err != nil {
			return nil, fmt.Errorf("can't open file %s: %w", cfg.Read, errors.Unwrap(err))
		}
		return file.Open(cfg.Read)
	}
	if err := live.CheckPrivileges(); err != nil {
		return nil, fmt.Errorf("live capture: %w (use -r FILE to read a capture file)", err)
	}
	// procinfo events carry the threads' CPU time (thread.cpu): the
	// screen may show a CPU column at any time, a fixed view when it has
	// one.
	// A refresh's events fit in a ring of half the default size many
	// times over, and the ring's pages count in the resident size once
	// read.
	opts := live.Options{SnapLen: cfg.SnapLen, ProcInfo: t == nil || t.usesCPU(), BufferSize: 8 << 20}
	if t != nil {
		pd := t.KernelPushDown()
		opts.EventTypes = pd.EventTypes
		opts.Comms, opts.CommsKeepState = pd.Comms, len(pd.Comms) > 0
	}
	src, err := live.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot start live capture: %w", err)
	}
	return src, nil
}

// Interrupt returns a channel closed on SIGINT or SIGTERM, and a function
// that stops listening.
func Interrupt() (<-chan struct{}, func()) {
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			close(stop)
		case <-done:
		}
	}()
	return stop, func() { signal.Stop(sig); close(done) }
}

// Run runs the batch modes of `ferret top`: --list-views, --raw and -j.
func Run(cfg Config, out io.Writer) error {
	cat := cfg.Catalog()
	if cfg.ListViews {
		return cat.WriteList(out)
	}
	if cfg.View != "" && cat.Find(cfg.View) == nil {
		return fmt.Errorf("unknown view %s - use --list-views to list them", cfg.View)
	}
	// The view is fixed: the kernel keeps only what its filter (and the
	// user's) can match.
	id := cfg.View
	if id == "" {
		id = "procs"
	}
	var t *Table
	if d := cat.Find(id); d != nil {
		t, _ = NewTable(d, Options{Filter: cfg.Filter})
	}
	var flows *Flows
	if t != nil && t.flows {
		if cfg.Read != "" {
			return errFlowsLive(t.Def)
		}
	}
	var tio *ThreadIO
	if t != nil && cfg.Read == "" && t.CountersServe() {
		// The I/O columns from the kernel's counters, when it loads them;
		// else from the events.
		if x, err := OpenThreadIO(); err == nil {
			tio = x
			defer tio.Close()
			t.UseThreadIO(tio)
		}
	}
	src, err := openFor(&cfg, t)
	if err != nil {
		return err
	}
	defer src.Close()
	if t != nil && t.flows {
		if flows, err = OpenFlows(); err != nil {
			return err
		}
		defer flows.Close()
	}
	stop, release := Interrupt()
	defer release()
	return RunBatch(src, BatchConfig{View: cfg.View, Filter: cfg.Filter, JSON: cfg.JSON,
		Live: cfg.Read == "", Interval: cfg.DelayMS * 1_000_000, MaxEvents: cfg.NumEvents,
		Views: cat, Out: out, Stop: stop, Containers: cfg.Containers,
		SortingCol: cfg.SortingCol, From: cfg.From, To: cfg.To, Flows: flows, ThreadIO: tio})
}
