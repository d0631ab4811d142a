// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"encoding/binary"
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// Iovec arrays and msghdr structs, from the probe's RawIovec and RawMsghdr
// copies (see event.RawIovec for their layout).

// iovElem is one element of a copied iovec array.
type iovElem struct {
	base, len uint64
	data      []byte
	fault     bool // its data could not be read
}

// parseIovec splits a RawIovec copy into its elements.
func parseIovec(p []byte) []iovElem {
	var out []iovElem
	for len(p) >= 20 {
		e := iovElem{base: binary.LittleEndian.Uint64(p), len: binary.LittleEndian.Uint64(p[8:])}
		n := binary.LittleEndian.Uint32(p[16:])
		p = p[20:]
		if n == event.RawIovFault {
			e.fault = true
		} else {
			if int(n) > len(p) {
				n = uint32(len(p))
			}
			e.data, p = p[:n], p[n:]
		}
		out = append(out, e)
	}
	return out
}

// appendIovec renders cnt iovec elements as strace does: each iov_base
// shows as many bytes as the call transferred through it (size, shared out
// in order; -1 for all of them), or with addrs only its address. Elements
// after the -s limit are left out ("..."), as are those the probe did not
// copy.
func (r *renderer) appendIovec(elems []iovElem, cnt uint64, addrs bool, size int64) {
	r.b = append(r.b, '[')
	for k := uint64(0); k < cnt; k++ {
		if k > 0 {
			r.b = append(r.b, ", "...)
		}
		if k >= uint64(len(elems)) || k >= uint64(r.strSize) {
			r.b = append(r.b, "..."...)
			break
		}
		e := elems[k]
		r.b = append(r.b, "{iov_base="...)
		n := int64(e.len)
		if size >= 0 {
			n = min(n, size)
			size -= n
		}
		switch {
		case addrs || e.fault:
			r.b = appendPtr(r.b, e.base)
		case e.base == 0:
			r.b = append(r.b, "NULL"...)
		default:
			r.buf(e.data, n)
		}
		r.b = append(r.b, ", iov_len="...)
		r.b = strconv.AppendUint(r.b, e.len, 10)
		r.b = append(r.b, '}')
	}
	r.b = append(r.b, ']')
}

