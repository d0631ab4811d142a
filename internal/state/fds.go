// SPDX-License-Identifier: Apache-2.0

package state

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// Handlers of the calls that create, change and close fds: opens,
// sockets and their tuples, dup, fcntl, pipes and the other fd kinds.

func exitOpen(s *State, ev *event.Event, t *Thread) {
	fd, ok := ev.Int(0)
	if !ok || fd < 0 {
		return
	}
	var name string
	var flags uint64
	var dev uint64
	dirfd := int64(-100)
	if ni := ev.ParamIndex("name"); ni >= 0 {
		name, _ = ev.Str(ni)
		flags, _ = ev.Uint(ev.ParamIndex("flags"))
		dev, _ = ev.Uint(ev.ParamIndex("dev"))
		if di := ev.ParamIndex("dirfd"); di >= 0 {
			dirfd, _ = ev.Int(di)
		}
	} else if e := s.cur.Enter; e != nil {
		// Old layouts carry the arguments on the enter event only.
		if ni := e.ParamIndex("name"); ni >= 0 {
			name, _ = e.Str(ni)
		}
		flags, _ = e.Uint(e.ParamIndex("flags"))
		if di := e.ParamIndex("dirfd"); di >= 0 {
			dirfd, _ = e.Int(di)
		}
	}
	f := &FD{Num: fd, Type: event.FDFile, OpenFlags: uint32(flags), Dev: uint32(dev)}
	if flags&0x400 != 0 { // O_DIRECTORY
		f.Type = event.FDDirectory
	}
	f.Name = s.resolve(t, dirfd, name, "<UNKNOWN>")
	s.setFD(t, f)
}

var ipv6Loopback = [16]byte{15: 1}

const (
	afUnix    = 1
	afInet    = 2
	afInet6   = 10
	afNetlink = 16
)

func exitSocket(s *State, ev *event.Event, t *Thread) {
	fd, ok := ev.Int(0)
	if !ok || fd < 0 {
		return
	}
	f := &FD{Num: fd, Type: event.FDUnknown}
	if e := s.cur.Enter; e != nil {
		dom, _ := e.Uint(0)
		typ, _ := e.Uint(1)
		proto, _ := e.Uint(2)
		switch dom {
		case afUnix:
			f.Type = event.FDUnixSock
		case afInet:
			f.Type = event.FDIPv4Sock
		case afInet6:
			f.Type = event.FDIPv6Sock
			f.IPv6 = true
		case afNetlink:
			f.Type = event.FDNetlink
		default:
			// sysdig keeps sockets of other families as unsupported fds
			// ("o", no fd.type)
			f.Type = event.FDUnsupported
		}
		f.pendingL4 = l4FromSocket(typ, proto)
		if f.pendingL4 == event.L4Raw && proto != 0 && f.Type != event.FDUnixSock {
			f.L4Proto = event.L4Raw // known from the start, unlike TCP/UDP
		}
	}
	s.setFD(t, f)
}

// l4FromSocket derives the protocol of a new socket as sysdig does: raw
// for a raw socket with a protocol, then by protocol, then TCP/UDP by type.
func l4FromSocket(typ, proto uint64) uint8 {
	if typ&0xf == 3 {
		return event.L4Raw
	}
	switch proto {
	case 6:
		return event.L4TCP
	case 17:
		return event.L4UDP
	case 1, 58:
		return event.L4ICMP
	}
	switch typ & 0xf {
	case 1:
		return event.L4TCP
	case 2:
		return event.L4UDP
	case 3:
		return event.L4Raw
	}
	return event.L4Unknown
}

func exitBind(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	f := s.cur.FD
	if res < 0 || f == nil {
		return
	}
	addr := ev.Param(1)
	if len(addr) < 1 {
		return
	}
	switch addr[0] {
	case afInet, afInet6:
		ip, port, v6, ok := parseSockAddr(addr)
		if !ok {
			return
		}
		f.IPv6 = v6
		copy(f.SIP[:], ip)
		f.SPort = port
		f.Name = AppendAddrPort(nil, ip, port)
		if port != 0 {
			if v6 {
				f.Type = event.FDIPv6ServSock
			} else {
				f.Type = event.FDIPv4ServSock
			}
			if f.pendingL4 != event.L4Raw { // a raw socket's protocol stays as socket() left it
				f.L4Proto = f.pendingL4
			}
			f.Role = RoleServer
		}
	case afUnix:
		f.Type = event.FDUnixSock
		f.Name = cstr(addr[1:])
	}
}

