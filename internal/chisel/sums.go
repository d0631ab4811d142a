// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/ferret-observability/ferret/internal/fields"
)

// sums is a table kept in Go that adds a value field per tuple of key
// fields over the events that reach the chisel: what the top chisels
// would otherwise do in a Lua callback per event. Keys and values are
// exactly what Lua would build from evt.field: the tuple of tostring()
// renderings joined by sumSep, and number values summed in event order.
type sums struct {
	keys   []int // field handle indexes
	value  int
	scale  float64
	scaled bool // with a scale, values <= 0 are summed too
	// tbl indexes the sums in vals by key: a key already seen is found
	// without a string allocated for it.
	tbl  map[string]int
	vals []float64
	key  []byte
}

const sumSep = "\x01\x01"

// luaSumBy implements chisel.sum_by(key_handles, value_handle [, scale]),
// a ferret extension: it returns a handle for chisel.take_sums.
func (c *Chisel) luaSumBy(L *lua.LState) int {
	kt := L.CheckTable(1)
	handle := func(v lua.LValue, arg int) int {
		h, ok := v.(lua.LNumber)
		if !ok || int(h) < 1 || int(h) > len(c.handles) {
			L.ArgError(arg, "field handle from chisel.request_field expected")
		}
		return int(h) - 1
	}
	s := &sums{tbl: map[string]int{}}
	for i := 1; i <= kt.Len(); i++ {
		s.keys = append(s.keys, handle(kt.RawGetInt(i), 1))
	}
	if len(s.keys) == 0 {
		L.ArgError(1, "at least one key field expected")
	}
	s.value = handle(L.Get(2), 2)
	if sc, ok := L.Get(3).(lua.LNumber); ok {
		s.scale, s.scaled = float64(sc), true
	}
	c.sums = append(c.sums, s)
	L.Push(lua.LNumber(len(c.sums)))
	return 1
}

// luaTakeSums implements chisel.take_sums(handle): the table so far, as a
// Lua table from key to sum, and a fresh start.
func (c *Chisel) luaTakeSums(L *lua.LState) int {
	h := L.CheckInt(1)
	if h < 1 || h > len(c.sums) {
		L.ArgError(1, "handle from chisel.sum_by expected")
	}
	s := c.sums[h-1]
	t := L.CreateTable(0, len(s.tbl))
	for k, i := range s.tbl {
		t.RawSetString(k, lua.LNumber(s.vals[i]))
	}
	clear(s.tbl)
	s.vals = s.vals[:0]
	L.Push(t)
	return 1
}

// addSums adds the event to every sums table.
func (c *Chisel) addSums(fc *fields.Ctx) {
	c.ctx = fc
	for _, s := range c.sums {
		s.key = s.key[:0]
		ok := true
		for i, h := range s.keys {
			if i > 0 {
				s.key = append(s.key, sumSep...)
			}
			if s.key, ok = c.appendTostring(s.key, &c.handles[h]); !ok {
				break
			}
		}
		if !ok {
			continue
		}
		v, isNum := c.numberValue(&c.handles[s.value])
		if !isNum {
			continue
		}
		if s.scaled {
			v *= s.scale
		} else if v <= 0 {
			continue
		}
		if i, ok := s.tbl[string(s.key)]; ok {
			s.vals[i] += v
		} else {
			s.tbl[string(s.key)] = len(s.vals)
			s.vals = append(s.vals, v)
		}
	}
}

// appendTostring appends what tostring(evt.field(h)) would give, reporting
// false where the field is nil. Text is appended straight from the field,
// without the copy a Lua string needs.
func (c *Chisel) appendTostring(dst []byte, hd *handle) ([]byte, bool) {
	if hd.mode != modeText {
		lv := c.fieldValue(hd)
		if lv == lua.LNil {
			return dst, false
		}
		return append(dst, tostring(c.L, lv)...), true
	}
	v := &c.val
	if !hd.ext.Extract(c.ctx, v) {
		return dst, false
	}
	n := len(dst)
	if _, tx := hd.ext.(fields.Texter); !tx && v.Kind == fields.KindString {
		dst = append(dst, v.Str...)
	} else {
		dst = fields.AppendText(dst, c.ctx, hd.ext, v)
	}
	fields.Sanitize(dst[n:], hd.layout || v.Kind == fields.KindBytes) // as fieldValue does
	return dst, true
}
