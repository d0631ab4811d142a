// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
	"github.com/ferret-observability/ferret/internal/format"
	"github.com/ferret-observability/ferret/internal/state"
)

// Level is one step of the drill-down trail: the view shown and the
// selection that led to it.
type Level struct {
	View *Def
	// Filter selects the rows of the parent that were drilled into
	// (parent view filter and key="value"), "" at the root.
	Filter string
	// Key and Value name the selection ("proc.pid", "1234") for the trail.
	Key, Value string
	// Selected is the row key selected when the user left this level.
	Selected string
}

// Mode is what the session shows.
type Mode uint8

// Modes.
const (
	ModeTable Mode = iota // the view's table
	ModeDig               // sysdig-formatted events (F6)
	ModeEcho              // I/O buffers (F5)
)

// Snapshot is what a screen draws: one sample of the current view.
type Snapshot struct {
	Table    *Table
	Rows     []*Row
	Delta    uint64 // sample duration (ns)
	Trail    []Level
	Mode     Mode
	Lines    []string // ModeDig / ModeEcho
	Paused   bool
	Filter   string // user filter
	Err      string // last error (shown in the status line)
	Step     int    // capture files: -1 whole capture, else the interval shown
	Steps    int    // number of intervals of a capture file
	Live     bool
	Events   uint64
	Progress string
	// History holds per row key the recent values of the sorting column,
	// oldest first (sparklines).
	History map[string][]float64
	// Spectro holds a spectrogram view's rows, oldest first: one per
	// refresh live, one per interval of a capture file (up to the one
	// selected with [ and ]).
	Spectro []SpectroRow
}

// maxLines bounds the events kept by the dig and echo modes.
const maxLines = 5000

// historyLen is the number of samples a sparkline shows.
const historyLen = 20

// Session runs a view interactively: the engine loop over a live source,
// or passes over a capture file, with the drill-down trail, filter, sort,
// pause and stepping through a capture. Its methods are safe to call from
// the UI goroutine while the engine runs.
type Session struct {
	cfg Config
	Cat *Catalog

	mu       sync.Mutex
	trail    []Level
	table    *Table
	user     string
	mode     Mode
	paused   bool
	err      string
	snap     Snapshot
	lines    []string
	history  map[string][]float64
	sortCol  int
	sortAsc  bool
	sortSet  bool
	step     int
	steps    [][]*Row
	whole    []*Row
	wholeDel uint64
	stepDel  uint64
	spectro  []SpectroRow
	gen      int // bumped by every change that needs a new pass
	events   uint64

	// Updated receives a value (without blocking) whenever a new
	// snapshot is ready.
	Updated chan struct{}

	src     capture.Source // live source
	run     *engine.Run
	stop    chan struct{}
	stopped sync.Once
	done    chan error
	// ScreenWidth is used by spectrogram views (evt.latency.quantized).
	ScreenWidth int
	// flows are the network counters, opened for the first view of flow
	// records shown (live).
	flows    *Flows
	flowsErr error
	// tio are the thread I/O counters, opened for the first table they
	// can serve (live).
	tio    *ThreadIO
	tioErr error
}

// NewSession prepares a session. Start begins reading.
func NewSession(cfg Config) (*Session, error) {
	s := &Session{cfg: cfg, Cat: cfg.Catalog(), Updated: make(chan struct{}, 1), stop: make(chan struct{}),
		done: make(chan error, 1), history: map[string][]float64{}, step: -1, user: cfg.Filter}
	id := cfg.View
	if id == "" {
		id = "procs"
	}
	d := s.Cat.Find(id)
	if d == nil {
		return nil, fmt.Errorf("unknown view %s - use --list-views to list them", id)
	}
	if cfg.Filter != "" {
		if _, err := filter.Compile(cfg.Filter, fields.Default); err != nil {
			return nil, err
		}
	}
	s.trail = []Level{{View: d}}
	if err := s.rebuild(); err != nil {
		return nil, err
	}
	if c := cfg.SortingCol; c >= 1 && c <= s.table.Visible() {
		ApplySortingCol(s.table, c)
		s.sortCol, s.sortAsc = s.table.SortColumn()
		s.sortSet = true
	}
	return s, nil
}

// Live reports whether the session reads a live source.
func (s *Session) Live() bool { return s.cfg.Read == "" }

