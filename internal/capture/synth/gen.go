// SPDX-License-Identifier: Apache-2.0

package synth

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// Gen builds events with increasing timestamps. The zero value starts at
// timestamp 0 with a step of 1000 ns; set TS and Step to change that.
type Gen struct {
	TS   uint64 // timestamp of the next event (ns since the epoch)
	Step uint64 // added after each event; 0 means 1000
	CPU  uint16
	// Flags are the dump flags given to the following events.
	Flags uint32

	b   event.Builder
	evs []*event.Event
}

// Events returns every event built so far.
func (g *Gen) Events() []*event.Event { return g.evs }

// Source returns a Source over the events built so far.
func (g *Gen) Source(snap *event.Snapshot) *Source { return New(snap, g.evs) }

// Current returns the enter and exit types that sysdig 0.29.3's driver emits
// for an event name (the newest layout, not marked old or unused). It panics
// for an unknown name.
func Current(name string) (enter, exit event.Type) {
	found := false
	for _, t := range event.ByName(name) {
		i := t.Info()
		if i.Flags&(event.FlagOldVersion|event.FlagUnused) != 0 || !t.IsEnter() {
			continue
		}
		enter, exit, found = t, t+1, true
	}
	if !found {
		panic("synth: no current event type named " + name)
	}
	return enter, exit
}

// Emit builds one event of type t for thread tid. vals are the parameter
// values in table order; missing trailing ones get zero values so the
// record always carries the table's full parameter list. Accepted values:
// Go integers, bool, string (CHARBUF/FSPATH: NUL added; BYTEBUF: raw),
// []byte (raw bytes for any type) and []string (NUL-separated list).
// It panics on a value that does not fit its parameter (tests only).
func (g *Gen) Emit(t event.Type, tid int64, vals ...any) *event.Event {
	info := t.Info()
	if info == nil {
		panic(fmt.Sprintf("synth: unknown event type %d", t))
	}
	if len(vals) > len(info.Params) {
		panic(fmt.Sprintf("synth: %s (%d) takes %d parameters, got %d", info.Name, t, len(info.Params), len(vals)))
	}
	g.b.Reset(t)
	for i, p := range info.Params {
		var v any
		if i < len(vals) {
			v = vals[i]
		}
		g.b.Raw(encode(info.Name, p, v))
	}
	return g.finish(tid)
}

// Build adds an event of type t whose parameters params writes with the
// builder as it likes (any layout, any number of parameters).
func (g *Gen) Build(t event.Type, tid int64, params func(b *event.Builder)) *event.Event {
	g.b.Reset(t)
	params(&g.b)
	return g.finish(tid)
}

// finish decodes the event in the builder and appends it.
func (g *Gen) finish(tid int64) *event.Event {
	ev := &event.Event{}
	rec := append([]byte(nil), g.b.Bytes(g.TS, tid)...)
	if err := ev.Decode(rec); err != nil {
		panic("synth: " + err.Error())
	}
	ev.CPU = g.CPU
	ev.DumpFlags = g.Flags
	step := g.Step
	if step == 0 {
		step = 1000
	}
	g.TS += step
	g.evs = append(g.evs, ev)
	return ev
}

// Record encodes exactly the given parameter values of an event of type t
// (fewer than the table lists is allowed: older layouts) with the widths of
// the event table, and decodes the record. Values take the forms Emit
// accepts; an impossible value panics.
func Record(t event.Type, ts uint64, tid int64, vals ...any) *event.Event {
	info := t.Info()
	if info == nil || len(vals) > len(info.Params) {
		panic(fmt.Sprintf("synth: event type %d cannot take %d parameters", t, len(vals)))
	}
	var b event.Builder
	b.Reset(t)
	for i, v := range vals {
		b.Raw(encode(info.Name, info.Params[i], v))
	}
	ev := &event.Event{}
	if err := ev.Decode(append([]byte(nil), b.Bytes(ts, tid)...)); err != nil {
		panic("synth: " + err.Error())
	}
	return ev
}

// Route returns the enter and exit types the live probe emits for a native
// syscall name (event.Routes). It panics for an unknown name.
func Route(name string) (enter, exit event.Type) {
	nr, ok := event.NativeNumber(name)
	if ok {
		for _, r := range event.Routes() {
			if r.Nr == nr {
				return r.Enter, r.Exit
			}
		}
	}
	panic("synth: no route for syscall " + name)
}

// Call adds the enter and exit events of a native syscall as the live probe
// routes it, their parameters written by enter and exit.
func (g *Gen) Call(name string, tid int64, enter, exit func(b *event.Builder)) {
	e, x := Route(name)
	g.Build(e, tid, enter)
	g.Build(x, tid, exit)
}

