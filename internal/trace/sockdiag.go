// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// What -yy adds to a descriptor's path: the device numbers of a device
// file ("/dev/null<char 1:3>") and, for a socket, its protocol and ends
// instead of "socket:[INODE]" ("TCP:[127.0.0.1:40000->127.0.0.1:8080]",
// "UNIX-STREAM:[12345->12346]"), asked of the kernel's socket diagnostics
// (NETLINK_SOCK_DIAG) as strace asks them.

// An fdTable entry with -yy is the path, a NUL, then the detail: a detail
// starting with '<' follows the path (devices), any other replaces it
// (sockets, whose "socket:[INODE]" path is kept to ask again later).

// fdPath returns the path of a table entry.
func fdPath(e string) string {
	if i := strings.IndexByte(e, 0); i >= 0 {
		return e[:i]
	}
	return e
}

// withDetail returns entry path with detail.
func withDetail(path, detail string) string {
	if detail == "" {
		return path
	}
	return path + "\x00" + detail
}

// deviceDetail returns "<char 1:3>" for a character or block device path.
func deviceDetail(path string) string {
	if !strings.HasPrefix(path, "/") {
		return ""
	}
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil {
		return ""
	}
	kind := ""
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		kind = "char"
	case unix.S_IFBLK:
		kind = "block"
	default:
		return ""
	}
	return "<" + kind + " " + strconv.FormatUint(uint64(unix.Major(st.Rdev)), 10) + ":" +
		strconv.FormatUint(uint64(unix.Minor(st.Rdev)), 10) + ">"
}

// socketInode returns the inode of a "socket:[N]" path.
func socketInode(path string) (uint32, bool) {
	s, ok := strings.CutPrefix(path, "socket:[")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(s, "]"), 10, 32)
	return uint32(n), err == nil
}

// sockProtoName returns the kernel's name of the protocol of descriptor fd
// of process pid ("TCP", "UDPv6", "UNIX-STREAM", "NETLINK"), as strace
// reads it.
func sockProtoName(pid, fd int64) string {
	buf := make([]byte, 32)
	n, err := unix.Getxattr("/proc/"+strconv.FormatInt(pid, 10)+"/fd/"+strconv.FormatInt(fd, 10), "system.sockprotoname", buf)
	if err != nil || n <= 0 {
		return ""
	}
	return string(cstr(buf[:n]))
}

// protoOf names the protocol of a socket(2) call's family and type when
// the descriptor has gone before its name could be read.
func protoOf(family, typ uint64) string {
	typ &= 0xf
	switch family {
	case unix.AF_UNIX:
		if typ == unix.SOCK_STREAM {
			return "UNIX-STREAM"
		}
		return "UNIX"
	case unix.AF_INET, unix.AF_INET6:
		name := "RAW"
		switch typ {
		case unix.SOCK_STREAM:
			name = "TCP"
		case unix.SOCK_DGRAM:
			name = "UDP"
		}
		if family == unix.AF_INET6 {
			name += "v6"
		}
		return name
	case unix.AF_NETLINK:
		return "NETLINK"
	}
	return ""
}

// socketDetail returns "PROTO:[...]" for socket inode ino of protocol
// proto with its ends as the kernel has them now, or with only its inode
// when ask is false or the kernel does not list it.
func socketDetail(proto string, ino uint32, ask bool) string {
	if proto == "" {
		return ""
	}
	if ask {
		var ends string
		var ok bool
		switch proto {
		case "TCP", "UDP", "UDPLITE", "TCPv6", "UDPv6", "UDPLITEv6":
			ends, ok = inetEnds(proto, ino)
		case "UNIX", "UNIX-STREAM":
			ends, ok = unixEnds(ino)
		case "NETLINK":
			ends, ok = netlinkEnds(ino)
		}
		if ok {
			return proto + ":[" + ends + "]"
		}
	}
	return proto + ":[" + strconv.FormatUint(uint64(ino), 10) + "]"
}

// diag sends one sock_diag request and returns the payloads of the
// answers.
func diag(req []byte, dump bool) [][]byte {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	flags := uint16(unix.NLM_F_REQUEST)
	if dump {
		flags |= unix.NLM_F_DUMP
	}
	msg := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(req))
	binary.NativeEndian.PutUint32(msg[0:], uint32(unix.NLMSG_HDRLEN+len(req)))
	binary.NativeEndian.PutUint16(msg[4:], 20) // SOCK_DIAG_BY_FAMILY
	binary.NativeEndian.PutUint16(msg[6:], flags)
	binary.NativeEndian.PutUint32(msg[8:], 1)
	msg = append(msg, req...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil
	}
	var out [][]byte
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil || n < unix.NLMSG_HDRLEN {
			return out
		}
		for p := buf[:n]; len(p) >= unix.NLMSG_HDRLEN; {
			l := int(binary.NativeEndian.Uint32(p))
			if l < unix.NLMSG_HDRLEN || l > len(p) {
				break
			}
			switch binary.NativeEndian.Uint16(p[4:]) {
			case unix.NLMSG_DONE, unix.NLMSG_ERROR:
				return out
			}
			out = append(out, append([]byte(nil), p[unix.NLMSG_HDRLEN:l]...))
			p = p[min((l+3)&^3, len(p)):]
		}
		if !dump {
			return out
		}
	}
}

