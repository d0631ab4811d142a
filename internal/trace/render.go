// SPDX-License-Identifier: Apache-2.0

package trace

import "strconv"

// DefaultStrSize is strace's default -s: buffers show at most 32 bytes.
const DefaultStrSize = 32

// restartNames are the kernel's internal restart errors, which strace shows
// as "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)".
var restartNames = map[int64]string{
	512: "ERESTARTSYS (To be restarted if SA_RESTART is set)",
	513: "ERESTARTNOINTR (To be restarted)",
	514: "ERESTARTNOHAND (To be restarted if no handler)",
	516: "ERESTART_RESTARTBLOCK (Interrupted by signal)",
}

// appendResult appends the part after "= ".
// With raw set (-e raw=) a successful result is shown in hex.
func appendResult(b []byte, c *rcall, raw bool, s ConstStyle) []byte {
	if c.exit == nil {
		return append(b, '?')
	}
	v := c.ret
	if c.failed() {
		if s, ok := restartNames[-v]; ok {
			b = append(b, "? "...)
			return append(b, s...)
		}
		return appendErrno(b, -v)
	}
	if raw {
		return appendHex0(b, uint64(v))
	}
	ret := byte('d')
	if c.s != nil {
		ret = c.s.ret
	}
	switch ret {
	case 'x':
		return appendHex(b, uint64(v))
	case 'o':
		return appendOct(b, uint64(v))
	}
	switch c.name {
	case "prctl":
		if b, ok := appendPrctlResult(b, c, s); ok {
			return b
		}
	case "fcntl":
		switch c.args[1] {
		case 3: // F_GETFL
			b = appendHex0(b, uint64(v))
			b = append(b, " (flags "...)
			b = appendOpenFlags(b, uint64(v))
			return append(b, ')')
		case 1: // F_GETFD
			b = appendHex0(b, uint64(v))
			if v != 0 {
				b = append(b, " (flags "...)
				b = appendBitsX(b, uint64(v), fdFlags, s)
				b = append(b, ')')
			}
			return b
		}
	case "select", "pselect6":
		b = strconv.AppendInt(b, v, 10)
		if v == 0 {
			return append(b, " (Timeout)"...)
		}
		n := 0
		for i, what := range []string{"in", "out", "except"} {
			p, ok := c.out(i + 1)
			if !ok || c.args[i+1] == 0 || len(p) < 128 {
				continue
			}
			set := appendFDSet(nil, p, c.args[0])
			if len(set) == 2 {
				continue
			}
			if n == 0 {
				b = append(b, " ("...)
			} else {
				b = append(b, ", "...)
			}
			b = append(b, what...)
			b = append(b, ' ')
			b = append(b, set...)
			n++
		}
		if p, ok := c.out(4); ok && c.args[4] != 0 && len(p) >= 16 {
			if n == 0 {
				b = append(b, " ("...)
			} else {
				b = append(b, ", "...)
			}
			b = append(b, "left "...)
			if c.name == "select" {
				b = appendTimeval(b, p)
			} else {
				b = appendTimespec(b, p)
			}
			n++
		}
		if n > 0 {
			b = append(b, ')')
		}
		return b
	case "recvmmsg":
		return appendMmsgLeft(strconv.AppendInt(b, v, 10), c)
	case "poll", "ppoll":
		b = strconv.AppendInt(b, v, 10)
		if v == 0 {
			return append(b, " (Timeout)"...)
		}
		if p, ok := c.out(0); ok {
			b = append(b, " ("...)
			b = appendPollfds(b, p, true, s)
			return append(b, ')')
		}
		return b
	}
	return strconv.AppendInt(b, v, 10)
}
