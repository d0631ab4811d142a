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

// appendDump appends the hex dump strace prints under a call line for
// -e read=/write=: the bytes read (as many as returned) or written (as many
// as asked), 16 a line.
func (t *Tracer) appendDump(b []byte, c *rcall) []byte {
	write, ok := dumpArgs[c.name]
	if !ok || !c.succeeded() {
		return b
	}
	fd := s32(c.args[0])
	var p []byte
	var n int64
	if write {
		if !t.opts.WriteFDs.Has(fd) {
			return b
		}
		p, _ = c.in(1)
		n = int64(c.args[2])
	} else {
		if !t.opts.ReadFDs.Has(fd) {
			return b
		}
		p, _ = c.out(1)
		n = c.ret
	}
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