func (s *Session) level() *Level { return &s.trail[len(s.trail)-1] }

// tableFilter is the filter of the current level: the user's filter and
// every drill-down selection.
func (s *Session) tableFilter() string {
	parts := []string{s.user}
	for _, l := range s.trail[1:] {
		parts = append(parts, l.Filter)
	}
	return CombineFilters(parts...)
}

// rebuild compiles the current level's table (s.mu held or not yet
// shared).
func (s *Session) rebuild() error {
	t, err := NewTable(s.level().View, Options{Filter: s.tableFilter(), Depth: len(s.trail) - 1})
	if err != nil {
		return err
	}
	if t.flows && !s.Live() {
		return errFlowsLive(t.Def)
	}
	if s.sortSet {
		t.SortBy(s.sortCol, s.sortAsc)
	}
	t.Track = s.Live() // one pass per sample (or a sample without)
	s.table = t
	s.history = map[string][]float64{}
	s.spectro = nil
	s.gen++
	return nil
}

// Start begins reading events; it returns at once. Wait returns the
// reading error.
func (s *Session) Start() error {
	if s.Live() {
		src, err := Open(&s.cfg)
		if err != nil {
			return err
		}
		s.src = src
		s.mu.Lock()
		s.narrow()
		s.mu.Unlock()
		go s.guard(s.liveLoop)
		return nil
	}
	src, err := Open(&s.cfg) // reports an unreadable file now
	if err != nil {
		return err
	}
	src.Close()
	go s.guard(s.fileLoop)
	return nil
}

// guard runs the reading loop and turns a crash into its error, so the
// screen can be restored and the problem reported.
func (s *Session) guard(loop func() error) {
	defer func() {
		if p := recover(); p != nil {
			s.done <- fmt.Errorf("internal error while reading events: %v", p)
			s.mu.Lock()
			s.err = fmt.Sprint("internal error: ", p)
			s.mu.Unlock()
			s.notify()
		}
	}()
	err := loop()
	if err != nil {
		s.mu.Lock()
		s.err = err.Error()
		s.mu.Unlock()
		s.notify()
	}
	s.done <- err
}

// Close stops reading and releases the source.
func (s *Session) Close() error {
	s.stopped.Do(func() { close(s.stop) })
	s.mu.Lock()
	r := s.run
	s.mu.Unlock()
	if r != nil {
		r.Stop()
	}
	err := <-s.done
	if s.src != nil {
		s.src.Close()
	}
	s.mu.Lock()
	s.flows.Close()
	s.flows = nil
	s.tio.Close()
	s.tio = nil
	s.mu.Unlock()
	return err
}

func (s *Session) notify() {
	select {
	case s.Updated <- struct{}{}:
	default:
	}
}

// liveConsumer feeds the session's current table from the live loop.
type liveConsumer struct {
	s         *Session
	st        *state.State
	nextFlush uint64
	fmtDig    *format.Format
	fmtEcho   *format.Format
	digFlt    *filter.Filter
	digGen    int
	buf       []byte
}

func (c *liveConsumer) OnCaptureStart(r *engine.Run) error {
	c.st = r.State
	return nil
}
func (c *liveConsumer) OnCaptureEnd(r *engine.Run) error { return nil }

func (c *liveConsumer) OnEvent(ctx *fields.Ctx) error {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events++
	ctx.ScreenWidth = s.ScreenWidth
	ts := ctx.Ev.TS
	iv := s.cfg.DelayMS * 1_000_000
	if iv == 0 {
		iv = 2 * nsPerSec
	}
	if ts > c.nextFlush || c.nextFlush-ts > 2*iv { // (as in Batch.OnEvent)
		if c.nextFlush != 0 && !s.paused {
			if s.table.IsSpectro() {
				s.spectro = append(s.spectro, SpectroRow{Start: c.nextFlush - iv, Delta: iv, Hist: s.table.TakeSpectro()})
				if len(s.spectro) > maxSpectroRows {
					s.spectro = s.spectro[len(s.spectro)-maxSpectroRows:]
				}
			} else {
				if s.table.flows {
					s.processFlows(ctx, c.st, ts)
				}
				s.table.ProcessThreads(ctx, c.st, ts)
				if err := s.table.ThreadIOErr(); err != nil {
					s.err = err.Error()
				}
			}
			rows := s.table.Sample()
			s.publish(rows, iv)
		} else if c.nextFlush != 0 {
			s.table.Sample() // paused: drop the sample
			s.table.TakeSpectro()
		}
		c.nextFlush = ts - ts%iv + iv
	}
	if s.mode != ModeTable {
		return c.spy(ctx)
	}
	if err := s.table.Process(ctx); err != nil {
		s.err = err.Error()
	}
	return nil
}

