// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// Formatter renders the current event with a -p style format string
// (chisel.set_event_formatter). Append appends the line (without newline)
// and reports false when the line must be skipped.
type Formatter interface {
	Append(buf []byte, c *fields.Ctx) ([]byte, bool)
}

// ThreadFilter is a filter compiled in thread-table mode: it is evaluated
// without an event, once per (thread, fd) pair (fd is nil for threads
// without fds).
type ThreadFilter interface {
	MatchThread(c *fields.Ctx, t *state.Thread, fd *state.FD) bool
}

// Options configure chisels.
type Options struct {
	// Stdout receives print/io.write output (os.Stdout when nil). It is
	// buffered and flushed at the end of the capture and before errors.
	Stdout io.Writer
	// Stderr receives error reports made while the chisel runs (invalid
	// filters); os.Stderr when nil.
	Stderr io.Writer
	// JSON is -j: sysdig.get_output_format() returns "json".
	JSON bool
	// Container is -pc/-pk/-pm: sysdig.is_print_container_data().
	Container bool
	// Live reports a live capture (sysdig.is_live()).
	Live bool
	// TTY reports that stdout is a terminal (sysdig.is_tty()).
	TTY bool
	// BufForced reports -A/-x/-X/-b: sysdig.set_output_format is ignored.
	BufForced bool
	// Filter is the command-line filter text (sysdig.get_filter()).
	Filter string
	// Source is the capture file being read (sysdig.get_evtsource_name()).
	Source string
	// Dirs overrides the search path (nil = DefaultDirs()).
	Dirs []string
	// Registry resolves fields (nil = fields.Default).
	Registry *fields.Registry
	// SetSnaplen is called by sysdig.set_snaplen (nil = recorded only).
	SetSnaplen func(n int)
	// SetGlobalFilter is called by sysdig.set_filter.
	SetGlobalFilter func(expr string) error
	// RunApp receives the argument vector of sysdig.run_app.
	RunApp func(args []string)
}

// Error is a chisel failure with the exact message to print; the command
// line exits with status 1 after printing it.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, a ...any) error { return &Error{fmt.Sprintf(format, a...)} }

// Arg is one declared chisel argument.
type Arg struct {
	Name     string
	Desc     string
	Type     string
	Optional bool
}

// Meta is what a script declares about itself.
type Meta struct {
	Name        string
	Description string
	Short       string
	Category    string
	Hidden      bool
	IsChisel    bool // description is a string and args is present
	IsView      bool // view_info table and no description
	HasArgs     bool
	Args        []Arg
}

// Chisel is one loaded chisel. It implements engine.Consumer and
// engine.Clock.
type Chisel struct {
	meta Meta
	opts *Options
	find *finder
	out  *bufio.Writer
	L    *lua.LState
	reg  *fields.Registry

	handles   []handle
	val       fields.Value
	textBuf   []byte
	filter    engine.Filter
	formatter Formatter
	fmtBuf    []byte

	interval  uint64
	precise   bool
	clockInit bool
	bucket    uint64
	lastCall  uint64
	nextTick  uint64

	ctx     *fields.Ctx
	run     *engine.Run
	evtOK   bool
	typeExt fields.Extractor

	execName string
	execArgs []string
	ended    bool
	inited   bool
	started  bool
	snaplen  int
	outFmt   string
	bufFmt   *fields.BufFormat
	udp      net.Conn

	onEvent, onInterval *lua.LFunction
	sums                []*sums // chisel.sum_by tables
}

type handle struct {
	ext    fields.Extractor
	mode   valueMode
	layout bool // the field renders arguments (see fields.KeepsLineBreaks)
}

type valueMode uint8

const (
	modeText valueMode = iota
	modeNumber
	modeBool
	modeDynamic // the value's kind decides (evt.rawarg.*)
)

// Name returns the chisel's name (after a chisel.exec, the replacement's).
func (c *Chisel) Name() string { return c.meta.Name }

// Meta returns the chisel's declarations.
func (c *Chisel) Meta() Meta { return c.meta }

// Snaplen returns the snap length requested with sysdig.set_snaplen (0 if
// none).
func (c *Chisel) Snaplen() int { return c.snaplen }

// OutputFormat returns the buffer format requested with
// sysdig.set_output_format ("" if none).
func (c *Chisel) OutputFormat() string { return c.outFmt }

func (o *Options) stdout() io.Writer {
	if o.Stdout != nil {
		return o.Stdout
	}
	return os.Stdout
}