// inetEnds returns "127.0.0.1:40000->127.0.0.1:8080" (or the local end
// alone when there is no peer) for an inet socket, from a dump of every
// socket of its family and protocol.
func inetEnds(proto string, ino uint32) (string, bool) {
	family, size := byte(unix.AF_INET), 4
	if strings.HasSuffix(proto, "v6") {
		family, size = unix.AF_INET6, 16
	}
	ipproto := byte(unix.IPPROTO_TCP)
	switch strings.TrimSuffix(proto, "v6") {
	case "UDP":
		ipproto = unix.IPPROTO_UDP
	case "UDPLITE":
		ipproto = unix.IPPROTO_UDPLITE
	}
	req := make([]byte, 56) // inet_diag_req_v2
	req[0], req[1] = family, ipproto
	binary.NativeEndian.PutUint32(req[4:], ^uint32(0)) // every state
	for _, m := range diag(req, true) {
		if len(m) < 72 || binary.NativeEndian.Uint32(m[68:]) != ino {
			continue
		}
		end := func(port, addr []byte) string {
			a, _ := netip.AddrFromSlice(addr[:size])
			p := strconv.FormatUint(uint64(binary.BigEndian.Uint16(port)), 10)
			if size == 16 {
				return "[" + a.String() + "]:" + p
			}
			return a.String() + ":" + p
		}
		local := end(m[4:6], m[8:24])
		zero := true
		for _, b := range m[24 : 24+size] {
			zero = zero && b == 0
		}
		if zero && binary.BigEndian.Uint16(m[6:8]) == 0 {
			return local, true
		}
		return local + "->" + end(m[6:8], m[24:40]), true
	}
	return "", false
}

// unixEnds returns "INODE->PEER,\"path\"" for a UNIX socket (the peer and
// the path when it has them).
func unixEnds(ino uint32) (string, bool) {
	req := make([]byte, 24) // unix_diag_req
	req[0] = unix.AF_UNIX
	binary.NativeEndian.PutUint32(req[4:], ^uint32(0))
	binary.NativeEndian.PutUint32(req[8:], ino)
	binary.NativeEndian.PutUint32(req[12:], 1|4)        // UDIAG_SHOW_NAME|UDIAG_SHOW_PEER
	binary.NativeEndian.PutUint64(req[16:], ^uint64(0)) // no cookie
	for _, m := range diag(req, false) {
		if len(m) < 16 || binary.NativeEndian.Uint32(m[4:]) != ino {
			continue
		}
		s := strconv.FormatUint(uint64(ino), 10)
		var name []byte
		hasName := false
		for a := m[16:]; len(a) >= 4; {
			l := int(binary.NativeEndian.Uint16(a))
			if l < 4 || l > len(a) {
				break
			}
			switch binary.NativeEndian.Uint16(a[2:]) {
			case 0: // UNIX_DIAG_NAME
				name, hasName = a[4:l], true
			case 2: // UNIX_DIAG_PEER
				if l >= 8 {
					s += "->" + strconv.FormatUint(uint64(binary.NativeEndian.Uint32(a[4:])), 10)
				}
			}
			a = a[min((l+3)&^3, len(a)):]
		}
		if hasName && len(name) > 0 {
			if name[0] == 0 {
				s += ",@" + string(appendQuoted(nil, name[1:], -1))
			} else {
				s += "," + string(appendQuoted(nil, cstr(name), -1))
			}
		}
		return s, true
	}
	return "", false
}

var netlinkProtos = map[byte]string{0: "ROUTE", 2: "USERSOCK", 4: "SOCK_DIAG", 5: "NFLOG", 6: "XFRM", 7: "SELINUX",
	8: "ISCSI", 9: "AUDIT", 10: "FIB_LOOKUP", 11: "CONNECTOR", 12: "NETFILTER", 15: "KOBJECT_UEVENT", 16: "GENERIC"}

// netlinkEnds returns "ROUTE:PORTID" for a bound netlink socket.
func netlinkEnds(ino uint32) (string, bool) {
	req := make([]byte, 20)               // netlink_diag_req
	req[0], req[1] = unix.AF_NETLINK, 255 // NDIAG_PROTO_ALL
	binary.NativeEndian.PutUint32(req[4:], ino)
	binary.NativeEndian.PutUint64(req[12:], ^uint64(0))
	for _, m := range diag(req, true) {
		if len(m) < 28 || binary.NativeEndian.Uint32(m[16:]) != ino {
			continue
		}
		name, ok := netlinkProtos[m[2]]
		if !ok {
			name = strconv.Itoa(int(m[2]))
		}
		return name + ":" + strconv.FormatUint(uint64(binary.NativeEndian.Uint32(m[4:])), 10), true
	}
	return "", false
}

// socketEntry returns the -yy table entry for a new socket descriptor fd
// of process pid with path "socket:[N]": its protocol named from /proc
// (else from the socket(2) arguments given), with its ends when ask is
// set.
func socketEntry(pid, fd int64, path string, family, typ uint64, hasCall, ask bool) string {
	ino, ok := socketInode(path)
	if !ok {
		return path
	}
	proto := sockProtoName(pid, fd)
	if proto == "" && hasCall {
		proto = protoOf(family, typ)
	}
	return withDetail(path, socketDetail(proto, ino, ask))
}

// refreshSocket asks the kernel again for the ends of a socket entry.
func refreshSocket(e string) string {
	i := strings.IndexByte(e, 0)
	if i < 0 {
		return e
	}
	path, detail := e[:i], e[i+1:]
	ino, ok := socketInode(path)
	proto, _, _ := strings.Cut(detail, ":")
	if !ok || proto == "" || strings.HasPrefix(detail, "<") {
		return e
	}
	d := socketDetail(proto, ino, true)
	if strings.HasSuffix(d, ":["+strconv.FormatUint(uint64(ino), 10)+"]") {
		return e // gone: keep what was known
	}
	return withDetail(path, d)
}