// processFlows gives a table of flow records this sample's flows, opening
// the network counters on first use (s.mu held).
func (s *Session) processFlows(ctx *fields.Ctx, st *state.State, ts uint64) {
	if s.flows == nil && s.flowsErr == nil {
		s.flows, s.flowsErr = OpenFlows()
	}
	if s.flowsErr != nil {
		s.err = s.flowsErr.Error()
		return
	}
	iv := s.cfg.DelayMS * 1_000_000
	if iv == 0 {
		iv = 2 * nsPerSec
	}
	s.table.ProcessFlows(ctx, st, s.flows.read(iv), ts)
	if s.flows.err != nil {
		s.err = s.flows.err.Error()
		s.flows.err = nil
	}
}

// spy collects formatted events for the dig and echo modes.
func (c *liveConsumer) spy(ctx *fields.Ctx) error {
	s := c.s
	if c.digGen != s.gen || c.digFlt == nil {
		c.digGen = s.gen
		f, err := filter.Compile(s.spyFilter(), fields.Default)
		if err != nil {
			s.err = err.Error()
			f, _ = filter.Compile("evt.num<0", fields.Default)
		}
		c.digFlt = f
	}
	if !c.digFlt.Match(ctx) || s.paused {
		return nil
	}
	line := s.formatSpy(ctx, &c.fmtDig, &c.fmtEcho, &c.buf)
	if line != "" {
		s.lines = append(s.lines, line)
		if len(s.lines) > maxLines {
			s.lines = s.lines[len(s.lines)-maxLines:]
		}
	}
	return nil
}

// digFormat is sysdig's default output line.
const digFormat = "%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"

// echoFormat heads each I/O buffer in echo mode.
const echoFormat = "------ %evt.type %proc.name (%thread.tid) %fd.name"

// spyFilter is the filter of the dig/echo modes (s.mu held).
func (s *Session) spyFilter() string {
	f := CombineFilters(s.tableFilter(), s.level().View.FilterAt(len(s.trail)-1))
	if s.mode == ModeEcho {
		f = CombineFilters(f, "evt.is_io=true and evt.dir=< and evt.rawres>0")
	}
	return f
}

func (s *Session) formatSpy(ctx *fields.Ctx, dig, echo **format.Format, buf *[]byte) string {
	if s.mode == ModeDig {
		if *dig == nil {
			*dig, _ = format.Compile(digFormat, fields.Default)
		}
		b, ok := (*dig).Append((*buf)[:0], ctx)
		*buf = b
		if !ok {
			return ""
		}
		return string(b)
	}
	if *echo == nil {
		*echo, _ = format.Compile(echoFormat+"\n%evt.arg.data", fields.Default)
	}
	b, ok := (*echo).Append((*buf)[:0], ctx)
	*buf = b
	if !ok {
		return ""
	}
	return strings.TrimRight(string(b), "\n")
}

func (s *Session) liveLoop() error {
	c := &liveConsumer{s: s}
	r := engine.New(s.src, EngineOptions(s.cfg.NumEvents), c)
	s.mu.Lock()
	s.run = r
	s.mu.Unlock()
	select {
	case <-s.stop:
		return nil
	default:
	}
	return r.Loop()
}

// publish stores a new sample (s.mu held).
func (s *Session) publish(rows []*Row, delta uint64) {
	t := s.table
	col, _ := t.SortColumn()
	// A new map each sample, holding the keys of this one: snapshots
	// taken before keep reading theirs (appending never changes what a
	// slice they hold shows).
	next := make(map[string][]float64, len(rows))
	for _, r := range rows {
		v := t.Number(r, col, delta)
		h := append(s.history[r.KeyText], v)
		if len(h) > historyLen {
			h = h[len(h)-historyLen:]
		}
		next[r.KeyText] = h
	}
	s.history = next
	s.snap.Rows, s.snap.Delta, s.snap.Table = rows, delta, t
	s.notify()
}

