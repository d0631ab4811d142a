// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// cursor walks a metadata block body. The first failure sticks in err and
// every later read returns zero values.
type cursor struct {
	b   []byte
	p   int
	err error
}

func (c *cursor) left() int { return len(c.b) - c.p }

func (c *cursor) need(n int, what string) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || c.left() < n {
		c.err = fmt.Errorf("%s: need %d bytes at body offset %d, only %d left", what, n, c.p, c.left())
		return false
	}
	return true
}

func (c *cursor) u8(what string) uint8 {
	if !c.need(1, what) {
		return 0
	}
	v := c.b[c.p]
	c.p++
	return v
}

func (c *cursor) u16(what string) uint16 {
	if !c.need(2, what) {
		return 0
	}
	v := binary.LittleEndian.Uint16(c.b[c.p:])
	c.p += 2
	return v
}

func (c *cursor) u32(what string) uint32 {
	if !c.need(4, what) {
		return 0
	}
	v := binary.LittleEndian.Uint32(c.b[c.p:])
	c.p += 4
	return v
}

func (c *cursor) u64(what string) uint64 {
	if !c.need(8, what) {
		return 0
	}
	v := binary.LittleEndian.Uint64(c.b[c.p:])
	c.p += 8
	return v
}

func (c *cursor) bytes(n int, what string) []byte {
	if !c.need(n, what) {
		return nil
	}
	v := c.b[c.p : c.p+n]
	c.p += n
	return v
}

// ip copies n address bytes (the snapshot must not alias the read buffer).
func (c *cursor) ip(n int, what string) []byte {
	b := c.bytes(n, what)
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// str16 reads a u16 length and that many bytes; a string longer than limit
// is an error.
func (c *cursor) str16(limit int, what string) string {
	n := int(c.u16(what))
	if c.err != nil {
		return ""
	}
	if n > limit {
		c.err = fmt.Errorf("%s: length %d exceeds limit %d", what, n, limit)
		return ""
	}
	return string(c.bytes(n, what))
}

func (c *cursor) skip(n int, what string) {
	if c.need(n, what) {
		c.p += n
	}
}

// cstr16 is str16 read as a C string, as libscap's readers do: what follows
// a NUL inside the declared length is not part of the string.
func (c *cursor) cstr16(limit int, what string) string {
	s := c.str16(limit, what)
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}
