// SPDX-License-Identifier: Apache-2.0

package procfs

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/event"
)

// sockInfo is one socket from /proc/net.
type sockInfo struct {
	typ          event.FDType
	proto        uint8
	lip, rip     []byte
	lport, rport uint16
	listen       bool
	unixAddr     uint64
	path         string
}

type sockTable struct {
	byIno     map[uint64]*sockInfo
	listening map[uint16]bool // local ports with a listening TCP socket
}

func readSockTable(proc string) *sockTable {
	t := &sockTable{byIno: map[uint64]*sockInfo{}, listening: map[uint16]bool{}}
	for _, f := range []struct {
		name  string
		v6    bool
		proto uint8
	}{{"tcp", false, event.L4TCP}, {"tcp6", true, event.L4TCP}, {"udp", false, event.L4UDP},
		{"udp6", true, event.L4UDP}, {"raw", false, event.L4Raw}, {"raw6", true, event.L4Raw}} {
		b, err := os.ReadFile(filepath.Join(proc, "net", f.name))
		if err != nil {
			continue
		}
		parseInetTable(t, string(b), f.v6, f.proto)
	}
	if b, err := os.ReadFile(filepath.Join(proc, "net/unix")); err == nil {
		parseUnixTable(t, string(b))
	}
	if b, err := os.ReadFile(filepath.Join(proc, "net/netlink")); err == nil {
		lines := strings.Split(string(b), "\n")
		for _, line := range lines[min(1, len(lines)):] {
			f := strings.Fields(line)
			if len(f) < 10 {
				continue
			}
			if ino, err := strconv.ParseUint(f[9], 10, 64); err == nil {
				t.byIno[ino] = &sockInfo{typ: event.FDNetlink}
			}
		}
	}
	return t
}

// parseHexAddr parses "0100007F:1F90" (IPv4) or the 32-digit IPv6 form of
// /proc/net tables into network-order bytes and a port.
func parseHexAddr(s string, v6 bool) ([]byte, uint16, bool) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, 0, false
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) || (len(raw) == 16) != v6 {
		return nil, 0, false
	}
	// Each 32-bit word is printed in host (little-endian) order.
	out := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		w := binary.BigEndian.Uint32(raw[i:])
		binary.LittleEndian.PutUint32(out[i:], w)
	}
	return out, uint16(port), true
}

func parseInetTable(t *sockTable, s string, v6 bool, proto uint8) {
	lines := strings.Split(s, "\n")
	for _, line := range lines[min(1, len(lines)):] {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		lip, lport, ok1 := parseHexAddr(f[1], v6)
		rip, rport, ok2 := parseHexAddr(f[2], v6)
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if !ok1 || !ok2 || err != nil || ino == 0 {
			continue
		}
		si := &sockInfo{proto: proto, lip: lip, rip: rip, lport: lport, rport: rport}
		si.typ = event.FDIPv4Sock
		if v6 {
			si.typ = event.FDIPv6Sock
		}
		if proto == event.L4TCP && f[3] == "0A" {
			si.listen = true
			t.listening[lport] = true
			if v6 {
				si.typ = event.FDIPv6ServSock
			} else {
				si.typ = event.FDIPv4ServSock
			}
		}
		t.byIno[ino] = si
	}
}

func parseUnixTable(t *sockTable, s string) {
	lines := strings.Split(s, "\n")
	for _, line := range lines[min(1, len(lines)):] {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		addr, _ := strconv.ParseUint(strings.TrimSuffix(f[0], ":"), 16, 64)
		ino, err := strconv.ParseUint(f[6], 10, 64)
		if err != nil {
			continue
		}
		si := &sockInfo{typ: event.FDUnixSock, unixAddr: addr}
		if len(f) >= 8 {
			si.path = f[7]
		}
		t.byIno[ino] = si
	}
}

// bracketNum parses the number in "socket:[1234]".
func bracketNum(s []byte) uint64 {
	i := bytes.IndexByte(s, '[')
	j := bytes.LastIndexByte(s, ']')
	if i < 0 || j <= i {
		return 0
	}
	return parseUint(s[i+1:j], 10)
}