// fileLoop reads the capture file once per change of view, filter or
// trail: the whole capture as one sample (as csysdig shows a file), and a
// sample per refresh interval for stepping with [ and ].
func (s *Session) fileLoop() error {
	gen := -1
	for {
		s.mu.Lock()
		if s.gen == gen {
			s.mu.Unlock()
			select {
			case <-s.stop:
				return nil
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		gen = s.gen
		mode := s.mode
		s.snap.Progress = "reading"
		s.mu.Unlock()
		s.notify()
		err := s.filePass(gen, mode)
		s.mu.Lock()
		s.snap.Progress = ""
		if err != nil {
			s.err = err.Error()
		}
		s.mu.Unlock()
		s.notify()
		select {
		case <-s.stop:
			return nil
		default:
		}
	}
}

// fileConsumer aggregates one pass over a capture file.
type fileConsumer struct {
	s         *Session
	whole     *Table
	step      *Table
	st        *state.State
	iv        uint64
	nextFlush uint64
	first     uint64
	last      uint64
	steps     [][]*Row
	spectro   []SpectroRow
	mode      Mode
	spyFlt    *filter.Filter
	lines     []string
	dig, echo *format.Format
	buf       []byte
	gen       int
	ctx       *fields.Ctx
}

func (c *fileConsumer) OnCaptureStart(r *engine.Run) error {
	c.st = r.State
	return nil
}

func (c *fileConsumer) OnEvent(ctx *fields.Ctx) error {
	c.ctx = ctx
	ts := ctx.Ev.TS
	if c.first == 0 {
		c.first = ts
	}
	c.last = ts
	if c.mode != ModeTable {
		if c.spyFlt.Match(ctx) {
			line := c.s.formatSpy(ctx, &c.dig, &c.echo, &c.buf)
			if line != "" {
				c.lines = append(c.lines, line)
				if len(c.lines) > maxLines {
					c.lines = c.lines[len(c.lines)-maxLines:]
				}
			}
		}
		return nil
	}
	if ts > c.nextFlush {
		if c.nextFlush != 0 {
			c.endStep(ctx, c.nextFlush-c.iv, ts)
		}
		c.nextFlush = ts - ts%c.iv + c.iv
	}
	if err := c.whole.Process(ctx); err != nil {
		return err
	}
	return c.step.Process(ctx)
}

func (c *fileConsumer) OnCaptureEnd(r *engine.Run) error {
	if c.ctx == nil || c.ctx.Ev == nil || c.mode != ModeTable {
		return nil
	}
	c.endStep(c.ctx, c.nextFlush-c.iv, c.last)
	if !c.whole.IsSpectro() {
		c.whole.ProcessThreads(c.ctx, c.st, c.last)
	}
	return nil
}

// endStep closes the interval starting at start (a spectrogram's row).
func (c *fileConsumer) endStep(ctx *fields.Ctx, start, ts uint64) {
	if c.step.IsSpectro() {
		c.spectro = append(c.spectro, SpectroRow{Start: start, Delta: c.iv, Hist: c.step.TakeSpectro()})
	} else {
		c.step.ProcessThreads(ctx, c.st, ts)
	}
	c.steps = append(c.steps, c.step.Sample())
}

func (s *Session) filePass(gen int, mode Mode) error {
	s.mu.Lock()
	def, flt, depth := s.level().View, s.tableFilter(), len(s.trail)-1
	spy := s.spyFilter()
	s.mu.Unlock()
	whole, err := NewTable(def, Options{Filter: flt, Depth: depth})
	if err != nil {
		return err
	}
	step, _ := NewTable(def, Options{Filter: flt, Depth: depth})
	s.mu.Lock()
	if s.sortSet {
		whole.SortBy(s.sortCol, s.sortAsc)
		step.SortBy(s.sortCol, s.sortAsc)
	}
	s.mu.Unlock()
	iv := s.cfg.DelayMS * 1_000_000
	if iv == 0 {
		iv = 2 * nsPerSec
	}
	c := &fileConsumer{s: s, whole: whole, step: step, iv: iv, mode: mode, gen: gen}
	if mode != ModeTable {
		c.spyFlt, err = filter.Compile(spy, fields.Default)
		if err != nil {
			return err
		}
	}
	src, err := Open(&s.cfg)
	if err != nil {
		return err
	}
	defer src.Close()
	r := engine.New(src, EngineOptions(s.cfg.NumEvents), c)
	s.mu.Lock()
	s.run = r
	s.mu.Unlock()
	loopErr := r.Loop()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.run = nil
	s.events = r.Stats.Read
	if s.gen != gen {
		return nil // changed meanwhile: the next pass replaces this one
	}
	if mode != ModeTable {
		s.lines = c.lines
		s.snap.Table = whole
		return loopErr
	}
	s.table = whole
	s.whole = whole.Sample()
	s.wholeDel = c.last - c.first
	s.steps = c.steps
	s.spectro = c.spectro
	s.stepDel = iv
	if s.step >= len(s.steps) {
		s.step = len(s.steps) - 1
	}
	s.showStep()
	return loopErr
}

// showStep publishes the whole capture or the selected interval (s.mu
// held).
func (s *Session) showStep() {
	if s.step < 0 || s.step >= len(s.steps) {
		s.publish(s.whole, s.wholeDel)
		return
	}
	s.publish(s.steps[s.step], s.stepDel)
}

// Snapshot returns the current state for drawing.
func (s *Session) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.snap
	if sn.Table == nil {
		sn.Table = s.table
	}
	sn.Trail = append([]Level(nil), s.trail...)
	sn.Mode = s.mode
	sn.Lines = append([]string(nil), s.lines...)
	sn.Paused = s.paused
	sn.Filter = s.user
	sn.Err = s.err
	sn.Live = s.Live()
	sn.Step = s.step
	sn.Steps = len(s.steps)
	sn.Events = s.events
	sn.History = s.history
	sn.Spectro = s.spectro
	if !s.Live() && s.step >= 0 && s.step < len(s.spectro) {
		sn.Spectro = s.spectro[:s.step+1]
	}
	return sn
}

// change applies f under the lock and starts over with a fresh table.
func (s *Session) change(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	saved := append([]Level(nil), s.trail...)
	savedUser, savedMode := s.user, s.mode
	if err := f(); err != nil {
		s.trail, s.user, s.mode = saved, savedUser, savedMode
		return err
	}
	if err := s.rebuild(); err != nil {
		s.trail, s.user, s.mode = saved, savedUser, savedMode
		s.rebuild()
		return err
	}
	s.err = ""
	s.lines = nil
	s.snap.Rows, s.snap.Table = nil, s.table
	s.narrow()
	s.notify()
	return nil
}

// narrow tells a live source which events the current table, or the dig
// and echo output, can use: the others are dropped in the kernel from
// now on (s.mu held).
func (s *Session) narrow() {
	ls, ok := s.src.(*live.Source)
	if !ok {
		return
	}
	var types []event.Type
	if s.mode == ModeTable {
		if s.table.CountersServe() {
			if s.tio == nil && s.tioErr == nil {
				s.tio, s.tioErr = OpenThreadIO()
			}
			if s.tioErr != nil {
				// (The I/O columns come from the events then.)
				s.err = fmt.Sprintf("thread I/O counters: %v", s.tioErr)
			}
			s.table.UseThreadIO(s.tio)
		}
		types = s.table.KernelPushDown().EventTypes
	} else if f, err := filter.Compile(s.spyFilter(), fields.Default); err == nil {
		types = filter.KernelPushDown(f).EventTypes
	}
	if err := ls.SetEventTypes(types); err != nil {
		s.err = err.Error()
	}
}

// SetView replaces the current level's view (F2).
func (s *Session) SetView(id string) error {
	d := s.Cat.Find(id)
	if d == nil {
		return fmt.Errorf("unknown view %s", id)
	}
	return s.change(func() error {
		s.level().View = d
		s.mode = ModeTable
		s.sortSet = false
		return nil
	})
}

// CheckFilter compiles a filter without applying it (F4 checks as the
// user types).
func CheckFilter(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	_, err := filter.Compile(expr, fields.Default)
	return err
}

// SetFilter replaces the user filter (F4); an invalid one is refused.
func (s *Session) SetFilter(expr string) error {
	if err := CheckFilter(expr); err != nil {
		return err
	}
	return s.change(func() error {
		s.user = strings.TrimSpace(expr)
		return nil
	})
}

// DrillDown opens the view's drill-down target for the row with key
// value (Enter). Views without a target (lists) refuse.
func (s *Session) DrillDown(r *Row) error {
	if r == nil {
		return fmt.Errorf("nothing selected")
	}
	return s.change(func() error {
		lv := s.level()
		t := s.table
		if lv.View.Kind != KindTable || lv.View.Drilldown == "" {
			return fmt.Errorf("view %s has no drill-down", lv.View.ID)
		}
		target := s.Cat.Find(lv.View.Drilldown)
		if target == nil {
			return fmt.Errorf("drill-down view %s not found", lv.View.Drilldown)
		}
		lv.Selected = r.KeyText
		field, value := t.DrillOn(r)
		if lv.View.DrillKey == "" {
			field = lv.View.Key().FieldAt(len(s.trail) - 1)
		}
		s.trail = append(s.trail, Level{View: target, Filter: t.RowFilter(r), Key: field, Value: value})
		s.mode = ModeTable
		s.sortSet = false
		return nil
	})
}

// Back returns to the previous level (Backspace); it reports false at the
// root.
func (s *Session) Back() bool {
	s.mu.Lock()
	if s.mode != ModeTable {
		s.mu.Unlock()
		s.change(func() error { s.mode = ModeTable; return nil })
		return true
	}
	n := len(s.trail)
	s.mu.Unlock()
	if n <= 1 {
		return false
	}
	s.change(func() error {
		s.trail = s.trail[:len(s.trail)-1]
		s.sortSet = false
		return nil
	})
	return true
}

// Source names what the session reads.
func (s *Session) Source() string {
	if s.Live() {
		return "live system"
	}
	return s.cfg.Read
}

// SetSelected remembers the selected row key of the current level (to
// select it again when coming back).
func (s *Session) SetSelected(key string) {
	s.mu.Lock()
	s.level().Selected = key
	s.mu.Unlock()
}

// Selected returns the row key remembered for the current level.
func (s *Session) Selected() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.level().Selected
}

