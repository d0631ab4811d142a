// SPDX-License-Identifier: Apache-2.0

package event

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderLen is the size of the v2 record header (ts, tid, len, type, nparams).
const HeaderLen = 26

// MaxParams bounds the number of parameters one record may carry.
const MaxParams = 32

// ErrShort is returned when a record is smaller than its header or length array says.
var ErrShort = errors.New("event record truncated")

// Event is one decoded event record. It refers to the record's bytes without
// copying them: the bytes must stay valid while the Event is in use (sources
// document how long their buffers live). Decoding fills a fixed offset array,
// so it does not allocate.
type Event struct {
	Num       uint64 // sequence number assigned by the reader (sysdig's evt.num)
	CPU       uint16
	DumpFlags uint32 // capture-file dump flags (1 = state only, not shown)
	TS        uint64 // nanoseconds since the Unix epoch
	TID       int64
	Type      Type
	NParams   int
	Raw       []byte // the whole record: header, lengths and values

	off [MaxParams + 1]uint32 // start of each value inside Raw; off[n] = end
}

// Dump flags carried by capture files.
const (
	DumpStateOnly uint32 = 1
	DumpTracer    uint32 = 2
)

// Decode parses a v2 record (header + length array + values) into e. Extra bytes
// after the last value are ignored. e.Raw aliases rec.
func (e *Event) Decode(rec []byte) error {
	if len(rec) < HeaderLen {
		return ErrShort
	}
	e.TS = binary.LittleEndian.Uint64(rec[0:])
	e.TID = int64(binary.LittleEndian.Uint64(rec[8:]))
	e.Type = Type(binary.LittleEndian.Uint16(rec[20:]))
	n := binary.LittleEndian.Uint32(rec[22:])
	return e.decodeParams(rec, HeaderLen, n)
}

// DecodeV1 parses a v1 record (22-byte header without nparams, u16 lengths).
// The parameter count is inferred as libscap does: the largest count, starting
// from the table's, whose lengths end exactly at the record length.
func (e *Event) DecodeV1(rec []byte) error {
	const h1 = 22
	if len(rec) < h1 {
		return ErrShort
	}
	e.TS = binary.LittleEndian.Uint64(rec[0:])
	e.TID = int64(binary.LittleEndian.Uint64(rec[8:]))
	l := int(binary.LittleEndian.Uint32(rec[16:]))
	e.Type = Type(binary.LittleEndian.Uint16(rec[20:]))
	max := 0
	if i := e.Type.Info(); i != nil {
		max = len(i.Params)
	}
	if l > len(rec) {
		l = len(rec)
	}
	for n := max; n >= 0; n-- {
		end := h1 + 2*n
		if end > l {
			continue
		}
		sum := 0
		for k := 0; k < n; k++ {
			sum += int(binary.LittleEndian.Uint16(rec[h1+2*k:]))
		}
		if end+sum == l {
			return e.decodeParams(rec[:l], h1, uint32(n))
		}
	}
	return fmt.Errorf("v1 record of type %d: parameter lengths do not match record length %d", e.Type, l)
}

func (e *Event) decodeParams(rec []byte, hdr int, n uint32) error {
	if n > MaxParams {
		return fmt.Errorf("event type %d declares %d parameters (max %d)", e.Type, n, MaxParams)
	}
	width := 2
	if e.Type.LargePayload() {
		width = 4
	}
	pos := hdr + int(n)*width
	if pos > len(rec) {
		return ErrShort
	}
	for i := 0; i < int(n); i++ {
		var l int
		if width == 2 {
			l = int(binary.LittleEndian.Uint16(rec[hdr+2*i:]))
		} else {
			l = int(binary.LittleEndian.Uint32(rec[hdr+4*i:]))
		}
		e.off[i] = uint32(pos)
		pos += l
		if pos > len(rec) || pos < 0 {
			return ErrShort
		}
	}
	e.off[n] = uint32(pos)
	e.NParams = int(n)
	e.Raw = rec[:pos]
	return nil
}

// Param returns the raw bytes of parameter i, or nil when the record has fewer
// parameters.
func (e *Event) Param(i int) []byte {
	if i < 0 || i >= e.NParams {
		return nil
	}
	return e.Raw[e.off[i]:e.off[i+1]]
}

// HasParam reports whether the record carries parameter i.
func (e *Event) HasParam(i int) bool { return i >= 0 && i < e.NParams }

// Info returns the table entry of the event's type (nil for unknown types).
func (e *Event) Info() *Info { return e.Type.Info() }

// ParamIndex returns the index of the parameter named name, or -1.
func (e *Event) ParamIndex(name string) int {
	if i := e.Info(); i != nil {
		for k := range i.Params {
			if i.Params[k].Name == name {
				return k
			}
		}
	}
	return -1
}

// Uint returns parameter i read as an unsigned little-endian integer of its
// stored width (1, 2, 4 or 8 bytes), and false when absent or of another size.
func (e *Event) Uint(i int) (uint64, bool) {
	p := e.Param(i)
	switch len(p) {
	case 1:
		return uint64(p[0]), true
	case 2:
		return uint64(binary.LittleEndian.Uint16(p)), true
	case 4:
		return uint64(binary.LittleEndian.Uint32(p)), true
	case 8:
		return binary.LittleEndian.Uint64(p), true
	}
	return 0, false
}

// Int returns parameter i sign-extended from its stored width.
func (e *Event) Int(i int) (int64, bool) {
	p := e.Param(i)
	switch len(p) {
	case 1:
		return int64(int8(p[0])), true
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(p))), true
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(p))), true
	case 8:
		return int64(binary.LittleEndian.Uint64(p)), true
	}
	return 0, false
}

// Str returns a string parameter as a C string: up to its first NUL.
func (e *Event) Str(i int) (string, bool) {
	p := e.Param(i)
	if p == nil && !e.HasParam(i) {
		return "", false
	}
	for j, c := range p {
		if c == 0 { // a C string: what follows its NUL is not part of it
			p = p[:j]
			break
		}
	}
	return string(p), true
}

// Clone returns a deep copy of e whose Raw does not alias the source buffer.
func (e *Event) Clone() *Event {
	c := *e
	c.Raw = append([]byte(nil), e.Raw...)
	return &c
}

// Len returns the record length stored in the header.
func (e *Event) Len() int { return len(e.Raw) }
