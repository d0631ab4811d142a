// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/format"
)

// Version is ferret's version string.
var Version = "0.1.0"

// Hooks to packages wired in by other files of this package, so that each
// integration lives in its own file.
var (
	// openFileSource opens capture files, read in order as one stream.
	openFileSource func(paths []string) (capture.Source, error)
	// openLiveSource opens the live eBPF source.
	openLiveSource func(c *Config, flt engine.Filter, chisels bool) (capture.Source, error)
	// checkLivePrivileges reports what the process lacks for live capture.
	checkLivePrivileges func() error
	// compileFilter compiles a filter expression.
	compileFilter func(expr string) (engine.Filter, error)
	// newFileWriter returns a consumer that writes events to c.Write.
	newFileWriter func(c *Config, src capture.Source) (engine.Consumer, error)
)

// isTerminal reports whether w is a terminal (not merely a character
// device such as /dev/null); tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// runSysdig handles the sysdig-compatible command line.
func runSysdig(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args)
	if err == nil {
		err = run(cfg, stdout, stderr)
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "ferret: %v\n", err)
		return 1
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, err)
	return 1
}

// exitError carries an exact message and exit status.
type exitError struct {
	msg  string
	code int
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, a ...any) error {
	return &exitError{fmt.Sprintf(format, a...), code}
}

func run(cfg *Config, stdout, stderr io.Writer) error {
	switch {
	case cfg.Help:
		writeHelp(stdout)
		return nil
	case cfg.Version:
		fmt.Fprintf(stdout, "ferret version %s\n", Version)
		return nil
	case cfg.LibsVersion:
		fmt.Fprintf(stdout, "ferret %s (sysdig 0.29.3 compatible)\n", Version)
		return nil
	case cfg.List:
		return fields.Default.WriteList(stdout, cfg.Verbose)
	case cfg.ListMD:
		return fields.Default.WriteMarkdown(stdout)
	case cfg.ListEvents:
		return writeEventList(stdout)
	case cfg.ListChisels:
		return listChisels(stdout)
	case cfg.ChiselInfo != "":
		return chiselInfo(stdout, cfg.ChiselInfo)
	}
	tty := isTerminal(stdout)
	if cfg.PrintFormat {
		fmt.Fprintln(stdout, defaultFormat(cfg, tty))
		return nil
	}
	s, err := newSession(cfg, stdout, stderr)
	if err != nil {
		return err
	}
	return s.run()
}