// SetMode switches to the dig (F6) or echo (F5) output of the current
// selection, or back to the table. r narrows it to one row.
func (s *Session) SetMode(m Mode, r *Row) error {
	return s.change(func() error {
		if m != ModeTable && r != nil && s.level().View.Kind == KindTable {
			t := s.table
			field, value := t.DrillOn(r)
			if s.level().View.DrillKey == "" {
				field = s.level().View.Key().FieldAt(len(s.trail) - 1)
			}
			s.trail = append(s.trail, Level{View: s.level().View, Filter: t.RowFilter(r), Key: field, Value: value})
		}
		s.mode = m
		return nil
	})
}

// SetSort sorts by visible column col (F9, >); choosing the same column
// again reverses the order.
func (s *Session) SetSort(col int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.table.SetSort(col)
	s.sortCol, s.sortAsc = s.table.SortColumn()
	s.sortSet = true
	if s.snap.Rows != nil {
		rows := append([]*Row(nil), s.snap.Rows...)
		s.table.sortRows(rows)
		s.snap.Rows = rows
	}
	if !s.Live() {
		s.whole = append([]*Row(nil), s.whole...)
		s.table.sortRows(s.whole)
		for i := range s.steps {
			s.table.sortRows(s.steps[i])
		}
	}
	s.notify()
}

