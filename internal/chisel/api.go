// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"fmt"
	"math/big"
	"net"
	"os"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// registerAPI installs the chisel, evt and sysdig tables.
func (c *Chisel) registerAPI() {
	L := c.L
	reg := func(name string, fns map[string]lua.LGFunction) {
		t := L.NewTable()
		for k, f := range fns {
			t.RawSetString(k, L.NewFunction(f))
		}
		L.SetGlobal(name, t)
	}
	reg("chisel", map[string]lua.LGFunction{
		"request_field":           c.luaRequestField,
		"sum_by":                  c.luaSumBy,
		"take_sums":               c.luaTakeSums,
		"log_histogram":           c.luaLogHistogram,
		"take_histogram":          c.luaTakeHistogram,
		"set_filter":              c.luaSetFilter,
		"set_event_formatter":     c.luaSetFormatter,
		"set_interval_s":          c.luaSetInterval(1e9, false),
		"set_interval_ns":         c.luaSetInterval(1, false),
		"set_precise_interval_ns": c.luaSetInterval(1, true),
		"exec":                    c.luaExec,
	})
	reg("evt", map[string]lua.LGFunction{
		"field":     c.luaField,
		"get_num":   c.luaGetNum,
		"get_ts":    c.luaGetTS,
		"get_type":  c.luaGetType,
		"get_cpuid": c.luaGetCPU,
		"get_cpu":   c.luaGetCPU,
		"get_dir":   c.luaGetDir,
		"get_tid":   c.luaGetTID,
	})
	reg("sysdig", map[string]lua.LGFunction{
		"set_filter":                      c.luaGlobalFilter,
		"set_snaplen":                     c.luaSetSnaplen,
		"set_output_format":               c.luaSetOutputFormat,
		"set_fatfile_dump_mode":           func(L *lua.LState) int { return 0 },
		"is_live":                         c.luaBool(func() bool { return c.opts.Live }),
		"is_tty":                          c.luaBool(func() bool { return c.opts.TTY }),
		"is_print_container_data":         c.luaBool(func() bool { return c.opts.Container }),
		"get_terminal_info":               c.luaTerminalInfo,
		"get_filter":                      c.luaGetFilter,
		"get_machine_info":                c.luaMachineInfo,
		"get_thread_table":                c.luaThreadTable(true, false),
		"get_thread_table_nofds":          c.luaThreadTable(false, false),
		"get_thread_table_barebone":       c.luaThreadTable(true, true),
		"get_thread_table_barebone_nofds": c.luaThreadTable(false, true),
		"get_container_table":             c.luaContainerTable,
		"get_output_format":               c.luaOutputFormat,
		"get_evtsource_name":              c.luaSourceName,
		"get_firstevent_ts":               c.luaFirstTS,
		"get_lastevent_ts":                c.luaLastTS,
		"get_read_progress":               func(L *lua.LState) int { L.Push(lua.LNumber(0)); return 1 },
		"make_ts":                         luaMakeTS,
		"add_ts":                          luaTSOp(true),
		"subtract_ts":                     luaTSOp(false),
		"run_app":                         c.luaRunApp,
		"run_sysdig":                      c.luaRunApp,
		"end_capture":                     func(L *lua.LState) int { c.ended = true; return 0 },
		"log":                             c.luaLog,
		"udp_setpeername":                 c.luaUDPPeer,
		"udp_send":                        c.luaUDPSend,
	})
}

func (c *Chisel) luaBool(f func() bool) lua.LGFunction {
	return func(L *lua.LState) int {
		L.Push(lua.LBool(f()))
		return 1
	}
}

// valueModeOf maps sysdig's field type names to the Lua type evt.field
// returns.
func valueModeOf(typ string) valueMode {
	switch typ {
	case "BOOL":
		return modeBool
	case "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
		"ERRNO", "PID", "FD", "PORT", "FLAGS8", "FLAGS16", "FLAGS32", "MODE", "UID", "GID",
		"RELTIME", "ABSTIME", "DOUBLE", "SIGTYPE", "SYSCALLID":
		return modeNumber
	case "DYNAMIC", "":
		return modeDynamic
	}
	return modeText
}

func (c *Chisel) luaRequestField(L *lua.LState) int {
	name := L.CheckString(1)
	fname, arg, n, ok := c.reg.Lookup(name)
	if !ok || n != len(name) {
		L.RaiseError("chisel requesting nonexistent field %s", name)
	}
	ext, err := c.reg.Compile(fname, arg)
	if err != nil {
		L.RaiseError("chisel requesting nonexistent field %s: %s", name, err.Error())
	}
	mode := modeText
	if f, ok := c.reg.Field(fname); ok {
		mode = valueModeOf(f.Type)
	}
	c.handles = append(c.handles, handle{ext: ext, mode: mode, layout: fields.KeepsLineBreaks(fname)})
	L.Push(lua.LNumber(len(c.handles)))
	return 1
}