// newSession compiles the format and the filter and loads the chisels.
func newSession(cfg *Config, stdout, stderr io.Writer) (*session, error) {
	tty := isTerminal(stdout)
	s := &session{cfg: cfg, stdout: stdout, stderr: stderr, tty: tty}
	operands := cfg.Operands
	for _, name := range cfg.Chisels {
		ch, rest, err := loadChisel(cfg, name, operands, s.chiselHooks())
		if err != nil {
			return nil, err
		}
		operands = rest
		s.chisels = append(s.chisels, ch)
	}
	cfg.Filter = strings.Join(operands, " ")

	f, err := format.Compile(defaultFormat(cfg, tty), fields.Default)
	if err != nil {
		return nil, fail(1, "%s", err)
	}
	s.format = f
	if err := s.setFilter(cfg.Filter); err != nil {
		return nil, err
	}
	// Like sysdig, chisels initialise once the command-line filter is
	// installed and before the capture is opened.
	for _, ch := range s.chisels {
		if in, ok := ch.consumer().(interface{ Init() error }); ok {
			if err := in.Init(); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// setFilter compiles and installs the command-line filter ("" removes it).
func (s *session) setFilter(expr string) error {
	if expr == "" {
		s.filter = nil
		return nil
	}
	if compileFilter == nil {
		return fail(1, "filters are not available in this build")
	}
	flt, err := compileFilter(expr)
	if err != nil {
		return fail(1, "%s", err)
	}
	s.filter = flt
	return nil
}

// chiselHooks lets chisels replace the capture filter and the snap length
// (sysdig.set_filter, sysdig.set_snaplen) before the capture opens.
func (s *session) chiselHooks() chiselHooks {
	return chiselHooks{
		setFilter: func(expr string) error {
			if err := s.setFilter(expr); err != nil {
				return err
			}
			s.cfg.Filter = expr
			return nil
		},
		setSnaplen: func(n int) {
			if n > 0 {
				s.cfg.Snaplen = n
			}
		},
	}
}

// defaultFormat returns the -p format text in effect.
func defaultFormat(cfg *Config, tty bool) string {
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

// session is one invocation reading files or capturing live.
type session struct {
	cfg     *Config
	stdout  io.Writer
	stderr  io.Writer
	tty     bool
	format  *format.Format
	filter  engine.Filter
	chisels []chiselRun

	sig     chan os.Signal // Ctrl-C and SIGTERM end the capture cleanly
	printer *format.Printer
	summary *format.Summary
	started time.Time
	events  uint64 // events that reached the consumers, all inputs
	read    uint64 // events read from the sources
	// live source counters for -v
	driverEvents, driverDrops uint64
}

func (s *session) run() error {
	cfg := s.cfg
	s.started = time.Now()
	s.sig = make(chan os.Signal, 2)
	signal.Notify(s.sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(s.sig)
	if !cfg.Quiet && cfg.Write == "" && len(s.chisels) == 0 {
		s.printer = format.NewPrinter(s.stdout, s.format, format.PrinterOptions{
			JSON:     cfg.JSON,
			Internal: cfg.Debug,
			// Terminals are line-buffered, as with stdio.
			FlushLines: cfg.Unbuffered || s.tty || (len(cfg.Read) == 0 && cfg.JSON),
		})
	}
	if cfg.Summary {
		s.summary = format.NewSummary()
	}
	var err error
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

func (s *session) writeVerboseStats() {
	el := time.Since(s.started).Seconds()
	eps := 0.0
	if el > 0 {
		eps = float64(s.events) / el
	}
	fmt.Fprintf(s.stdout, "Driver Events:%d\nDriver Drops:%d\nSuppressed by Comm:0\n", s.driverEvents, s.driverDrops)
	fmt.Fprintf(s.stdout, "Elapsed time: %.3f, Captured Events: %d, %.2f eps\n", el, s.events, eps)
}

func (s *session) runFiles(paths []string) error {
	if openFileSource == nil {
		return fail(1, "reading capture files is not available in this build")
	}
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(p + "0"); err != nil {
				return fail(1, "can't open file %s", p)
			}
		}
	}
	src, err := openFileSource(paths)
	if err != nil {
		return fail(1, "%s", err)
	}
	defer src.Close()
	return s.loop(src, false)
}

func (s *session) loop(src capture.Source, live bool) error {
	cfg := s.cfg
	opts := engine.Options{
		Filter:      s.filter,
		Display:     cfg.Display,
		MaxEvents:   cfg.NumEvents,
		MaxDuration: cfg.MaxSeconds * uint64(time.Second),
		Ctx:         s.setupCtx,
	}
	var consumers []engine.Consumer
	if cfg.Display {
		// A display filter only selects what is printed: every event
		// reaches the summary, writers and chisels (which ignore it).
		opts.Filter = nil
	}
	if len(s.chisels) > 0 {
		for _, ch := range s.chisels {
			consumers = append(consumers, ch.consumer())
		}
	}
	consumers = append(consumers, &printConsumer{s: s})
	if cfg.Write != "" {
		if newFileWriter == nil {
			return fail(1, "writing capture files is not available in this build")
		}
		w, err := newFileWriter(cfg, src)
		if err != nil {
			return fail(1, "%s", err)
		}
		consumers = append(consumers, w)
	}
	r := engine.New(src, opts, consumers...)
	done := make(chan struct{})
	go func() {
		select {
		case <-s.sig:
			r.Stop()
		case <-done:
		}
	}()
	err := r.Loop()
	s.read += r.Stats.Read
	close(done)
	if live {
		st := src.Stats()
		s.driverEvents, s.driverDrops = st.Events, st.TotalDrops()
		s.writeDropReport(src)
		writeLookupReport(s.stderr, r.State.Counters)
	}
	return err
}

// setupCtx applies the rendering options to a run's context.
func (s *session) setupCtx(c *fields.Ctx) {
	cfg := s.cfg
	c.JSON = cfg.JSON
	c.DisplayFilter = cfg.Display
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

// printConsumer feeds the printer and the summary.
type printConsumer struct {
	s *session
}

func (p *printConsumer) OnCaptureStart(*engine.Run) error { return nil }

func (p *printConsumer) OnEvent(c *fields.Ctx) error {
	s := p.s
	s.events++
	if s.summary != nil {
		s.summary.Add(c.Ev)
	}
	if s.printer == nil {
		return nil
	}
	if s.cfg.Display && s.filter != nil && !s.filter.Match(c) {
		if fe, ok := s.filter.(engine.FilterErr); ok {
			return fe.Err()
		}
		return nil
	}
	return s.printer.Event(c)
}

func (p *printConsumer) OnCaptureEnd(*engine.Run) error { return nil }

// OnIdle flushes printed lines while a live source has nothing to deliver,
// so that output through a pipe does not wait for the buffer to fill.
func (p *printConsumer) OnIdle(*engine.Run) error {
	if p.s.printer != nil {
		return p.s.printer.Flush()
	}
	return nil
}

func writeHelp(w io.Writer) {
	fmt.Fprintf(w, "ferret version %s\n", Version)
	fmt.Fprintf(w, "Usage: ferret [options] [-p <output_format>] [filter]\n")
	fmt.Fprintf(w, "       ferret SUBCOMMAND [args]\n")
	io.WriteString(w, helpText)
	writeSubcommandHelp(w)
}