func (o *Options) stderr() io.Writer {
	if o.Stderr != nil {
		return o.Stderr
	}
	return os.Stderr
}

func (o *Options) registry() *fields.Registry {
	if o.Registry != nil {
		return o.Registry
	}
	return fields.Default
}

// Load finds chisel name, runs its top-level code, takes its arguments from
// the front of rest (the command-line words that follow -c NAME) with
// sysdig's rules, and calls on_set_arg for each value. It returns the chisel
// and how many words of rest it consumed.
func Load(name string, rest []string, opts Options) (*Chisel, int, error) {
	o := opts
	c := &Chisel{opts: &o, find: newFinder(o.Dirs), reg: o.registry()}
	c.find.warn = o.Stderr
	c.out = acquireOut(o.stdout())
	if err := c.load(name); err != nil {
		releaseOut(o.stdout())
		return nil, 0, err
	}
	n, vals, err := c.pickArgs(rest)
	if err != nil {
		c.Close()
		return nil, 0, err
	}
	if err := c.setArgs(vals); err != nil {
		c.Close()
		return nil, 0, err
	}
	return c, n, nil
}

// load runs the script of name in a fresh Lua state.
func (c *Chisel) load(name string) error {
	src, chunk, builtin, err := c.find.read(name)
	if err != nil {
		return errorf("chisel %s not found - use -cl to list them.", name)
	}
	mods := c.find
	if builtin {
		// A built-in chisel runs with the built-in libraries only, never
		// with same-named files of the chisel directories.
		mods = c.find.builtins()
	}
	L := newLuaState(c.out, mods)
	c.L = L
	c.meta = Meta{Name: name}
	c.registerAPI()
	fn, err := L.Load(strings.NewReader(string(src)), chunk)
	if err == nil {
		L.Push(fn)
		err = L.PCall(0, 0, nil)
	}
	if err != nil {
		c.flush()
		L.Close()
		return errorf("Failed to load chisel %s: %s", name, luaErrorText(err))
	}
	m, err := readMeta(L, name)
	if err != nil {
		L.Close()
		return errorf("Failed to load chisel %s: %s", name, err.Error())
	}
	if !m.HasArgs {
		L.Close()
		return errorf("Failed to load chisel %s: args table missing", name)
	}
	c.meta = m
	c.onEvent, _ = L.GetGlobal("on_event").(*lua.LFunction)
	c.onInterval, _ = L.GetGlobal("on_interval").(*lua.LFunction)
	return nil
}

// readMeta reads the globals that describe a script.
func readMeta(L *lua.LState, name string) (Meta, error) {
	m := Meta{Name: name}
	if s, ok := L.GetGlobal("description").(lua.LString); ok {
		m.Description = string(s)
		if sh, ok := L.GetGlobal("short_description").(lua.LString); ok {
			m.Short = string(sh)
			m.IsChisel = true
		}
	} else if _, ok := L.GetGlobal("view_info").(*lua.LTable); ok {
		m.IsView = true
	}
	if s, ok := L.GetGlobal("category").(lua.LString); ok {
		m.Category = string(s)
	}
	if b, ok := L.GetGlobal("hidden").(lua.LBool); ok {
		m.Hidden = bool(b)
	}
	at, ok := L.GetGlobal("args").(*lua.LTable)
	if !ok {
		if m.IsChisel {
			m.IsChisel = false
		}
		return m, nil
	}
	m.HasArgs = true
	for i := 1; i <= at.Len(); i++ {
		e, ok := at.RawGetInt(i).(*lua.LTable)
		if !ok {
			return m, fmt.Errorf("wrong args entry %d", i)
		}
		var a Arg
		var bad error
		e.ForEach(func(k, v lua.LValue) {
			key := lua.LVAsString(k)
			switch v := v.(type) {
			case lua.LString:
				switch key {
				case "name":
					a.Name = string(v)
				case "description":
					a.Desc = string(v)
				case "argtype":
					a.Type = string(v)
				}
			case lua.LBool:
				if key == "optional" {
					a.Optional = bool(v)
				}
			default:
				bad = fmt.Errorf("wrong value type for arg %s", key)
			}
		})
		if bad != nil {
			return m, bad
		}
		m.Args = append(m.Args, a)
	}
	return m, nil
}

