// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
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
	sums                []*sums    // chisel.sum_by tables
	hists               []*logHist // chisel.log_histogram tables
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