func enterConnect(s *State, ev *event.Event, t *Thread) {
	f := s.cur.FD
	addr := ev.Param(1)
	if f == nil || len(addr) < 1 {
		return
	}
	switch addr[0] {
	case afInet, afInet6:
		ip, port, v6, ok := parseSockAddr(addr)
		if !ok {
			return
		}
		// Only the family is taken here; addresses, protocol and name
		// come with the exit's tuple.
		_, _ = ip, port
		if f.Type == event.FDIPv4Sock && v6 || f.Type == event.FDIPv6Sock && !v6 {
			f.otherFam = true
		}
		if v6 {
			f.Type = event.FDIPv6Sock
		} else {
			f.Type = event.FDIPv4Sock
		}
		f.IPv6 = v6
	case afUnix:
		f.Name = cstr(addr[1:])
	}
}

func exitConnect(s *State, ev *event.Event, t *Thread) {
	f := s.cur.FD
	if f == nil {
		return
	}
	res, _ := ev.Int(0)
	tup := ev.Param(1)
	if res < 0 && res != -115 { // EINPROGRESS
		return
	}
	if f.connected {
		return
	}
	// sysdig cannot name a connection of a raw socket, nor one whose
	// tuple is of another family than the socket: "<unknown>", no protocol.
	mismatch := f.otherFam || len(tup) > 0 && (f.Type == event.FDIPv4Sock && tup[0] == afInet6 || f.Type == event.FDIPv6Sock && tup[0] == afInet)
	if s.applyTuple(f, tup, RoleClient) {
		f.connected = true
		if mismatch || f.pendingL4 == event.L4Raw {
			f.Name = "<unknown>"
			f.L4Proto = event.L4Unknown
		}
	}
}

// applyTuple copies a PT_SOCKTUPLE into f.
func (s *State) applyTuple(f *FD, tup []byte, role Role) bool {
	if len(tup) < 1 {
		return false
	}
	switch tup[0] {
	case afInet:
		if len(tup) < 13 {
			return false
		}
		if f.Type != event.FDIPv4ServSock {
			f.Type = event.FDIPv4Sock
		}
		f.IPv6 = false
		f.SIP, f.DIP = [16]byte{}, [16]byte{}
		copy(f.SIP[:4], tup[1:5])
		f.SPort = le16(tup[5:])
		copy(f.DIP[:4], tup[7:11])
		f.DPort = le16(tup[11:])
	case afInet6:
		if len(tup) < 37 {
			return false
		}
		if f.Type != event.FDIPv6ServSock {
			f.Type = event.FDIPv6Sock
		}
		f.IPv6 = true
		copy(f.SIP[:], tup[1:17])
		f.SPort = le16(tup[17:])
		copy(f.DIP[:], tup[19:35])
		f.DPort = le16(tup[35:])
		// An unbound source towards the loopback address is the loopback
		// address itself.
		if f.SIP == ([16]byte{}) && f.DIP == ipv6Loopback {
			f.SIP = ipv6Loopback
		}
	case afUnix:
		if len(tup) < 17 {
			return false
		}
		f.Type = event.FDUnixSock
		f.UnixSrc = le64(tup[1:])
		f.UnixDst = le64(tup[9:])
		// named as sysdig names a unix socket an event addressed:
		// "source->destination path", the kernel addresses in hex
		name := strconv.AppendUint(make([]byte, 0, 40), f.UnixSrc, 16)
		name = append(name, "->"...)
		name = strconv.AppendUint(name, f.UnixDst, 16)
		name = append(name, ' ')
		f.Name = string(append(name, cstr(tup[17:])...))
		f.Role = role
		return true
	default:
		return false
	}
	if f.L4Proto == event.L4Unknown {
		f.L4Proto = f.pendingL4
	}
	f.Role = role
	f.Name = socketName(f)
	return true
}