// pickArgs decides how many words of rest belong to the chisel and splits
// them into values.
func (c *Chisel) pickArgs(rest []string) (int, []string, error) {
	args := c.meta.Args
	if len(args) == 0 || len(rest) == 0 {
		if c.required() > 0 {
			return 0, nil, errorf("missing arguments for chisel %s", c.meta.Name)
		}
		return 0, nil, nil
	}
	take := true
	if c.required() == 0 {
		switch {
		case len(args) == 1 && args[0].Type == "filter":
		case strings.HasPrefix(rest[0], "-"):
			take = false
		default:
			if _, err := compileFilter(strings.Join(rest, " ")); err == nil {
				take = false
			}
		}
	}
	if !take {
		return 0, nil, nil
	}
	vals, err := splitArgs(rest[0])
	if err != nil {
		return 0, nil, errorf("%s for chisel %s", err.Error(), c.meta.Name)
	}
	req := c.required()
	if len(vals) > len(args) {
		return 0, nil, errorf("too many parameters for chisel %s, %d required, %d optional, %d given",
			c.meta.Name, req, len(args)-req, len(vals))
	}
	if len(vals) < req {
		return 0, nil, errorf("missing arguments for chisel %s", c.meta.Name)
	}
	return 1, vals, nil
}

func (c *Chisel) required() int {
	n := 0
	for _, a := range c.meta.Args {
		if !a.Optional {
			n++
		}
	}
	return n
}

// splitArgs splits an argument word on spaces; text between single quotes
// or backticks stays together.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var quote byte
	has := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
		case ch == '\'' || ch == '`':
			quote, has = ch, true
		case ch == ' ':
			if has || cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(ch)
			has = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unbalanced quotes in arguments")
	}
	if has || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}

// setArgs calls on_set_arg once per value, bound positionally.
func (c *Chisel) setArgs(vals []string) error {
	if len(vals) == 0 {
		return nil
	}
	fn, ok := c.L.GetGlobal("on_set_arg").(*lua.LFunction)
	if !ok {
		return errorf("chisel %s: on_set_arg() missing", c.meta.Name)
	}
	for i, v := range vals {
		ret, err := c.call(fn, 1, lua.LString(c.meta.Args[i].Name), lua.LString(v))
		if err != nil {
			c.flush()
			return errorf("%s: error in set_arg(): %s", c.meta.Name, luaErrorText(err))
		}
		if b, ok := ret.(lua.LBool); !ok || !bool(b) {
			c.flush()
			return errorf("set_arg() for chisel %s failed.", c.meta.Name)
		}
	}
	return nil
}

// call runs fn protected and returns its first result.
func (c *Chisel) call(fn *lua.LFunction, nret int, args ...lua.LValue) (lua.LValue, error) {
	L := c.L
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), nret, nil); err != nil {
		L.SetTop(top)
		return lua.LNil, err
	}
	var ret lua.LValue = lua.LNil
	if nret > 0 {
		ret = L.Get(top + 1)
	}
	L.SetTop(top)
	return ret, nil
}

// Init calls on_init (before the capture is opened). A chisel.exec made
// there replaces the script with the named one, which gets the exec
// arguments and its own on_init.
func (c *Chisel) Init() error {
	if c.inited {
		return nil
	}
	c.inited = true
	for hops := 0; ; hops++ {
		fn, ok := c.L.GetGlobal("on_init").(*lua.LFunction)
		if !ok {
			return nil
		}
		ret, err := c.call(fn, 1)
		if err != nil {
			c.flush()
			return errorf("%s: error in init(): %s", c.meta.Name, luaErrorText(err))
		}
		if c.execName != "" && hops < 8 {
			name, args := c.execName, c.execArgs
			c.execName, c.execArgs = "", nil
			c.handles, c.filter, c.formatter = nil, nil, nil
			c.interval = 0
			c.L.Close()
			if err := c.load(name); err != nil {
				return err
			}
			if len(args) > len(c.meta.Args) {
				return errorf("too many parameters for chisel %s, %d required, %d optional, %d given",
					name, c.required(), len(c.meta.Args)-c.required(), len(args))
			}
			if len(args) < c.required() {
				return errorf("missing arguments for chisel %s", name)
			}
			if err := c.setArgs(args); err != nil {
				return err
			}
			continue
		}
		if b, ok := ret.(lua.LBool); !ok || !bool(b) {
			c.flush()
			return errorf("init() for chisel %s failed.", c.meta.Name)
		}
		return nil
	}
}