// readFDs reads the fd table of the process of directory pdir (a dirfd);
// socks is called for the socket table the first time a socket is found.
func (sc *scanner) readFDs(pdir int, socksOf func() *sockTable) []event.FD {
	var socks *sockTable
	fdDir := openDirAt(pdir, "fd", dirList)
	if fdDir < 0 {
		return []event.FD{}
	}
	defer closeFD(fdDir)
	nums := sc.numericDirsFD(fdDir)
	infoDir := -2 // fdinfo, opened for the first file
	defer func() { closeFD(infoDir) }()
	out := make([]event.FD, 0, len(nums))
	for _, n := range nums {
		name := strconv.FormatInt(n, 10)
		l, ok := sc.readlink(fdDir, name)
		if !ok {
			continue
		}
		fd := event.FD{Num: n}
		switch {
		case bytes.HasPrefix(l, []byte("socket:[")):
			ino := bracketNum(l)
			fd.Ino = ino
			if socks == nil {
				socks = socksOf()
			}
			si := socks.byIno[ino]
			if si == nil {
				fd.Type = event.FDUnknown
				break
			}
			fillSock(&fd, si, socks)
		case bytes.HasPrefix(l, []byte("pipe:[")):
			fd.Type = event.FDFIFO
			fd.Ino = bracketNum(l)
			fd.Name = string(l)
		case bytes.HasPrefix(l, []byte("anon_inode:")):
			fd.Name = string(l)
			switch string(bytes.Trim(l[len("anon_inode:"):], "[]")) {
			case "eventfd":
				fd.Type = event.FDEvent
			case "signalfd":
				fd.Type = event.FDSignalFD
			case "eventpoll":
				fd.Type = event.FDEventPoll
			case "inotify":
				fd.Type = event.FDInotify
			case "timerfd":
				fd.Type = event.FDTimerFD
			default:
				fd.Type = event.FDUnsupported
			}
		default:
			fd.Name = string(bytes.TrimSuffix(l, []byte(" (deleted)")))
			fd.Type = event.FDFileV2
			var st unix.Stat_t
			if err := unix.Fstatat(fdDir, name, &st, 0); err == nil {
				fd.Ino = st.Ino
				fd.Dev = encodeDev(st.Dev)
				if st.Mode&unix.S_IFMT == unix.S_IFDIR {
					fd.Type = event.FDDirectory
				}
			}
			// Open flags are only kept for files: fdinfo is read for
			// them alone.
			if infoDir == -2 {
				infoDir = openDirAt(pdir, "fdinfo", dirAt)
			}
			if infoDir >= 0 {
				if b, ok := sc.read(infoDir, name); ok {
					if flags, ok := sc.parseFDFlags(b); ok {
						fd.OpenFlags = OpenFlags(flags)
					}
				}
			}
		}
		out = append(out, fd)
	}
	return out
}

func fillSock(fd *event.FD, si *sockInfo, socks *sockTable) {
	fd.Type = si.typ
	switch si.typ {
	case event.FDUnixSock:
		fd.UnixSrc = si.unixAddr
		fd.Name = si.path
		return
	case event.FDNetlink:
		return
	}
	fd.L4Proto = si.proto
	if si.listen {
		fd.SrcIP, fd.SPort = si.lip, si.lport
		return
	}
	// Client side first: a local port that some socket listens on means
	// this end accepted the connection.
	if socks.listening[si.lport] && si.proto == event.L4TCP {
		fd.SrcIP, fd.SPort, fd.DstIP, fd.DPort = si.rip, si.rport, si.lip, si.lport
	} else {
		fd.SrcIP, fd.SPort, fd.DstIP, fd.DPort = si.lip, si.lport, si.rip, si.rport
	}
}

// parseFDFlags returns the octal flags line of an fdinfo file.
func (sc *scanner) parseFDFlags(b []byte) (uint64, bool) {
	for line := range bytes.Lines(b) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if v, ok := bytes.CutPrefix(line, []byte("flags:")); ok {
			n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 8, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// encodeDev converts a kernel st_dev into the encoding capture files use
// (major in bits 8-19, minor in bits 0-7 and 20-31).
func encodeDev(dev uint64) uint32 {
	major := uint32((dev >> 8) & 0xfff)
	minor := uint32((dev & 0xff) | ((dev >> 12) & 0xfff00))
	return (minor & 0xff) | (major << 8) | ((minor &^ 0xff) << 12)
}

// OpenFlags converts native open(2) flags into the portable encoding.
func OpenFlags(f uint64) uint32 {
	var r uint32
	switch f & 3 {
	case 0:
		r = 1
	case 1:
		r = 2
	case 2:
		r = 3
	}
	for _, m := range [...]struct {
		native uint64
		ppm    uint32
	}{{0o100, 0x4}, {0o2000, 0x8}, {0o10000, 0x10}, {0o200, 0x20}, {0o4000, 0x40}, {0o4000000, 0x80},
		{0o1000, 0x100}, {0o40000, 0x200}, {0o200000, 0x400}, {0o100000, 0x800}, {0o2000000, 0x1000}} {
		if f&m.native != 0 {
			r |= m.ppm
		}
	}
	if f&0o20200000 == 0o20200000 {
		r |= 0x2000
	}
	return r
}