// iovKind is an iovec array whose count is the next argument: its data is
// shown on enter (writev), or on exit up to the return value (readv; the
// addresses when the call failed).
func iovKind(exit bool) *argKind {
	k := &argKind{copy: event.RawIovec, n: 1, exit: exit, print: func(r *renderer, c *rcall, i int) {
		r.sep()
		p, ok := c.in(i)
		size := int64(-1)
		addrs := false
		if exit {
			p, ok = c.outAny(i)
			size = max(c.ret, 0)
			addrs = c.failed()
		}
		cnt := c.args[i+1]
		if (!ok && cnt != 0) || c.args[i] == 0 {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		r.appendIovec(parseIovec(p), cnt, addrs, size)
	}}
	if exit {
		k.unit = 1
	}
	return k
}

// iovAddrKind is an iovec array of another process (process_vm_readv's
// remote one): only addresses and lengths.
func iovAddrKind() *argKind {
	return &argKind{copy: event.RawArgLen, n: 1, unit: 16, print: func(r *renderer, c *rcall, i int) {
		r.sep()
		p, ok := c.in(i)
		cnt := c.args[i+1]
		if (!ok && cnt != 0) || c.args[i] == 0 {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		var elems []iovElem
		for ; len(p) >= 16; p = p[16:] {
			elems = append(elems, iovElem{base: binary.LittleEndian.Uint64(p), len: binary.LittleEndian.Uint64(p[8:])})
		}
		r.appendIovec(elems, cnt, true, -1)
	}}
}

// rawMsg is a RawMsghdr copy split into its parts.
type rawMsg struct {
	name, namelen       uint64
	iov, iovlen         uint64
	control, controllen uint64
	flags               uint32
	nameData, ctlData   []byte
	nameFault, ctlFault bool
	elems               []iovElem
}

// parseMsg splits a RawMsghdr copy (false when the msghdr was not read).
func parseMsg(p []byte) (rawMsg, bool) {
	var m rawMsg
	if len(p) < 56 {
		return m, false
	}
	le := binary.LittleEndian
	m.name, m.namelen = le.Uint64(p), uint64(le.Uint32(p[8:]))
	m.iov, m.iovlen = le.Uint64(p[16:]), le.Uint64(p[24:])
	m.control, m.controllen = le.Uint64(p[32:]), le.Uint64(p[40:])
	m.flags = le.Uint32(p[48:])
	p = p[56:]
	part := func() ([]byte, bool) {
		if len(p) < 4 {
			return nil, true
		}
		n := le.Uint32(p)
		p = p[4:]
		if n == event.RawIovFault {
			return nil, true
		}
		n = min(n, uint32(len(p)))
		d := p[:n]
		p = p[n:]
		return d, false
	}
	m.nameData, m.nameFault = part()
	m.ctlData, m.ctlFault = part()
	m.elems = parseIovec(p)
	return m, true
}

// appendMsghdr renders a msghdr as strace does. userNamelen is the
// msg_namelen the caller passed (recvmsg), -1 when it is the same as the
// struct's; size is the bytes the call transferred (-1: all of them).
func (r *renderer) appendMsghdr(m rawMsg, userNamelen int64, size int64) {
	r.b = append(r.b, "{msg_name="...)
	namelen := int64(int32(m.namelen))
	if userNamelen >= 0 && namelen > userNamelen {
		namelen = userNamelen
	}
	name := m.nameData
	if int64(len(name)) > namelen {
		name = name[:max(namelen, 0)]
	}
	if m.name == 0 || namelen < 2 || m.nameFault || len(name) < 2 {
		r.b = appendPtr(r.b, m.name)
	} else {
		r.b = appendSockaddrX(r.b, name, r.style, r.hex)
	}
	r.b = append(r.b, ", msg_namelen="...)
	if userNamelen >= 0 && userNamelen != int64(int32(m.namelen)) {
		r.b = strconv.AppendInt(r.b, userNamelen, 10)
		r.b = append(r.b, " => "...)
	}
	r.b = strconv.AppendInt(r.b, int64(int32(m.namelen)), 10)
	r.b = append(r.b, ", msg_iov="...)
	if m.iov == 0 || (len(m.elems) == 0 && m.iovlen != 0) {
		r.b = appendPtr(r.b, m.iov)
	} else {
		r.appendIovec(m.elems, m.iovlen, false, size)
	}
	r.b = append(r.b, ", msg_iovlen="...)
	r.b = strconv.AppendUint(r.b, m.iovlen, 10)
	if m.controllen != 0 {
		r.b = append(r.b, ", msg_control="...)
		r.appendCmsgs(m)
	}
	r.b = append(r.b, ", msg_controllen="...)
	r.b = strconv.AppendUint(r.b, m.controllen, 10)
	r.b = append(r.b, ", msg_flags="...)
	r.b = appendBitsX(r.b, uint64(m.flags), msgBits, r.style)
	r.b = append(r.b, '}')
}

// appendCmsgs renders the control messages of m: each cmsghdr (16 bytes:
// length, level, type) and its data, aligned to 8 bytes.
func (r *renderer) appendCmsgs(m rawMsg) {
	const hdr = 16
	buf := m.ctlData
	if m.control == 0 || m.ctlFault || len(buf) < hdr {
		r.b = appendPtr(r.b, m.control)
		return
	}
	le := binary.LittleEndian
	r.b = append(r.b, '[')
	left := uint64(len(buf))
	for off := uint64(0); left >= hdr; {
		p := buf[off:]
		clen := le.Uint64(p)
		level, typ := int32(le.Uint32(p[8:])), int32(le.Uint32(p[12:]))
		if off > 0 {
			r.b = append(r.b, ", "...)
		}
		r.b = append(r.b, "{cmsg_len="...)
		r.b = strconv.AppendUint(r.b, clen, 10)
		r.b = append(r.b, ", cmsg_level="...)
		r.b = appendEnumX(r.b, uint64(uint32(level)), solLevels, "SOL_???", r.style)
		r.b = append(r.b, ", cmsg_type="...)
		l := min(clen, left)
		var data []byte
		if l > hdr {
			data = p[hdr:l]
		}
		r.appendCmsgData(level, typ, data)
		r.b = append(r.b, '}')
		if l < hdr {
			left -= hdr
			break
		}
		step := (clen + 7) &^ 7
		if step >= left {
			left = 0
			break
		}
		off += step
		left -= step
	}
	if left > 0 {
		r.b = append(r.b, ", ..."...)
		r.b = append(r.b, " /* "...)
		r.b = appendHex(r.b, m.control+uint64(len(buf))-left)
		r.b = append(r.b, " */"...)
	} else if uint64(len(buf)) < m.controllen {
		r.b = append(r.b, ", ..."...)
	}
	r.b = append(r.b, ']')
}

// scmTypes are the SOL_SOCKET control message types.
var scmTypes = []nv{{1, "SCM_RIGHTS"}, {2, "SCM_CREDENTIALS"}, {3, "SCM_SECURITY"}, {29, "SO_TIMESTAMP_OLD"}, {35, "SO_TIMESTAMPNS_OLD"}, {37, "SO_TIMESTAMPING_OLD"}}

// appendCmsgData renders a control message's type and data: descriptors
// (SCM_RIGHTS), credentials (SCM_CREDENTIALS), else the bytes in hex.
func (r *renderer) appendCmsgData(level, typ int32, data []byte) {
	le := binary.LittleEndian
	if level != 1 {
		r.b = appendHex0(r.b, uint64(uint32(typ)))
		r.b = append(r.b, ", cmsg_data="...)
		r.b = appendQuotedHex(r.b, data, r.strSize, false)
		return
	}
	r.b = appendEnumX(r.b, uint64(uint32(typ)), scmTypes, "SCM_???", r.style)
	switch typ {
	case 1:
		r.b = append(r.b, ", cmsg_data=["...)
		for k := 0; k+4 <= len(data); k += 4 {
			if k > 0 {
				r.b = append(r.b, ", "...)
			}
			fd := int64(int32(le.Uint32(data[k:])))
			r.b = strconv.AppendInt(r.b, fd, 10)
			r.b = appendFDPath(r.b, r.fds, fd)
		}
		r.b = append(r.b, ']')
	case 2:
		if len(data) < 12 {
			break
		}
		r.b = append(r.b, ", cmsg_data={pid="...)
		r.b = strconv.AppendUint(r.b, uint64(le.Uint32(data)), 10)
		r.b = append(r.b, ", uid="...)
		r.b = strconv.AppendUint(r.b, uint64(le.Uint32(data[4:])), 10)
		r.b = append(r.b, ", gid="...)
		r.b = strconv.AppendUint(r.b, uint64(le.Uint32(data[8:])), 10)
		r.b = append(r.b, '}')
	default:
		if len(data) > 0 {
			r.b = append(r.b, ", cmsg_data="...)
			r.b = appendQuotedHex(r.b, data, r.strSize, false)
		}
	}
}

// msgKind is a msghdr: sendmsg's shown on enter with all its data,
// recvmsg's on exit with the data received (only msg_namelen when the
// call failed).
func msgKind(exit bool) *argKind {
	k := &argKind{copy: event.RawMsghdr, both: exit, print: func(r *renderer, c *rcall, i int) {
		r.sep()
		if !exit {
			p, ok := c.in(i)
			m, mok := parseMsg(p)
			if !ok || !mok {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.appendMsghdr(m, -1, -1)
			return
		}
		in, ok := c.in(i)
		mi, iok := parseMsg(in)
		if !ok || !iok {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		userNamelen := int64(int32(mi.namelen))
		if c.failed() {
			r.b = append(r.b, "{msg_namelen="...)
			r.b = strconv.AppendInt(r.b, userNamelen, 10)
			r.b = append(r.b, '}')
			return
		}
		out, ok := c.out(i)
		m, mok := parseMsg(out)
		if !ok || !mok {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		r.appendMsghdr(m, userNamelen, max(c.ret, 0))
	}}
	if exit {
		k.unit = 1
	}
	return k
}
