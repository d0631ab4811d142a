// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/state"
)

// argText renders parameter i of ev in sysdig's two parts: plain is the
// value ("3", "-2", "4097", the buffer text) and resolved the optional
// annotation ("<f>/etc/passwd", "ENOENT", "O_RDONLY|O_CLOEXEC"). evt.args
// prints plain(resolved); evt.arg prints resolved when present, else plain.
// Both slices alias buffers of c and are valid until the next call.
func (c *Ctx) argText(ev *event.Event, i int) (plain, resolved []byte, ok bool) {
	info := ev.Info()
	if info == nil || i < 0 || i >= ev.NParams || i >= len(info.Params) {
		return nil, nil, false
	}
	pi := &info.Params[i]
	p, r := c.renderParam(ev, pi, ev.Param(i), c.plainBuf[:0], c.resBuf[:0])
	c.plainBuf, c.resBuf = p, r
	return p, r, true
}

// renderParam appends the two text parts of one parameter value.
func (c *Ctx) renderParam(ev *event.Event, pi *event.ParamInfo, b []byte, plain, res []byte) ([]byte, []byte) {
	return c.renderValue(ev, pi, pi.Fmt, b, plain, res)
}

// renderValue renders a value of pi's type in the print format f: for a
// dynamic parameter sysdig renders the chosen sub-type in the print
// format of the outer parameter.
func (c *Ctx) renderValue(ev *event.Event, pi *event.ParamInfo, f event.PrintFmt, b []byte, plain, res []byte) ([]byte, []byte) {
	switch pi.Type {
	case event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64:
		plain = appendNumber(plain, puint(b), len(b), true, f)
	case event.PTUint8, event.PTUint16, event.PTUint32, event.PTUint64, event.PTPort,
		event.PTL4Proto, event.PTSockFamily, event.PTBool, event.PTAbsTime:
		plain = appendNumber(plain, puint(b), len(b), false, f)
	case event.PTSigSet:
		plain = appendSigSet(plain, puint(b))
	case event.PTErrno:
		v := sint(b)
		plain = strconv.AppendInt(plain, v, 10)
		if v < 0 {
			res = append(res, event.ErrnoName(-v)...)
		}
	case event.PTFD:
		plain, res = c.renderFD(sint(b), plain, res)
	case event.PTPID:
		pid := sint(b)
		plain = strconv.AppendInt(plain, pid, 10)
		if t := c.State.Thread(pid); t != nil {
			n := len(res)
			res = append(res, t.Comm...)
			Sanitize(res[n:], false)
		}
	case event.PTCharBuf:
		n := len(plain)
		plain = appendCStr(plain, b)
		Sanitize(plain[n:], false)
	case event.PTFSPath, event.PTFSRelPath:
		plain, res = c.renderPath(ev, pi, b, plain, res)
	case event.PTByteBuf:
		plain = c.appendBuffer(plain, b)
	case event.PTSockAddr:
		plain = appendSockAddr(plain, b)
	case event.PTSockTuple:
		plain = appendSockTuple(plain, b)
	case event.PTFDList:
		plain = c.appendFDList(plain, b)
	case event.PTSyscallID:
		v := puint(b)
		plain = strconv.AppendUint(plain, v, 10)
		res = append(res, event.SyscallCodeName(uint16(v))...)
	case event.PTSigType:
		v := puint(b)
		plain = strconv.AppendUint(plain, v, 10)
		res = append(res, event.SignalName(v)...)
	case event.PTRelTime:
		v := puint(b)
		plain = strconv.AppendUint(plain, v, 10)
		res = strconv.AppendFloat(res, float64(v)/1e9, 'g', 6, 64)
		res = append(res, 's')
	case event.PTFlags8, event.PTFlags16, event.PTFlags32:
		v := puint(b)
		plain = strconv.AppendUint(plain, v, 10)
		res = appendFlagNames(res, pi.Flags, uint32(v))
	case event.PTMode:
		v := puint(b)
		plain = appendNumber(plain, uint64(uint32(v)), 4, false, f)
		res = appendFlagNames(res, pi.Flags, uint32(v))
	case event.PTUID, event.PTGID:
		plain, res = c.renderOwner(pi.Type, puint(b), plain, res)
	case event.PTIPv4Addr:
		plain = state.AppendIP(plain, b)
	case event.PTIPv6Addr, event.PTIPAddr:
		plain = state.AppendIP(plain, b)
	case event.PTIPv4Net, event.PTIPv6Net, event.PTIPNet:
		if n := len(b); n == 5 || n == 17 {
			plain = state.AppendIP(plain, b[:n-1])
			plain = append(plain, '/')
			plain = strconv.AppendUint(plain, uint64(b[n-1]), 10)
		}
	case event.PTDouble:
		if len(b) == 8 {
			plain = strconv.AppendFloat(plain, math.Float64frombits(binary.LittleEndian.Uint64(b)), 'f', 6, 64)
		}
	case event.PTDyn:
		if len(b) >= 1 && int(b[0]) < len(pi.Dyn) {
			return c.renderValue(ev, &pi.Dyn[b[0]], f, b[1:], plain, res)
		}
	case event.PTCharBufArray, event.PTCharBufPairArray:
		plain = appendStrList(plain, b)
	default:
		plain = append(plain, b...)
	}
	return plain, res
}