// OnCaptureStart implements engine.Consumer.
func (c *Chisel) OnCaptureStart(r *engine.Run) error {
	if err := c.Init(); err != nil {
		return err
	}
	c.run = r
	c.ctx = r.Ctx
	c.started = true
	// Chisels see whole buffers (no 80-byte print cut), rendered as the
	// script asked unless the command line forced a format.
	r.Ctx.PrintLen = 0
	if c.bufFmt != nil && !c.opts.BufForced {
		r.Ctx.Buf = *c.bufFmt
	}
	if fn, ok := c.L.GetGlobal("on_capture_start").(*lua.LFunction); ok {
		ret, err := c.call(fn, 1)
		if err != nil {
			c.flush()
			return errorf("%s: error in capture_start(): %s", c.meta.Name, luaErrorText(err))
		}
		if b, ok := ret.(lua.LBool); !ok || !bool(b) {
			c.flush()
			return errorf("init() for chisel %s failed.", c.meta.Name)
		}
	}
	if c.ended {
		return engine.ErrStop
	}
	return nil
}

// OnClock implements engine.Clock: it drives on_interval from event time.
func (c *Chisel) OnClock(fc *fields.Ctx) error {
	if c.interval == 0 || c.onInterval == nil {
		return nil
	}
	ts := fc.Ev.TS
	c.ctx = fc
	if c.precise {
		if !c.clockInit {
			c.clockInit = true
			c.nextTick = ts + c.interval
			return nil
		}
		for ts >= c.nextTick {
			t := c.nextTick
			c.nextTick += c.interval
			if err := c.fireInterval(t, c.interval); err != nil {
				return err
			}
		}
		return nil
	}
	b := ts / c.interval
	if !c.clockInit {
		c.clockInit = true
		c.bucket = b
		return nil
	}
	if b == c.bucket {
		return nil
	}
	c.bucket = b
	var delta uint64
	if c.lastCall != 0 {
		delta = ts - c.lastCall
	}
	c.lastCall = ts
	return c.fireInterval(ts, delta)
}

func (c *Chisel) fireInterval(ts, delta uint64) error {
	c.evtOK = true
	ret, err := c.call(c.onInterval, 1, lua.LNumber(ts/1e9), lua.LNumber(ts%1e9), lua.LNumber(delta))
	c.evtOK = false
	if err != nil {
		c.flush()
		return errorf("%s: error in interval(): %s", c.meta.Name, luaErrorText(err))
	}
	if b, ok := ret.(lua.LBool); !ok || !bool(b) {
		c.flush()
		return errorf("execution terminated by the %s chisel", c.meta.Name)
	}
	if c.ended {
		return engine.ErrStop
	}
	return nil
}

// OnEvent implements engine.Consumer.
func (c *Chisel) OnEvent(fc *fields.Ctx) error {
	if c.ended {
		return engine.ErrStop
	}
	if c.filter != nil && !c.filter.Match(fc) {
		return nil
	}
	if len(c.sums) > 0 {
		c.addSums(fc)
	}
	if c.onEvent == nil {
		return nil
	}
	c.ctx = fc
	c.evtOK = true
	ret, err := c.call(c.onEvent, 1)
	c.evtOK = false
	if err != nil {
		c.flush()
		return errorf("%s chisel error: %s", c.meta.Name, luaErrorText(err))
	}
	if c.formatter != nil && lua.LVAsBool(ret) {
		var ok bool
		c.fmtBuf, ok = c.formatter.Append(c.fmtBuf[:0], fc)
		if ok {
			c.out.Write(c.fmtBuf)
			c.out.WriteByte('\n')
		}
	}
	if c.ended {
		return engine.ErrStop
	}
	return nil
}

// OnCaptureEnd implements engine.Consumer.
func (c *Chisel) OnCaptureEnd(r *engine.Run) error {
	defer c.flush()
	if !c.started {
		return nil
	}
	c.started = false
	fn, ok := c.L.GetGlobal("on_capture_end").(*lua.LFunction)
	if !ok {
		return nil
	}
	last, first := r.Stats.LastTS, r.Stats.FirstTS
	var delta uint64
	if last > first {
		delta = last - first
	}
	if _, err := c.call(fn, 0, lua.LNumber(last/1e9), lua.LNumber(last%1e9), lua.LNumber(delta)); err != nil {
		c.flush()
		return errorf("%s: error in capture_end(): %s", c.meta.Name, luaErrorText(err))
	}
	return nil
}

// Flush writes buffered chisel output.
func (c *Chisel) Flush() error { return c.out.Flush() }

func (c *Chisel) flush() { c.out.Flush() }

// Close flushes output and releases the Lua state.
func (c *Chisel) Close() error {
	err := c.out.Flush()
	if c.L != nil {
		c.L.Close()
		c.L = nil
		releaseOut(c.opts.stdout())
	}
	return err
}