// exitAccept adds the accepted connection. As in sysdig, an accept
// without a tuple or with a tuple of a family sysdig does not track leaves
// the fd table as it was.
func exitAccept(s *State, ev *event.Event, t *Thread) {
	fd, ok := ev.Int(0)
	if !ok || fd < 0 {
		return
	}
	tup := ev.Param(1)
	if len(tup) == 0 || tup[0] != afInet && tup[0] != afInet6 && tup[0] != afUnix {
		return
	}
	f := &FD{Num: fd, Type: event.FDUnknown, L4Proto: event.L4TCP, pendingL4: event.L4TCP}
	s.applyTuple(f, tup, RoleServer)
	s.setFD(t, f)
}

// exitClose removes the fd when the next event arrives, as sysdig does: the
// close exit itself still sees the fd in the table.
func exitClose(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	if s.cur.FD != nil {
		s.cur.ClosedFD = *s.cur.FD
		s.cur.Closed = true
	}
	if res >= 0 && s.cur.FDNum >= 0 && s.cur.FD != nil {
		s.pendingClose = t.fds
		s.pendingCloseFD = s.cur.FDNum
	}
}

func (s *State) dupTo(t *Thread, oldfd, newfd int64) {
	if newfd < 0 {
		return
	}
	old := t.fds.Get(oldfd)
	if old == nil {
		s.Counters.MissingFD++
		t.fds.del(newfd)
		return
	}
	nf := *old
	nf.Num = newfd
	s.setFD(t, &nf)
	nf.OpenTS = old.OpenTS
}

func exitDup(s *State, ev *event.Event, t *Thread) {
	res, ok := ev.Int(0)
	if !ok || res < 0 {
		return
	}
	old := s.cur.FDNum
	if oi := ev.ParamIndex("oldfd"); oi >= 0 {
		old, _ = ev.Int(oi)
	}
	s.dupTo(t, old, res)
}

func exitFcntl(s *State, ev *event.Event, t *Thread) {
	res, ok := ev.Int(0)
	e := s.cur.Enter
	if !ok || res < 0 || e == nil {
		return
	}
	cmd, _ := e.Uint(1)
	if cmd == 1 || cmd == 0x1a { // F_DUPFD, F_DUPFD_CLOEXEC
		s.dupTo(t, s.cur.FDNum, res)
	}
}

func exitPipe(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	if res < 0 {
		return
	}
	ino, _ := ev.Uint(3)
	for i := 1; i <= 2; i++ {
		if fd, ok := ev.Int(i); ok && fd >= 0 {
			s.setFD(t, &FD{Num: fd, Type: event.FDFIFO, Ino: ino})
		}
	}
}

func exitSocketpair(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	if res < 0 {
		return
	}
	src, _ := ev.Uint(3)
	peer, _ := ev.Uint(4)
	// sysdig takes both ends for unix sockets whatever the domain
	for i := 1; i <= 2; i++ {
		if fd, ok := ev.Int(i); ok && fd >= 0 {
			s.setFD(t, &FD{Num: fd, Type: event.FDUnixSock, UnixSrc: src, UnixDst: peer})
		}
	}
}

func exitSimpleFD(typ event.FDType) handler {
	return func(s *State, ev *event.Event, t *Thread) {
		fd, ok := ev.Int(0)
		if !ok || fd < 0 {
			return
		}
		s.setFD(t, &FD{Num: fd, Type: typ})
	}
}

// exitTupleIO records the peer of unconnected datagram sockets from the
// tuple argument of sendto/recvfrom-like events.
func exitTupleIO(s *State, ev *event.Event, t *Thread) {
	f := s.cur.FD
	if f == nil || !f.IsSocket() || f.IsServerSocket() || f.Name != "" {
		return
	}
	var tup []byte
	if ti := ev.ParamIndex("tuple"); ti >= 0 {
		tup = ev.Param(ti)
	} else if e := s.cur.Enter; e != nil {
		if ti := e.ParamIndex("tuple"); ti >= 0 {
			tup = e.Param(ti)
		}
	}
	if len(tup) == 0 {
		return
	}
	role := RoleClient
	if ev.Info().Category == event.CatIORead && !ev.Type.IsEnter() {
		role = RoleServer
	}
	if f.pendingL4 == event.L4Raw && f.L4Proto == event.L4Unknown {
		f.pendingL4 = event.L4Unknown // a raw socket without protocol
	}
	if s.applyTuple(f, tup, role) && f.L4Proto == event.L4Unknown && f.Type != event.FDUnixSock {
		// addressed by a datagram call: sysdig takes it for UDP
		f.L4Proto = event.L4UDP
	}
}
