// SPDX-License-Identifier: Apache-2.0

package state

import (
	"net/netip"
	"strconv"
)

// parseSockAddr decodes an IPv4/IPv6 PT_SOCKADDR (family, address, port).
func parseSockAddr(b []byte) (ip []byte, port uint16, v6, ok bool) {
	switch {
	case len(b) >= 7 && b[0] == afInet:
		return b[1:5], le16(b[5:]), false, true
	case len(b) >= 19 && b[0] == afInet6:
		return b[1:17], le16(b[17:]), true, true
	}
	return nil, 0, false, false
}

// AppendIP appends the text form of a 4- or 16-byte address as sysdig
// prints it (inet_ntop).
func AppendIP(buf, ip []byte) []byte {
	switch len(ip) {
	case 4:
		for i, b := range ip {
			if i > 0 {
				buf = append(buf, '.')
			}
			buf = strconv.AppendUint(buf, uint64(b), 10)
		}
		return buf
	case 16:
		a := netip.AddrFrom16([16]byte(ip))
		if a.Is4In6() {
			buf = append(buf, "::ffff:"...)
			v4 := a.As16()
			return AppendIP(buf, v4[12:])
		}
		return a.AppendTo(buf)
	}
	return buf
}

// AppendAddrPort appends "ip:port".
func AppendAddrPort(buf, ip []byte, port uint16) string {
	buf = AppendIP(buf, ip)
	buf = append(buf, ':')
	buf = strconv.AppendUint(buf, uint64(port), 10)
	return string(buf)
}

// SrcIP returns the client-side address of a socket fd (4 or 16 bytes).
func (f *FD) SrcIP() []byte { return f.SIP[:f.IPLen()] }

// DstIP returns the server-side address of a socket fd (4 or 16 bytes).
func (f *FD) DstIP() []byte { return f.DIP[:f.IPLen()] }

// socketName renders "sip:sport->dip:dport" (or "ip:port" for server
// sockets).
func socketName(f *FD) string {
	var b [128]byte
	buf := AppendIP(b[:0], f.SrcIP())
	buf = append(buf, ':')
	buf = strconv.AppendUint(buf, uint64(f.SPort), 10)
	if f.IsServerSocket() {
		return string(buf)
	}
	buf = append(buf, "->"...)
	buf = AppendIP(buf, f.DstIP())
	buf = append(buf, ':')
	buf = strconv.AppendUint(buf, uint64(f.DPort), 10)
	return string(buf)
}