func (c *Chisel) luaSetFilter(L *lua.LState) int {
	expr := L.CheckString(1)
	if strings.TrimSpace(expr) == "" {
		c.filter = nil
		return 0
	}
	f, err := compileFilter(expr)
	if err != nil {
		c.flush()
		fmt.Fprintf(c.opts.stderr(), "invalid filter in chisel %s: %s\n", c.meta.Name, err.Error())
		// sysdig reports the failure of its filter compiler without a
		// script position.
		L.Error(lua.LString("C++ exception"), 0)
	}
	c.filter = f
	return 0
}

func (c *Chisel) luaSetFormatter(L *lua.LState) int {
	f := L.CheckString(1)
	if f == "" {
		f = "default"
	}
	fm, err := compileFormat(f)
	if err != nil {
		L.RaiseError("invalid formatter in chisel %s: %s", c.meta.Name, err.Error())
	}
	c.formatter = fm
	return 0
}

func (c *Chisel) luaSetInterval(mul uint64, precise bool) lua.LGFunction {
	return func(L *lua.LState) int {
		n := uint64(L.CheckNumber(1))
		c.interval = n * mul
		c.precise = precise
		c.clockInit = false
		return 0
	}
}

func (c *Chisel) luaExec(L *lua.LState) int {
	c.execName = L.CheckString(1)
	c.execArgs = nil
	for i := 2; i <= L.GetTop(); i++ {
		s, ok := L.Get(i).(lua.LString)
		if !ok {
			break
		}
		c.execArgs = append(c.execArgs, string(s))
	}
	return 0
}

func (c *Chisel) checkEvt(L *lua.LState, fn string) {
	if c.ctx == nil || c.ctx.Ev == nil {
		L.RaiseError("invalid call to evt.%s()", fn)
	}
}