// appendNumber renders an integer of width bytes as sysdig's printf
// format macros do: "%d" (also for unsigned 32- and 64-bit values, which
// therefore print negative above 2^31 and 2^63), "%09d" padded, "%X" and
// "%#o". Values narrower than 32 bits are promoted to int first, so a
// negative 8- or 16-bit value prints as 32-bit hex or octal.
func appendNumber(plain []byte, raw uint64, width int, signed bool, f event.PrintFmt) []byte {
	var s int64  // the value as "%d" sees it
	var u uint64 // the value as "%X" and "%o" see it
	switch {
	case width >= 8:
		s, u = int64(raw), raw
	case signed:
		s = sext(raw, width)
		u = uint64(uint32(s))
	case width == 4:
		s, u = int64(int32(uint32(raw))), uint64(uint32(raw))
	default:
		s, u = int64(raw), raw
	}
	switch f {
	case event.FmtOct:
		if u != 0 {
			plain = append(plain, '0')
		}
		return strconv.AppendUint(plain, u, 8)
	case event.FmtHex:
		return appendHexUpper(plain, u)
	case event.Fmt10PaddedDec:
		return appendPadded(plain, s)
	}
	return strconv.AppendInt(plain, s, 10)
}

// sext sign-extends the low width bytes of raw.
func sext(raw uint64, width int) int64 {
	switch width {
	case 1:
		return int64(int8(raw))
	case 2:
		return int64(int16(raw))
	case 4:
		return int64(int32(raw))
	}
	return int64(raw)
}

// appendSigSet renders a signal mask as names separated by spaces; as in
// sysdig, signals without a name are left out.
func appendSigSet(plain []byte, v uint64) []byte {
	first := true
	for i := uint64(0); i < 32; i++ {
		if v&(1<<i) == 0 {
			continue
		}
		n := event.SignalName(i + 1)
		if n == "" {
			continue
		}
		if !first {
			plain = append(plain, ' ')
		}
		first = false
		plain = append(plain, n...)
	}
	return plain
}

// renderFD renders an fd parameter and, resolved, its tag and name (or
// AT_FDCWD, or the errno of a negative value).
func (c *Ctx) renderFD(fd int64, plain, res []byte) ([]byte, []byte) {
	plain = strconv.AppendInt(plain, fd, 10)
	if fd == -100 {
		res = append(res, "AT_FDCWD"...)
	} else if fd < 0 {
		res = append(res, event.ErrnoName(-fd)...)
	} else if t := c.State.Cur().Thread; t != nil {
		if f := c.fdForArg(t, fd); f != nil {
			res = appendFDTag(res, f)
			res = append(res, f.Name...)
		}
	}
	return plain, res
}