// TogglePause stops or resumes updating the screen (p).
func (s *Session) TogglePause() {
	s.mu.Lock()
	s.paused = !s.paused
	s.mu.Unlock()
	s.notify()
}

// Step moves through a capture file's intervals ([ and ]): d=+1 next,
// -1 previous; moving before the first interval shows the whole capture.
func (s *Session) Step(d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Live() || len(s.steps) == 0 {
		return
	}
	s.step += d
	if s.step < -1 {
		s.step = len(s.steps) - 1
	}
	if s.step >= len(s.steps) {
		s.step = -1
	}
	s.showStep()
}

// Number returns value i of a row as a number (sparklines).
func (t *Table) Number(r *Row, i int, delta uint64) float64 {
	if i < 0 || i >= len(r.Values) {
		return 0
	}
	cs := t.valueCol(i)
	c := &r.Values[i]
	cnt := t.cellCount(cs, c, delta)
	var v float64
	switch cs.vt {
	case vInt:
		v = float64(c.I)
	case vUint, vRel:
		v = float64(c.U)
	case vDouble:
		v = c.F
	default:
		return 0
	}
	if cnt > 1 {
		v /= cnt
	}
	return v
}

// Headers returns the visible columns' names and sizes.
func (t *Table) Headers() (names []string, sizes []int) {
	for i := 0; i < t.Visible(); i++ {
		c := t.valueCol(i).col
		names = append(names, c.Name)
		sizes = append(sizes, c.Size)
	}
	return names, sizes
}