// Syscall emits the enter and exit events of a syscall by name.
func (g *Gen) Syscall(name string, tid int64, enter, exit []any) {
	e, x := Current(name)
	g.Emit(e, tid, enter...)
	if x.Info().Flags&event.FlagUnused == 0 {
		g.Emit(x, tid, exit...)
	}
}

func encode(ev string, p event.ParamInfo, v any) []byte {
	if b, ok := v.([]byte); ok {
		return b
	}
	if w := p.Type.Size(); w > 0 {
		var u uint64
		switch x := v.(type) {
		case nil:
		case int:
			u = uint64(x)
		case int8:
			u = uint64(x)
		case int16:
			u = uint64(x)
		case int32:
			u = uint64(x)
		case int64:
			u = uint64(x)
		case uint:
			u = uint64(x)
		case uint8:
			u = uint64(x)
		case uint16:
			u = uint64(x)
		case uint32:
			u = uint64(x)
		case uint64:
			u = x
		case float64:
			u = math.Float64bits(x)
		case bool:
			if x {
				u = 1
			}
		default:
			panic(fmt.Sprintf("synth: %s parameter %s (%s) cannot take %T", ev, p.Name, p.Type, v))
		}
		out := make([]byte, 8)
		binary.LittleEndian.PutUint64(out, u)
		return out[:w]
	}
	switch p.Type {
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		switch x := v.(type) {
		case nil:
			return []byte{0}
		case string:
			return append([]byte(x), 0)
		}
	case event.PTByteBuf:
		switch x := v.(type) {
		case nil:
			return nil
		case string:
			return []byte(x)
		case []string:
			return []byte(NulList(x...))
		}
	default:
		if v == nil {
			return nil
		}
	}
	panic(fmt.Sprintf("synth: %s parameter %s (%s) cannot take %T", ev, p.Name, p.Type, v))
}

// NulList joins items, each followed by a NUL (the args/env/cgroups layout).
func NulList(items ...string) string {
	var b strings.Builder
	for _, s := range items {
		b.WriteString(s)
		b.WriteByte(0)
	}
	return b.String()
}

// Address families as stored in SOCKADDR/SOCKTUPLE parameters.
const (
	AFUnix  = 1
	AFInet  = 2
	AFInet6 = 10
)

// SockAddr encodes an IPv4 or IPv6 SOCKADDR parameter.
func SockAddr(ap netip.AddrPort) []byte {
	a := ap.Addr()
	var out []byte
	if a.Is4() {
		ip := a.As4()
		out = append([]byte{AFInet}, ip[:]...)
	} else {
		ip := a.As16()
		out = append([]byte{AFInet6}, ip[:]...)
	}
	return binary.LittleEndian.AppendUint16(out, ap.Port())
}

// UnixAddr encodes a UNIX SOCKADDR parameter.
func UnixAddr(path string) []byte {
	return append(append([]byte{AFUnix}, path...), 0)
}

// Tuple encodes an IPv4 or IPv6 SOCKTUPLE (src -> dst). Both ends must be of
// the same family.
func Tuple(src, dst netip.AddrPort) []byte {
	var out []byte
	if src.Addr().Is4() {
		s, d := src.Addr().As4(), dst.Addr().As4()
		out = append([]byte{AFInet}, s[:]...)
		out = binary.LittleEndian.AppendUint16(out, src.Port())
		out = append(out, d[:]...)
	} else {
		s, d := src.Addr().As16(), dst.Addr().As16()
		out = append([]byte{AFInet6}, s[:]...)
		out = binary.LittleEndian.AppendUint16(out, src.Port())
		out = append(out, d[:]...)
	}
	return binary.LittleEndian.AppendUint16(out, dst.Port())
}

// UnixTuple encodes a UNIX SOCKTUPLE.
func UnixTuple(src, dst uint64, path string) []byte {
	out := []byte{AFUnix}
	out = binary.LittleEndian.AppendUint64(out, src)
	out = binary.LittleEndian.AppendUint64(out, dst)
	return append(append(out, path...), 0)
}

// FDList encodes an FDLIST parameter (poll).
func FDList(fds []int64, flags []int16) []byte {
	out := binary.LittleEndian.AppendUint16(nil, uint16(len(fds)))
	for i, fd := range fds {
		out = binary.LittleEndian.AppendUint64(out, uint64(fd))
		var f int16
		if i < len(flags) {
			f = flags[i]
		}
		out = binary.LittleEndian.AppendUint16(out, uint16(f))
	}
	return out
}

// Dyn encodes a DYN parameter: the index byte then the value bytes.
func Dyn(index uint8, value []byte) []byte {
	return append([]byte{index}, value...)
}
