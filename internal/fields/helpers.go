// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"strconv"
	"unsafe"

	"github.com/ferret-observability/ferret/internal/event"
)

// exFunc adapts a function to Extractor.
type exFunc func(c *Ctx, v *Value) bool

func (f exFunc) Extract(c *Ctx, v *Value) bool { return f(c, v) }

// textExt is an extractor with its own text rendering.
type textExt struct {
	ex exFunc
	tx func(c *Ctx, v *Value, buf []byte) []byte
}

func (t textExt) Extract(c *Ctx, v *Value) bool { return t.ex(c, v) }

func (t textExt) Text(c *Ctx, v *Value, buf []byte) []byte { return t.tx(c, v, buf) }

// strBuf is a per-extractor reusable buffer whose content is exposed as a
// string without copying; the string is valid until the next extraction by
// the same extractor.
type strBuf struct{ b []byte }

func (s *strBuf) str() string {
	if len(s.b) == 0 {
		return ""
	}
	return unsafe.String(&s.b[0], len(s.b))
}

func kindOf(typ string) Kind {
	switch typ {
	case "UINT8", "UINT16", "UINT32", "UINT64":
		return KindUint64
	case "INT8", "INT16", "INT32", "INT64":
		return KindInt64
	case "BOOL":
		return KindBool
	case "RELTIME":
		return KindRelTime
	case "ABSTIME":
		return KindAbsTime
	case "IPADDR":
		return KindIPAddr
	case "IPNET":
		return KindIPNet
	case "BYTEBUF":
		return KindBytes
	case "DOUBLE":
		return KindDouble
	case "PORT":
		return KindPort
	}
	return KindString
}

// simple builds a field without argument whose extractor is f.
func simple(name, typ, desc string, f exFunc) Field {
	return Field{Name: name, Type: typ, Kind: kindOf(typ), Desc: desc,
		New: func(string, string) (Extractor, error) { return f, nil }}
}

// padded9 prints its value with at least nine digits, zero-padded (the
// nanosecond fields and evt.reltime, which sysdig prints that way).
type padded9 exFunc

func (f padded9) Extract(c *Ctx, v *Value) bool { return f(c, v) }

func (f padded9) Text(c *Ctx, v *Value, buf []byte) []byte {
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v.Uint, 10)
	for i := len(d); i < 9; i++ {
		buf = append(buf, '0')
	}
	return append(buf, d...)
}

// simplePadded is simple with the value printed as padded9 does.
func simplePadded(name, typ, desc string, f exFunc) Field {
	return Field{Name: name, Type: typ, Kind: kindOf(typ), Desc: desc,
		New: func(string, string) (Extractor, error) { return padded9(f), nil }}
}

// withNew builds a field with a custom constructor.
func withNew(name, typ, desc string, flags FieldFlags, nf NewFunc) Field {
	return Field{Name: name, Type: typ, Kind: kindOf(typ), Desc: desc, Flags: flags, New: nf}
}

// none builds a registered field that never has a value.
func none(name, typ, desc string) Field {
	return Field{Name: name, Type: typ, Kind: kindOf(typ), Desc: desc, Flags: FlagNoValue}
}

func setStr(v *Value, s string) bool {
	v.Kind = KindString
	v.Str = s
	return true
}

func setInt(v *Value, i int64) bool {
	v.Kind = KindInt64
	v.Int = i
	return true
}

func setUint(v *Value, k Kind, u uint64) bool {
	v.Kind = k
	v.Uint = u
	return true
}

func setBool(v *Value, b bool) bool {
	v.Kind = KindBool
	if b {
		v.Uint = 1
	} else {
		v.Uint = 0
	}
	v.Int = int64(v.Uint)
	return true
}

var unknownInfo = &event.Info{Name: "unknown"}

// info returns the table entry of the current event, or an empty entry for
// types outside the table.
func (c *Ctx) info() *event.Info {
	if i := c.Ev.Info(); i != nil {
		return i
	}
	return unknownInfo
}