// Numeric reports whether visible column i holds numbers.
func (t *Table) Numeric(i int) bool {
	cs := t.valueCol(i)
	return cs.vt != vText || cs.typeName == "PORT"
}

// Column returns the definition of visible column i.
func (t *Table) Column(i int) Column { return t.valueCol(i).col }

// Search returns the index of the first row (from start, wrapping) with a
// text value containing text, -1 if none (/).
func (t *Table) Search(rows []*Row, text string, start int) int {
	if text == "" || len(rows) == 0 {
		return -1
	}
	for k := 0; k < len(rows); k++ {
		i := (start + k) % len(rows)
		if strings.Contains(rows[i].KeyText, text) {
			return i
		}
		for j := range rows[i].Values {
			if t.valueCol(j).vt == vText && strings.Contains(rows[i].Values[j].S, text) {
				return i
			}
		}
	}
	return -1
}

// ActionCommand resolves an action's command for a row: each %field is
// replaced by the row's value of the column showing that field, or the
// row key for the key field.
func (t *Table) ActionCommand(a Action, r *Row) (string, error) {
	cmd := a.Command
	var out strings.Builder
	for {
		i := strings.IndexByte(cmd, '%')
		if i < 0 {
			out.WriteString(cmd)
			break
		}
		out.WriteString(cmd[:i])
		rest := cmd[i+1:]
		j := 0
		for j < len(rest) && (rest[j] == '.' || rest[j] == '_' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= '0' && rest[j] <= '9') {
			j++
		}
		name := rest[:j]
		val, ok := t.fieldValue(r, name)
		if !ok {
			return "", fmt.Errorf("action %q: this view has no %s to fill in", a.Command, name)
		}
		out.WriteString(val)
		cmd = rest[j:]
	}
	return out.String(), nil
}

func (t *Table) fieldValue(r *Row, name string) (string, bool) {
	if t.KeyField() == name {
		return r.KeyText, true
	}
	for i := 0; i < t.Visible(); i++ {
		if t.valueCol(i).col.Field == name {
			return strings.TrimSpace(t.Text(r, i, 0, 0)), true
		}
	}
	return "", false
}

// TreeOrder orders rows as a process tree when the view shows proc.pid
// and proc.ppid: children under their parent, siblings by the current
// order. It returns the rows and each row's depth; ok is false for views
// without both columns.
func (t *Table) TreeOrder(rows []*Row) ([]*Row, []int, bool) {
	pidCol, ppidCol := -1, -1
	for i := 0; i < t.Visible(); i++ {
		switch t.valueCol(i).col.Field {
		case "proc.pid":
			pidCol = i
		case "proc.ppid":
			ppidCol = i
		}
	}
	keyIsPid := t.KeyField() == "proc.pid"
	if ppidCol < 0 || (pidCol < 0 && !keyIsPid) {
		return rows, nil, false
	}
	pid := func(r *Row) string {
		if pidCol >= 0 {
			return strings.TrimSpace(t.Text(r, pidCol, 0, 0))
		}
		return r.KeyText
	}
	byPid := map[string]*Row{}
	for _, r := range rows {
		byPid[pid(r)] = r
	}
	children := map[string][]*Row{}
	var roots []*Row
	for _, r := range rows {
		pp := strings.TrimSpace(t.Text(r, ppidCol, 0, 0))
		if _, ok := byPid[pp]; ok && pp != pid(r) {
			children[pp] = append(children[pp], r)
		} else {
			roots = append(roots, r)
		}
	}
	var out []*Row
	var depth []int
	seen := map[*Row]bool{}
	var walk func(r *Row, d int)
	walk = func(r *Row, d int) {
		if seen[r] {
			return
		}
		seen[r] = true
		out = append(out, r)
		depth = append(depth, d)
		for _, c := range children[pid(r)] {
			walk(c, d+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return out, depth, true
}