// renderPath renders a path parameter as written and, when relative, as
// resolved against the cwd or the call's dirfd.
func (c *Ctx) renderPath(ev *event.Event, pi *event.ParamInfo, b []byte, plain, res []byte) ([]byte, []byte) {
	// sysdig drops the bytes outside printable ASCII from the path as
	// written; the resolved path carries them as '.'.
	for _, x := range trimNul(b) {
		if isPrint(x) {
			plain = append(plain, x)
		}
	}
	// sysdig leaves the "<NA>" a probe writes for a missing name (any
	// path starting with it) as it is
	if len(b) > 0 && b[0] != '/' && b[0] != 0 && !bytes.HasPrefix(b, []byte("<NA>")) {
		dirfd := int64(-100)
		// sysdig takes the cwd when the table's dirfd index does not name
		// an fd parameter (openat2's enter event names the path itself)
		if info := ev.Info(); pi.Type == event.PTFSRelPath && pi.DirFD >= 0 && pi.DirFD < len(info.Params) &&
			info.Params[pi.DirFD].Type == event.PTFD {
			dirfd = sint(ev.Param(pi.DirFD))
		}
		s := string(trimNul(b))
		res = append(res, c.State.ResolvePath(c.State.Cur().Thread, dirfd, s)...)
	} else if len(b) > 0 && b[0] == 0 {
		// an empty path resolves to its base, as sysdig appends it
		dirfd := int64(-100)
		if info := ev.Info(); pi.Type == event.PTFSRelPath && pi.DirFD >= 0 && pi.DirFD < len(info.Params) &&
			info.Params[pi.DirFD].Type == event.PTFD {
			dirfd = sint(ev.Param(pi.DirFD))
		}
		res = append(res, c.State.ResolveEmpty(c.State.Cur().Thread, dirfd)...)
	}
	return plain, res
}

// renderOwner renders a uid or gid and its user or group name.
func (c *Ctx) renderOwner(typ event.ParamType, v uint64, plain, res []byte) ([]byte, []byte) {
	if uint32(v) == math.MaxUint32 {
		return append(plain, "-1"...), append(res, "<NONE>"...)
	}
	plain = strconv.AppendUint(plain, v, 10)
	var name string
	if typ == event.PTUID {
		name = c.State.UserName(uint32(v))
	} else {
		name = c.State.GroupName(uint32(v))
	}
	if name != "" {
		return plain, append(res, name...)
	}
	return plain, append(res, "<NA>"...)
}

// appendStrList renders a NUL-separated string list joined by commas.
func appendStrList(plain, b []byte) []byte {
	n := len(plain)
	first := true
	for _, s := range splitNul(b) {
		if !first {
			plain = append(plain, ',')
		}
		first = false
		plain = append(plain, s...)
	}
	Sanitize(plain[n:], false)
	return plain
}

// fdForArg finds fd in t's table, falling back to the fd a close just
// removed so that "> close" renders before and "< close" after removal
// alike.
func (c *Ctx) fdForArg(t *state.Thread, fd int64) *state.FD {
	if f := t.FD(fd); f != nil {
		return f
	}
	cur := c.State.Cur()
	if cur.Closed && cur.ClosedFD.Num == fd {
		return &cur.ClosedFD
	}
	return nil
}

// appendFDTag appends "<f>", "<4t>", "<6u>", ... for f.
func appendFDTag(b []byte, f *state.FD) []byte {
	b = append(b, '<', f.TypeChar())
	if f.IsSocket() {
		if ch := l4Char(f.L4Proto); ch != 0 {
			b = append(b, ch)
		}
	}
	return append(b, '>')
}

func l4Char(p uint8) byte {
	switch p {
	case event.L4TCP:
		return 't'
	case event.L4UDP:
		return 'u'
	case event.L4ICMP:
		return 'i'
	case event.L4Raw:
		return 'r'
	}
	return 0
}

// appendFlagNames renders a flags value with sysdig's matching rules:
// names are taken in table order while their bits are all set (zero-valued
// names only match a zero value), each match clearing its bits, and the
// walk stops at a name whose value equals the whole value, which is then
// appended too.
func appendFlagNames(b []byte, names []event.FlagName, v uint32) []byte {
	if len(names) == 0 {
		return b
	}
	rem := v
	sep := false
	i := 0
	for ; i < len(names) && names[i].Value != v; i++ {
		f := names[i]
		if (f.Value == 0 && v == 0) || (f.Value != 0 && rem&f.Value == f.Value && rem != 0) {
			if sep {
				b = append(b, '|')
			}
			b = append(b, f.Name...)
			sep = true
			rem &^= f.Value
		}
	}
	if i < len(names) {
		if sep {
			b = append(b, '|')
		}
		b = append(b, names[i].Name...)
	}
	return b
}

