// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
)

// The chisel callbacks as engine consumer calls: on_init, on_capture_start,
// on_interval (from event time), on_event, on_capture_end.

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
	if len(c.hists) > 0 {
		c.addHists(fc)
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