func (c *Chisel) luaField(L *lua.LState) int {
	c.checkEvt(L, "field")
	h, ok := L.Get(1).(lua.LNumber)
	if !ok || int(h) < 1 || int(h) > len(c.handles) {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(c.fieldValue(&c.handles[int(h)-1]))
	return 1
}

// fieldValue is the Lua value evt.field returns for a requested field on
// the current event (nil when the event has no such value).
func (c *Chisel) fieldValue(hd *handle) lua.LValue {
	v := &c.val
	if !hd.ext.Extract(c.ctx, v) {
		return lua.LNil
	}
	mode := hd.mode
	if mode == modeDynamic {
		switch v.Kind {
		case fields.KindInt64, fields.KindUint64, fields.KindRelTime, fields.KindAbsTime,
			fields.KindDouble, fields.KindPort:
			mode = modeNumber
		case fields.KindBool:
			mode = modeBool
		default:
			mode = modeText
		}
	}
	switch mode {
	case modeNumber:
		switch v.Kind {
		case fields.KindInt64:
			return lua.LNumber(v.Int)
		case fields.KindDouble:
			return lua.LNumber(v.Float)
		case fields.KindString:
			n, err := strconv.ParseFloat(v.Str, 64)
			if err != nil {
				return lua.LString(strings.Clone(fields.SafeString(v.Str, false)))
			}
			return lua.LNumber(n)
		default:
			return lua.LNumber(v.Uint)
		}
	case modeBool:
		return lua.LBool(v.Uint != 0 || v.Int != 0)
	default:
		// Text handed to a chisel is sanitized like -p output: what
		// it prints carries no control bytes from the traced system.
		layout := hd.layout || v.Kind == fields.KindBytes
		if v.Kind == fields.KindString {
			if _, tx := hd.ext.(fields.Texter); !tx {
				// Extractors may hand out strings backed by reused
				// buffers; Lua keeps strings, so copy.
				if s := fields.SafeString(v.Str, layout); s != v.Str {
					return lua.LString(s)
				}
				return lua.LString(strings.Clone(v.Str))
			}
		}
		c.textBuf = fields.AppendText(c.textBuf[:0], c.ctx, hd.ext, v)
		fields.Sanitize(c.textBuf, layout)
		return lua.LString(c.textBuf)
	}
}

// numberValue is fieldValue where that is a number, without boxing it
// for Lua; false where fieldValue gives anything else.
func (c *Chisel) numberValue(hd *handle) (float64, bool) {
	v := &c.val
	if !hd.ext.Extract(c.ctx, v) {
		return 0, false
	}
	switch hd.mode {
	case modeNumber:
	case modeDynamic:
		switch v.Kind {
		case fields.KindInt64, fields.KindUint64, fields.KindRelTime, fields.KindAbsTime,
			fields.KindDouble, fields.KindPort:
		default:
			return 0, false
		}
	default:
		return 0, false
	}
	switch v.Kind {
	case fields.KindInt64:
		return float64(v.Int), true
	case fields.KindDouble:
		return v.Float, true
	case fields.KindString:
		n, err := strconv.ParseFloat(v.Str, 64)
		return n, err == nil
	}
	return float64(v.Uint), true
}

func (c *Chisel) luaGetNum(L *lua.LState) int {
	c.checkEvt(L, "get_num")
	L.Push(lua.LNumber(c.ctx.Ev.Num))
	return 1
}

func (c *Chisel) luaGetTS(L *lua.LState) int {
	c.checkEvt(L, "get_ts")
	ts := c.ctx.Ev.TS
	L.Push(lua.LNumber(ts / 1e9))
	L.Push(lua.LNumber(ts % 1e9))
	return 2
}

func (c *Chisel) luaGetType(L *lua.LState) int {
	c.checkEvt(L, "get_type")
	if c.typeExt == nil {
		ext, err := c.reg.Compile("evt.type", "")
		if err != nil {
			L.Push(lua.LString(c.ctx.Ev.Type.Name()))
			return 1
		}
		c.typeExt = ext
	}
	var v fields.Value
	if !c.typeExt.Extract(c.ctx, &v) {
		L.Push(lua.LString(c.ctx.Ev.Type.Name()))
		return 1
	}
	L.Push(lua.LString(fields.AppendText(nil, c.ctx, c.typeExt, &v)))
	return 1
}

func (c *Chisel) luaGetCPU(L *lua.LState) int {
	c.checkEvt(L, "get_cpuid")
	L.Push(lua.LNumber(c.ctx.Ev.CPU))
	return 1
}

func (c *Chisel) luaGetDir(L *lua.LState) int {
	c.checkEvt(L, "get_dir")
	L.Push(lua.LString(c.ctx.Ev.Type.Dir()))
	return 1
}

func (c *Chisel) luaGetTID(L *lua.LState) int {
	c.checkEvt(L, "get_tid")
	L.Push(lua.LNumber(c.ctx.Ev.TID))
	return 1
}

func (c *Chisel) luaGlobalFilter(L *lua.LState) int {
	expr := L.CheckString(1)
	if c.opts.SetGlobalFilter != nil {
		if err := c.opts.SetGlobalFilter(expr); err != nil {
			L.RaiseError("%s", err.Error())
		}
		return 0
	}
	// Without a hook, the filter still restricts what this chisel sees.
	return c.luaSetFilter(L)
}

func (c *Chisel) luaSetSnaplen(L *lua.LState) int {
	c.snaplen = int(L.CheckNumber(1))
	if c.opts.SetSnaplen != nil {
		c.opts.SetSnaplen(c.snaplen)
	}
	return 0
}

func (c *Chisel) luaSetOutputFormat(L *lua.LState) int {
	f := L.CheckString(1)
	var bf fields.BufFormat
	switch f {
	case "normal", "json", "simple":
		bf = fields.BufNormal
	case "hex":
		bf = fields.BufHex
	case "hexascii":
		bf = fields.BufHexASCII
	case "ascii":
		bf = fields.BufASCII
	case "base64", "jsonbase64":
		bf = fields.BufBase64
	default:
		L.RaiseError("unknown output format %s", f)
	}
	c.outFmt = f
	c.bufFmt = &bf
	return 0
}

func (c *Chisel) luaOutputFormat(L *lua.LState) int {
	if c.opts.JSON {
		L.Push(lua.LString("json"))
	} else {
		L.Push(lua.LString("normal"))
	}
	return 1
}

func (c *Chisel) luaTerminalInfo(L *lua.LState) int {
	t := L.NewTable()
	w, h := -1, -1
	if ws, err := unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ); err == nil {
		w, h = int(ws.Col), int(ws.Row)
	}
	t.RawSetString("width", lua.LNumber(w))
	t.RawSetString("height", lua.LNumber(h))
	L.Push(t)
	return 1
}

// luaSourceName returns the capture file being read: Options.Source, else
// the path the run's source reports; "" when live.
func (c *Chisel) luaSourceName(L *lua.LState) int {
	name := c.opts.Source
	if name == "" && c.run != nil {
		if p, ok := c.run.Source.(interface{ Path() string }); ok {
			name = p.Path()
		}
	}
	L.Push(lua.LString(name))
	return 1
}

