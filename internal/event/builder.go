// SPDX-License-Identifier: Apache-2.0

package event

import (
	"encoding/binary"
	"math"
)

// Builder assembles v2 event records. It is used by synthetic sources, by the
// capture-file writer for metadata-derived events, and by tests. The zero value
// is ready to use; a Builder may be reused after Bytes.
type Builder struct {
	typ    Type
	lens   []uint32
	values []byte
	out    []byte
}

// Reset starts a new record of type t.
func (b *Builder) Reset(t Type) *Builder {
	b.typ = t
	b.lens = b.lens[:0]
	b.values = b.values[:0]
	return b
}

// Raw appends one parameter with the given bytes.
func (b *Builder) Raw(p []byte) *Builder {
	if len(p) > math.MaxUint16 && !b.typ.LargePayload() {
		p = p[:math.MaxUint16]
	}
	b.lens = append(b.lens, uint32(len(p)))
	b.values = append(b.values, p...)
	return b
}

// U8 appends a one-byte parameter.
func (b *Builder) U8(v uint8) *Builder { return b.Raw([]byte{v}) }

// U16 appends a two-byte parameter.
func (b *Builder) U16(v uint16) *Builder {
	return b.Raw(binary.LittleEndian.AppendUint16(nil, v))
}

// U32 appends a four-byte parameter.
func (b *Builder) U32(v uint32) *Builder {
	return b.Raw(binary.LittleEndian.AppendUint32(nil, v))
}

// U64 appends an eight-byte parameter.
func (b *Builder) U64(v uint64) *Builder {
	return b.Raw(binary.LittleEndian.AppendUint64(nil, v))
}

// I64 appends a signed eight-byte parameter (FD, PID, ERRNO).
func (b *Builder) I64(v int64) *Builder { return b.U64(uint64(v)) }

// Str appends a NUL-terminated string parameter.
func (b *Builder) Str(s string) *Builder {
	p := make([]byte, 0, len(s)+1)
	p = append(p, s...)
	return b.Raw(append(p, 0))
}

// Bytes finishes the record with the given timestamp and thread id. The
// returned slice is valid until the next call on b.
func (b *Builder) Bytes(ts uint64, tid int64) []byte {
	width := 2
	if b.typ.LargePayload() {
		width = 4
	}
	n := len(b.lens)
	total := HeaderLen + width*n + len(b.values)
	out := b.out[:0]
	out = binary.LittleEndian.AppendUint64(out, ts)
	out = binary.LittleEndian.AppendUint64(out, uint64(tid))
	out = binary.LittleEndian.AppendUint32(out, uint32(total))
	out = binary.LittleEndian.AppendUint16(out, uint16(b.typ))
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	for _, l := range b.lens {
		if width == 2 {
			out = binary.LittleEndian.AppendUint16(out, uint16(l))
		} else {
			out = binary.LittleEndian.AppendUint32(out, l)
		}
	}
	out = append(out, b.values...)
	b.out = out
	return out
}
