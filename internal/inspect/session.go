// SPDX-License-Identifier: Apache-2.0

package inspect

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/capture/live"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	"github.com/ferret-observability/ferret/internal/chisel"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
	"github.com/ferret-observability/ferret/internal/format"
)

// Env is where a session writes and what it knows of its surroundings.
type Env struct {
	Stdout, Stderr io.Writer
	TTY            bool         // Stdout is a terminal
	LivePrivileges func() error // what the process lacks for live capture (nil: live.CheckPrivileges)
}

// New compiles the format and the filter of cfg and loads its chisels.
func New(cfg *Config, env Env) (*Session, error) {
	if env.LivePrivileges == nil {
		env.LivePrivileges = live.CheckPrivileges
	}
	tty := env.TTY
	s := &Session{env: env, cfg: cfg, stdout: env.Stdout, stderr: env.Stderr, tty: tty}
	operands := cfg.Operands
	for _, name := range cfg.Chisels {
		ch, n, err := chisel.Load(name, operands, s.chiselOptions())
		if err != nil {
			return nil, err
		}
		operands = operands[n:]
		s.chisels = append(s.chisels, ch)
	}
	filter := strings.Join(operands, " ")

	f, err := format.Compile(DefaultFormat(cfg, tty), fields.Default)
	if err != nil {
		return nil, Fail(1, "%s", err)
	}
	s.format = f
	if err := s.setFilter(filter); err != nil {
		return nil, err
	}
	// Like sysdig, chisels initialise once the command-line filter is
	// installed and before the capture is opened.
	for _, ch := range s.chisels {
		if err := ch.Init(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// setFilter compiles and installs the command-line filter ("" removes it).
func (s *Session) setFilter(expr string) error {
	if expr == "" {
		s.filter = nil
		return nil
	}
	flt, err := filter.Compile(expr, fields.Default)
	if err != nil {
		return Fail(1, "%s", err)
	}
	s.filter = flt
	return nil
}

// chiselOptions are the settings chisels query and the session calls they
// make: sysdig.set_filter and sysdig.set_snaplen act before the capture
// opens, sysdig.run_app queues a command line for after it.
func (s *Session) chiselOptions() chisel.Options {
	cfg := s.cfg
	return chisel.Options{
		Stdout:          s.stdout,
		Stderr:          s.stderr,
		JSON:            cfg.JSON,
		Container:       cfg.Container,
		Live:            len(cfg.Read) == 0,
		TTY:             s.tty,
		BufForced:       cfg.Buf != 0,
		SetGlobalFilter: s.setFilter,
		SetSnaplen: func(n int) {
			if n > 0 {
				cfg.Snaplen = n
			}
		},
		RunApp: func(args []string) { s.runApps = append(s.runApps, args) },
	}
}

// DefaultFormat returns the -p format text in effect.
func DefaultFormat(cfg *Config, tty bool) string {
	switch {
	case cfg.FormatSet:
		return cfg.Format
	case cfg.K8s:
		return format.Kubernetes
	case cfg.Mesos:
		return format.Mesos
	case cfg.Container:
		return format.Container
	case tty && !cfg.JSON:
		return format.DefaultTTY
	}
	return format.Default
}

// Session is one sysdig-style invocation reading files or a stream, or
// capturing live.
type Session struct {
	env     Env
	cfg     *Config
	stdout  io.Writer
	stderr  io.Writer
	tty     bool
	format  *format.Format
	filter  *filter.Filter
	chisels []*chisel.Chisel
	runApps [][]string // sysdig.run_app command lines

	sig        chan os.Signal // Ctrl-C and SIGTERM end the capture cleanly
	printer    *format.Printer
	summary    *format.Summary
	started    time.Time
	events     uint64          // events that reached the consumers, all inputs
	read       uint64          // events read from the sources
	streamSink engine.Consumer // -w nats://... (capture blocks, or JSON events with -j)
	// live source counters for -v
	driverEvents, driverDrops uint64
}

// Run reads the inputs (or captures live) until they end, a limit or a
// signal, then flushes the outputs and prints the -S and -v figures.
func (s *Session) Run() error {
	cfg := s.cfg
	s.started = time.Now()
	s.sig = make(chan os.Signal, 2)
	// Every signal that ends a capture finalizes it the same way: the
	// files written are closed complete (last rotation included) and the
	// statistics printed. SIGPIPE is taken too, so that a closed reader
	// of the output ends the capture cleanly instead of killing it.
	signal.Notify(s.sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE)
	defer signal.Stop(s.sig)
	if !cfg.Quiet && cfg.Write == "" && len(s.chisels) == 0 {
		s.printer = format.NewPrinter(s.stdout, s.format, format.PrinterOptions{
			JSON:     cfg.JSON,
			Internal: cfg.Debug,
			// Terminals are line-buffered, as with stdio; a live
			// capture's output is also flushed whenever the capture
			// is idle (printConsumer.OnIdle).
			FlushLines: cfg.Unbuffered || s.tty,
		})
	}
	if cfg.Summary {
		s.summary = format.NewSummary()
	}
	var err error
	if capnats.IsURL(cfg.Write) {
		if err := s.openStreamWriter(); err != nil {
			return err
		}
	}
	if len(cfg.Read) > 0 {
		err = s.runFiles(cfg.Read)
	} else {
		err = s.runLive()
	}
	if s.printer != nil {
		if ferr := s.printer.Flush(); ferr != nil && err == nil {
			err = ferr
		}
	}
	if s.summary != nil {
		if serr := s.summary.Write(s.stdout); serr != nil && err == nil {
			err = serr
		}
	}
	if cfg.Verbose && len(s.chisels) == 0 {
		s.writeVerboseStats()
	}
	if strings.IndexByte(s.format.String(), 0x1b) >= 0 && s.printer != nil && cfg.FormatSet {
		io.WriteString(s.stdout, "\x1b[00m")
	}
	return err
}

func (s *Session) writeVerboseStats() {
	el := time.Since(s.started).Seconds()
	eps := 0.0
	if el > 0 {
		eps = float64(s.events) / el
	}
	fmt.Fprintf(s.stdout, "Driver Events:%d\nDriver Drops:%d\nSuppressed by Comm:0\n", s.driverEvents, s.driverDrops)
	fmt.Fprintf(s.stdout, "Elapsed time: %.3f, Captured Events: %d, %.2f eps\n", el, s.events, eps)
}

func (s *Session) runFiles(paths []string) error {
	for _, p := range paths {
		if capnats.IsURL(p) {
			if len(paths) > 1 {
				return Fail(1, "ferret: -r %s: a stream is read alone, not with other -r inputs", p)
			}
			return s.runStream(p)
		}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(p + "0"); err != nil {
				return Fail(1, "can't open file %s", p)
			}
		}
	}
	src, err := file.Open(paths...)
	if err != nil {
		return Fail(1, "%s", err)
	}
	defer src.Close()
	err = s.loop(src, false)
	if n, first := src.Malformed(); n > 0 {
		s.warnf("%d malformed event(s) skipped; the first: %v", n, first)
	}
	return err
}

func (s *Session) warnf(format string, a ...any) {
	fmt.Fprintf(s.stderr, "ferret: warning: "+format+"\n", a...)
}

func (s *Session) loop(src capture.Source, isLive bool) error {
	cfg := s.cfg
	opts := engine.Options{
		Display:     cfg.Display,
		MaxEvents:   cfg.NumEvents,
		MaxDuration: cfg.MaxSeconds * uint64(time.Second),
		Ctx:         s.setupCtx,
	}
	if s.filter != nil {
		opts.Filter = s.filter
	}
	var consumers []engine.Consumer
	for _, ch := range s.chisels {
		consumers = append(consumers, ch)
	}
	if s.summary != nil {
		consumers = append(consumers, summaryConsumer{s.summary})
	}
	if s.printer != nil {
		consumers = append(consumers, printConsumer{s.printer})
	}
	if s.streamSink != nil {
		consumers = append(consumers, s.streamSink)
	} else if cfg.Write != "" {
		consumers = append(consumers, &engine.FileWriter{Path: cfg.Write, Fat: cfg.FatFile, Options: capfile.Options{
			WriterOptions: capfile.WriterOptions{Compress: cfg.Compress},
			SizeMB:        int(cfg.FileSize),
			Seconds:       int(cfg.Seconds),
			Limit:         cfg.Limit,
			EventsPerFile: cfg.EventsPer,
		}})
	}
	if isLive {
		if pd := engine.NewCgroupPushDown(src, s.kernelPushDown().Containers); pd != nil {
			consumers = append(consumers, pd)
		}
	}
	r := engine.New(src, opts, consumers...)
	done := make(chan struct{})
	var signalled atomic.Bool
	go func() {
		select {
		case sig := <-s.sig:
			signalled.Store(true)
			// A live capture ends with what it recorded up to the
			// signal (its ring and backlog); a second signal, or a
			// closed output, ends it at once.
			if !isLive || sig == syscall.SIGPIPE {
				r.Stop()
				return
			}
			r.Finish()
		case <-done:
			return
		}
		select {
		case <-s.sig:
			r.Stop()
		case <-done:
		}
	}()
	err := r.Loop()
	s.read += r.Stats.Read
	s.events += r.Stats.Accepted
	close(done)
	if isLive {
		if ls, ok := src.(*live.Source); ok && signalled.Load() {
			// What the drain after the signal did not reach is lost.
			ls.Discard()
		}
		st := src.Stats()
		s.driverEvents, s.driverDrops = st.Events, st.TotalDrops()
		st.WriteReport(s.stderr)
		r.State.Counters.WriteLookups(s.stderr)
	}
	return err
}

// setupCtx applies the rendering options to a run's context.
func (s *Session) setupCtx(c *fields.Ctx) {
	cfg := s.cfg
	c.JSON = cfg.JSON
	c.ResolvePorts = cfg.ResolvePorts
	switch cfg.Buf {
	case 'A':
		c.Buf = fields.BufASCII
	case 'x':
		c.Buf = fields.BufHex
	case 'X':
		c.Buf = fields.BufHexASCII
	case 'b':
		c.Buf = fields.BufBase64
	default:
		c.Buf = fields.BufNormal
	}
	c.Time = fields.TimeMode(cfg.TimeMode)
	// Like sysdig, buffers are cut to 80 bytes only in the default
	// rendering: -A, -x, -X and -b print them whole.
	if cfg.Verbose || cfg.JSON || len(s.chisels) > 0 || c.Buf != fields.BufNormal {
		c.PrintLen = 0
	} else {
		c.PrintLen = fields.DefaultPrintLen
	}
}

// printConsumer feeds the printer; a display filter (-d) applies to it.
type printConsumer struct{ p *format.Printer }

func (printConsumer) OnCaptureStart(*engine.Run) error { return nil }
func (c printConsumer) OnEvent(ctx *fields.Ctx) error  { return c.p.Event(ctx) }
func (printConsumer) OnCaptureEnd(*engine.Run) error   { return nil }
func (printConsumer) DisplayFiltered()                 {}

// OnIdle flushes printed lines while a live source has nothing to deliver,
// so that output through a pipe does not wait for the buffer to fill.
func (c printConsumer) OnIdle(*engine.Run) error { return c.p.Flush() }

// summaryConsumer counts every event for -S.
type summaryConsumer struct{ s *format.Summary }

func (summaryConsumer) OnCaptureStart(*engine.Run) error { return nil }
func (c summaryConsumer) OnEvent(ctx *fields.Ctx) error  { c.s.Add(ctx.Ev); return nil }
func (summaryConsumer) OnCaptureEnd(*engine.Run) error   { return nil }

// RunApps returns the command lines chisels asked to run after this
// session (sysdig.run_app).
func (s *Session) RunApps() [][]string { return s.runApps }

// Read returns how many events the session read from its sources.
func (s *Session) Read() uint64 { return s.read }