// luaGetFilter returns the command-line filter text: the one given in
// Options, else the text of the run's capture filter (a display filter is
// not reported, as in sysdig).
func (c *Chisel) luaGetFilter(L *lua.LState) int {
	text := c.opts.Filter
	if text == "" && c.run != nil {
		o := c.run.Options()
		if s, ok := o.Filter.(fmt.Stringer); ok && !o.Display {
			text = s.String()
		}
	}
	L.Push(lua.LString(text))
	return 1
}

func (c *Chisel) luaMachineInfo(L *lua.LState) int {
	if c.run == nil {
		L.RaiseError("get_machine_info can only be called once the capture has started")
	}
	m := c.run.State.Machine()
	t := L.NewTable()
	t.RawSetString("num_cpus", lua.LNumber(m.NumCPUs))
	t.RawSetString("memory_size_bytes", lua.LNumber(m.MemBytes))
	t.RawSetString("max_pid", lua.LNumber(m.MaxPID))
	t.RawSetString("hostname", lua.LString(m.Hostname))
	L.Push(t)
	return 1
}

func (c *Chisel) luaFirstTS(L *lua.LState) int {
	var ts uint64
	if c.run != nil {
		ts = c.run.Stats.FirstTS
	}
	L.Push(lua.LString(strconv.FormatUint(ts, 10)))
	return 1
}

func (c *Chisel) luaLastTS(L *lua.LState) int {
	var ts uint64
	if c.run != nil {
		ts = c.run.Stats.LastTS
	}
	L.Push(lua.LString(strconv.FormatUint(ts, 10)))
	return 1
}

func luaMakeTS(L *lua.LState) int {
	s := uint64(L.CheckNumber(1))
	ns := uint64(L.CheckNumber(2))
	L.Push(lua.LString(strconv.FormatUint(s*1e9+ns, 10)))
	return 1
}

func luaTSOp(add bool) lua.LGFunction {
	return func(L *lua.LState) int {
		a, ok1 := new(big.Int).SetString(lua.LVAsString(L.CheckAny(1)), 10)
		b, ok2 := new(big.Int).SetString(lua.LVAsString(L.CheckAny(2)), 10)
		if !ok1 || !ok2 {
			L.RaiseError("invalid timestamp")
		}
		if add {
			a.Add(a, b)
		} else {
			a.Sub(a, b)
		}
		L.Push(lua.LString(a.String()))
		return 1
	}
}

// splitCommandLine splits run_app's string on spaces, double quotes
// grouping words.
func splitCommandLine(s string) []string {
	var out []string
	var cur strings.Builder
	inQ, has := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"':
			inQ, has = !inQ, true
		case ch == ' ' && !inQ:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(ch)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

func (c *Chisel) luaRunApp(L *lua.LState) int {
	args := splitCommandLine(L.CheckString(1))
	if c.opts.RunApp != nil {
		c.opts.RunApp(args)
	}
	return 0
}

func (c *Chisel) luaLog(L *lua.LState) int {
	msg := L.CheckString(1)
	sev := L.OptString(2, "info")
	switch sev {
	case "error", "critical", "warning":
		c.flush()
		fmt.Fprintln(os.Stderr, msg)
	}
	return 0
}

func (c *Chisel) luaUDPPeer(L *lua.LState) int {
	host := L.CheckString(1)
	port := L.CheckString(2)
	if c.udp != nil {
		c.udp.Close()
		c.udp = nil
	}
	conn, err := net.Dial("udp4", net.JoinHostPort(host, port))
	if err != nil {
		L.RaiseError("udp_setpeername: %s", err.Error())
	}
	c.udp = conn
	return 0
}

func (c *Chisel) luaUDPSend(L *lua.LState) int {
	s := L.CheckString(1)
	if c.udp == nil {
		L.RaiseError("udp_send called before udp_setpeername")
	}
	c.udp.Write([]byte(s))
	return 0
}

func (c *Chisel) luaContainerTable(L *lua.LState) int {
	t := L.NewTable()
	if c.run == nil {
		L.Push(t)
		return 1
	}
	var list []*state.Container
	c.run.State.Containers(func(ct *state.Container) bool {
		list = append(list, ct)
		return true
	})
	sortContainers(list)
	for _, ct := range list {
		e := L.NewTable()
		e.RawSetString("id", lua.LString(ct.ID))
		e.RawSetString("name", lua.LString(ct.Name))
		e.RawSetString("image", lua.LString(ct.Image))
		typ := ct.Type
		switch {
		case !container.Named(typ):
			typ = "unknown" // podman, systemd-nspawn: sysdig has no name
		case typ == container.TypeLibvirtLXC:
			typ = "libvirt_lxc" // as sysdig's chisel API names it
		}
		e.RawSetString("type", lua.LString(typ))
		t.Append(e)
	}
	L.Push(t)
	return 1
}
