// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"fmt"
	"strconv"
	"strings"
)

// FDSet is a set of file descriptors (strace -e read=, -e write=).
type FDSet struct {
	neg bool
	fds map[int]bool
}

// ParseFDSet reads a descriptor set: numbers, all, none, a leading !
// negating.
func ParseFDSet(v string) (*FDSet, error) {
	s := &FDSet{fds: map[int]bool{}}
	if rest, ok := strings.CutPrefix(v, "!"); ok {
		s.neg, v = true, rest
	}
	for _, f := range strings.Split(v, ",") {
		switch f = strings.TrimSpace(f); f {
		case "all":
			s.neg = !s.neg
			clear(s.fds)
			return s, nil
		case "none":
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("invalid descriptor '%s'", f)
		}
		s.fds[n] = true
	}
	return s, nil
}

// Has reports whether fd is in the set (false on a nil set).
func (s *FDSet) Has(fd int64) bool {
	if s == nil || fd < 0 {
		return false
	}
	return s.fds[int(fd)] != s.neg
}

// dumpArgs names the syscalls whose data -e read= (false) and -e write=
// (true) dump: the buffer is argument 1, the descriptor argument 0.
var dumpArgs = map[string]bool{
	"read": false, "pread64": false, "recvfrom": false,
	"write": true, "pwrite64": true, "sendto": true,
}

// dumpIovArgs names the syscalls whose iovec arrays (argument 1, or
// msghdr's msg_iov) -e read= (false) and -e write= (true) dump, one
// buffer after the other.
var dumpIovArgs = map[string]bool{
	"readv": false, "preadv": false, "preadv2": false, "recvmsg": false,
	"writev": true, "pwritev": true, "pwritev2": true, "sendmsg": true,
}

// appendDump appends the hex dump strace prints under a call line for
// -e read=/write=: the bytes read (as many as returned, when the call
// succeeded) or written (as many as asked, whatever the result), 16 a
// line. Iovec arrays are dumped buffer by buffer (" * N bytes in buffer
// K"), up to the first empty one.
func (t *Tracer) appendDump(b []byte, c *rcall) []byte {
	fd := s32(c.args[0])
	write, ok := dumpArgs[c.name]
	iovWrite, iov := dumpIovArgs[c.name]
	if !ok && !iov || fd < 0 {
		return b
	}
	if iov {
		write = iovWrite
	}
	if write && !t.opts.WriteFDs.Has(fd) || !write && (!t.opts.ReadFDs.Has(fd) || !c.succeeded()) {
		return b
	}
	if iov {
		return appendIovDump(b, c, write)
	}
	var p []byte
	var n int64
	if write {
		p, _ = c.in(1)
		n = int64(c.args[2])
	} else {
		p, _ = c.out(1)
		n = c.ret
	}
	return appendHexDump(b, p, n)
}

// appendIovDump dumps the buffers of an iovec array: all of each written
// one, the bytes read shared out in order.
func appendIovDump(b []byte, c *rcall, write bool) []byte {
	var p []byte
	if write {
		p, _ = c.in(1)
	} else {
		p, _ = c.outAny(1)
	}
	var elems []iovElem
	if c.name == "sendmsg" || c.name == "recvmsg" {
		m, ok := parseMsg(p)
		if !ok {
			return b
		}
		elems = m.elems[:min(uint64(len(m.elems)), m.iovlen)]
	} else {
		elems = parseIovec(p)
		elems = elems[:min(uint64(len(elems)), c.args[2])]
	}
	left := int64(-1)
	if !write {
		left = c.ret
	}
	for k, e := range elems {
		n := int64(e.len)
		if left >= 0 {
			n = min(n, left)
			left -= n
		}
		if n <= 0 {
			break
		}
		b = append(b, " * "...)
		b = strconv.AppendInt(b, n, 10)
		b = append(b, " bytes in buffer "...)
		b = strconv.AppendInt(b, int64(k), 10)
		b = appendHexDump(append(b, '\n'), e.data, n)
	}
	return b
}

// appendHexDump appends n bytes of p (at most what the probe copied) as
// strace's hex dump lines.
func appendHexDump(b []byte, p []byte, n int64) []byte {
	if int64(len(p)) < n {
		n = int64(len(p)) // what the probe copied (at most its snap length)
	}
	const hexdig = "0123456789abcdef"
	for off := 0; off < int(n); off += 16 {
		row := p[off:min(off+16, int(n))]
		b = append(b, " | "...)
		o := strconv.FormatInt(int64(off), 16)
		for i := len(o); i < 5; i++ {
			b = append(b, '0')
		}
		b = append(b, o...)
		b = append(b, "  "...)
		for i := 0; i < 16; i++ {
			if i < len(row) {
				b = append(b, hexdig[row[i]>>4], hexdig[row[i]&15], ' ')
			} else {
				b = append(b, "   "...)
			}
			if i == 7 {
				b = append(b, ' ')
			}
		}
		b = append(b, ' ')
		for i := 0; i < 16; i++ {
			switch {
			case i >= len(row):
				b = append(b, ' ')
			case row[i] >= 0x20 && row[i] < 0x7f:
				b = append(b, row[i])
			default:
				b = append(b, '.')
			}
		}
		b = append(b, " |\n"...)
	}
	return b
}