func appendSockAddr(b, p []byte) []byte {
	if len(p) == 0 {
		return append(b, "NULL"...)
	}
	switch p[0] {
	case 2:
		if len(p) != 7 {
			return append(b, "INVALID IPv4"...)
		}
		return appendEndpoint(b, p[1:5], p[5:])
	case 10:
		if len(p) != 19 {
			return append(b, "INVALID IPv6"...)
		}
		return appendEndpoint(b, p[1:17], p[17:])
	case 1:
		return appendCStr(b, p[1:])
	}
	b = append(b, "family "...)
	return strconv.AppendUint(b, uint64(p[0]), 10)
}

func appendSockTuple(b, p []byte) []byte {
	if len(p) == 0 {
		return append(b, "NULL"...)
	}
	switch p[0] {
	case 2:
		// sysdig renders a tuple of another length as invalid
		if len(p) != 13 {
			return append(b, "INVALID IPv4"...)
		}
		b = appendEndpoint(b, p[1:5], p[5:])
		b = append(b, "->"...)
		return appendEndpoint(b, p[7:11], p[11:])
	case 10:
		if len(p) != 37 {
			return append(b, "INVALID IPv6"...)
		}
		if mapped(p[1:17]) && mapped(p[19:35]) {
			// two IPv4-mapped (or unspecified) addresses print as an
			// IPv4 tuple
			b = appendEndpoint(b, p[13:17], p[17:])
			b = append(b, "->"...)
			return appendEndpoint(b, p[31:35], p[35:])
		}
		b = appendEndpoint(b, p[1:17], p[17:])
		b = append(b, "->"...)
		return appendEndpoint(b, p[19:35], p[35:])
	case 1:
		if len(p) >= 17 {
			b = strconv.AppendUint(b, binary.LittleEndian.Uint64(p[1:]), 16)
			b = append(b, "->"...)
			b = strconv.AppendUint(b, binary.LittleEndian.Uint64(p[9:]), 16)
			b = append(b, ' ')
			return appendCStr(b, p[17:])
		}
	}
	b = append(b, "family "...)
	return strconv.AppendUint(b, uint64(p[0]), 10)
}

// appendEndpoint renders an address and a little-endian port as ip:port.
func appendEndpoint(b, ip, port []byte) []byte {
	b = state.AppendIP(b, ip)
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(le16(port)), 10)
}

// mapped is sysdig's test for an IPv4 address in IPv6 form
// (is_ipv4_mapped_ipv6): a mapped address ::ffff:a.b.c.d, or the
// unspecified address ::.
func mapped(ip []byte) bool {
	for _, x := range ip[:10] {
		if x != 0 {
			return false
		}
	}
	return ip[10] == 0xff && ip[11] == 0xff || ip[10]|ip[11]|ip[12]|ip[13]|ip[14]|ip[15] == 0
}

// appendFDList renders "fd:<typechar><flags hex>" entries separated by
// spaces.
func (c *Ctx) appendFDList(b, p []byte) []byte {
	if len(p) < 2 {
		return b
	}
	n := int(le16(p))
	p = p[2:]
	t := c.State.Cur().Thread
	for i := 0; i < n && len(p) >= 10; i++ {
		fd := int64(binary.LittleEndian.Uint64(p))
		fl := le16(p[8:])
		p = p[10:]
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, fd, 10)
		b = append(b, ':')
		ch := byte('?')
		if t != nil {
			if f := t.FD(fd); f != nil {
				ch = f.TypeChar()
			}
		}
		b = append(b, ch)
		b = strconv.AppendUint(b, uint64(fl), 16)
	}
	return b
}

// appendBuffer renders a byte buffer according to the Ctx's buffer format
// and print length.
func (c *Ctx) appendBuffer(b, p []byte) []byte {
	trunc := false
	if c.PrintLen > 0 && len(p) > c.PrintLen {
		p = p[:c.PrintLen-3]
		trunc = true
	}
	switch c.Buf {
	case BufASCII:
		if len(p) > 0 {
			b = append(b, '\n')
		}
		for i, x := range p {
			switch {
			case isPrint(x) || x == '\n':
				b = append(b, x)
			case x == '\r' && (i+1 == len(p) || p[i+1] != '\n'):
				b = append(b, '\n')
			}
		}
	case BufHex, BufHexASCII:
		if len(p) > 0 {
			b = appendHexDump(b, p, c.Buf == BufHexASCII)
		}
	case BufBase64:
		n := base64.StdEncoding.EncodedLen(len(p))
		start := len(b)
		b = append(b, make([]byte, n)...)
		base64.StdEncoding.Encode(b[start:], p)
	default:
		for _, x := range p {
			if isPrint(x) {
				b = append(b, x)
			} else {
				b = append(b, '.')
			}
		}
	}
	if trunc {
		b = append(b, "..."...)
	}
	return b
}

const hexdigits = "0123456789abcdef"

func appendHexDump(b, p []byte, withASCII bool) []byte {
	for off := 0; off < len(p); off += 16 {
		end := off + 16
		if end > len(p) {
			end = len(p)
		}
		b = append(b, "\n\t0x"...)
		b = append(b, hexdigits[off>>12&0xf], hexdigits[off>>8&0xf], hexdigits[off>>4&0xf], hexdigits[off&0xf])
		b = append(b, ':')
		for i := off; i < off+16; i += 2 {
			switch {
			case i+1 < end:
				b = append(b, ' ', hexdigits[p[i]>>4], hexdigits[p[i]&0xf], hexdigits[p[i+1]>>4], hexdigits[p[i+1]&0xf])
			case i < end:
				b = append(b, ' ', hexdigits[p[i]>>4], hexdigits[p[i]&0xf])
			default:
				if withASCII {
					b = append(b, "     "...)
				}
			}
		}
		if withASCII {
			b = append(b, "  "...)
			for i := off; i < end; i++ {
				if isPrint(p[i]) {
					b = append(b, p[i])
				} else {
					b = append(b, '.')
				}
			}
		}
	}
	return append(b, '\n')
}

func isPrint(x byte) bool { return x >= 0x20 && x < 0x7f }

func sint(b []byte) int64 {
	switch len(b) {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	case 8:
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

func puint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	case 8:
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }

func appendHexUpper(b []byte, v uint64) []byte {
	start := len(b)
	b = strconv.AppendUint(b, v, 16)
	for i := start; i < len(b); i++ {
		if b[i] >= 'a' {
			b[i] -= 'a' - 'A'
		}
	}
	return b
}

// appendPadded renders v as "%09d": zero-padded to nine characters, the
// sign included.
func appendPadded(b []byte, v int64) []byte {
	var tmp [24]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	if v < 0 {
		b = append(b, '-')
		s = s[1:]
		for i := len(s) + 1; i < 9; i++ {
			b = append(b, '0')
		}
		return append(b, s...)
	}
	for i := len(s); i < 9; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func trimNul(b []byte) []byte {
	for i, x := range b {
		if x == 0 {
			return b[:i]
		}
	}
	return b
}

func appendCStr(b, p []byte) []byte { return append(b, trimNul(p)...) }

func splitNul(b []byte) []string {
	var out []string
	start := 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == 0 {
			if i > start || (i < len(b)) {
				out = append(out, string(b[start:i]))
			}
			start = i + 1
		}
	}
	return out
}

// AppendArgs appends evt.args of the current event: every parameter as
// "name=value " (value with its "(annotation)" when there is one).
func (c *Ctx) AppendArgs(b []byte) []byte {
	ev := c.Ev
	info := ev.Info()
	if info == nil || ev.Type == event.GenericE || ev.Type == event.GenericX {
		return b
	}
	n := ev.NParams
	if n > len(info.Params) {
		n = len(info.Params)
	}
	for i := 0; i < n; i++ {
		plain, res, _ := c.argText(ev, i)
		b = append(b, info.Params[i].Name...)
		b = append(b, '=')
		b = append(b, plain...)
		if len(res) > 0 {
			b = append(b, '(')
			b = append(b, res...)
			b = append(b, ')')
		}
		b = append(b, ' ')
	}
	return b
}
