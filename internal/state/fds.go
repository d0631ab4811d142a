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
	if !ok {
		return
	}
	a := readOpenArgs(ev, s.cur.Enter)
	if fd < 0 {
		// As sysdig's parse_dirfd: a relative name under a directory fd
		// makes that directory the event's fd, which a failed open
		// leaves in place (fd.num stays the thread's last fd).
		if a.at && a.dirfd != -100 && a.dirfd != 0xffffff9c && len(a.raw) > 0 && a.raw[0] != '/' {
			if d := t.fds.Get(a.dirfd); d != nil {
				s.cur.FD = d
				s.cur.ownFD = true
			}
		}
		return
	}
	f := &FD{Num: fd, Type: event.FDFile, OpenFlags: uint32(a.flags), Dev: uint32(a.dev)}
	if a.flags&0x400 != 0 { // O_DIRECTORY
		f.Type = event.FDDirectory
	}
	f.Name = s.OpenPath(t, a.dirfd, a.name, a.name == "" && len(a.raw) > 0)
	s.setFD(t, f)
}

// openArgs are the arguments an open's exit is parsed with.
type openArgs struct {
	name  string
	raw   []byte // the name parameter as recorded
	flags uint64
	dev   uint64
	dirfd int64 // -100 (the cwd) for open and creat
	at    bool  // an openat kind, resolved by dirfd
}

// readOpenArgs picks an open's arguments as sysdig's open parser does: from
// the exit's own parameters, except that a paired enter whose name is
// recorded (not empty, not "(NULL)") gives name, flags and directory fd;
// the oldest openat exit has only its fd and takes all three from the
// enter.
func readOpenArgs(ev, enter *event.Event) openArgs {
	a := openArgs{dirfd: -100}
	ni := ev.ParamIndex("name")
	di := ev.ParamIndex("dirfd")
	a.at = di >= 0 || ni < 0
	// the enter's parameters: name, flags (not for creat), dirfd
	var eni, efi, edi int = -1, -1, -1
	var need int
	if enter != nil {
		eni, efi, edi = enter.ParamIndex("name"), enter.ParamIndex("flags"), enter.ParamIndex("dirfd")
		need = max(eni, efi, edi) + 1
	}
	if ni >= 0 {
		a.raw = ev.Param(ni)
		a.name, _ = ev.Str(ni)
		a.flags, _ = ev.Uint(ev.ParamIndex("flags"))
		a.dev, _ = ev.Uint(ev.ParamIndex("dev"))
		if di >= 0 {
			a.dirfd, _ = ev.Int(di)
		}
		if enter == nil || enter.NParams < need || eni < 0 {
			return a
		}
		if raw := enter.Param(eni); len(raw) == 0 || cstr(raw) == "(NULL)" {
			return a
		}
	} else if enter == nil || eni < 0 {
		return a
	}
	a.raw = enter.Param(eni)
	a.name, _ = enter.Str(eni)
	a.flags = 0
	if efi >= 0 {
		a.flags, _ = enter.Uint(efi)
	}
	if edi >= 0 {
		a.dirfd, _ = enter.Int(edi)
	}
	return a
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

// l4FromSocket derives the protocol of a new socket as sysdig's
// add_socket does: TCP, UDP and ICMP by protocol (raw when the type is
// exactly SOCK_RAW), raw for IPPROTO_RAW, TCP or UDP by type only when no
// protocol is given, and unknown otherwise.
func l4FromSocket(typ, proto uint64) uint8 {
	raw := typ == 3
	switch proto {
	case 6:
		if raw {
			return event.L4Raw
		}
		return event.L4TCP
	case 17:
		if raw {
			return event.L4Raw
		}
		return event.L4UDP
	case 1:
		if raw {
			return event.L4Raw
		}
		return event.L4ICMP
	case 255:
		return event.L4Raw
	case 0:
		switch typ & 0xff {
		case 1:
			return event.L4TCP
		case 2:
			return event.L4UDP
		}
	}
	return event.L4Unknown
}

// exitBind follows sysdig's bind exit: a port makes the socket a server of
// the address's family (an IPv4 one for a mapped or unspecified IPv6
// address) with the protocol read from the socket's current layout; without
// a port only the name changes.
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
		f.Name = AppendAddrPort(nil, ip, port)
		if port == 0 {
			return
		}
		u := f.sockUnion()
		l4 := u[12]
		if v6 {
			l4 = u[36]
			if isMapped4(ip) {
				ip, v6 = ip[12:16], false
			}
		}
		f.SIP, f.DIP, f.DPort = [16]byte{}, [16]byte{}, 0
		f.IPv6 = v6
		copy(f.SIP[:], ip)
		f.SPort = port
		if v6 {
			f.Type = event.FDIPv6ServSock
		} else {
			f.Type = event.FDIPv4ServSock
		}
		if f.pendingL4 != event.L4Raw { // a raw socket's protocol stays as socket() left it
			f.L4Proto, f.pendingL4 = l4, l4
		}
		f.Role = RoleServer
	case afUnix:
		f.Name = cstr(addr[1:])
	default:
		f.Name = "family " + strconv.Itoa(int(addr[0]))
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
		if mismatch {
			// sysdig reads the protocol through the other family's view
			// of its address storage, where none is set
			f.pendingL4 = event.L4Unknown
			f.L4Proto = event.L4Unknown
		}
		if f.Type == event.FDIPv4Sock || f.Type == event.FDIPv6Sock {
			f.Name = sockinfoName(f)
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
	t.lastFD = fd // named for the fd fields even when no fd is made
	tup := ev.Param(1)
	if len(tup) == 0 || tup[0] != afInet && tup[0] != afInet6 && tup[0] != afUnix {
		return
	}
	f := &FD{Num: fd, Type: event.FDUnknown, L4Proto: event.L4TCP, pendingL4: event.L4TCP, connected: true}
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

// exitTupleIO updates a socket from the tuple of a successful
// sendto/sendmsg (the enter event's) or recvfrom/recvmsg (the exit's), as
// sysdig's read/write exits do: an fd that has no name yet or is not a
// TCP IPv4 socket takes the tuple's addresses (see updateFromTuple); an
// IP socket without a role gets one by guessing, a receive of a client or
// a send of a server swaps the ends, and the fd is named after them.
func exitTupleIO(s *State, ev *event.Event, t *Thread) {
	f := s.cur.FD
	if f == nil || t == nil {
		return
	}
	if res, _ := ev.Int(0); res < 0 {
		return
	}
	read := ev.Info().Category == event.CatIORead
	var tup []byte
	if read {
		if ti := ev.ParamIndex("tuple"); ti >= 0 {
			tup = ev.Param(ti)
		}
	} else {
		e := s.cur.Enter
		if e == nil {
			return
		}
		if ti := e.ParamIndex("tuple"); ti >= 0 {
			tup = e.Param(ti)
		}
	}
	if f.Name != "" && f.Type == event.FDIPv4Sock && realL4(f) == event.L4TCP {
		return
	}
	if f.pendingL4 == event.L4Raw && f.L4Proto == event.L4Unknown {
		// a raw socket without protocol: sysdig knows no protocol for it
		f.pendingL4 = event.L4Unknown
	}
	if !s.updateFromTuple(f, tup) {
		return
	}
	if f.Type != event.FDIPv4Sock && f.Type != event.FDIPv6Sock {
		if f.Type != event.FDUnixSock {
			f.Name = string(appendTupleText(nil, tup))
		}
		return
	}
	if f.Role == RoleUnknown {
		f.Role = guessRole(t, f, read)
	}
	if f.L4Proto == event.L4Unknown || f.L4Proto == event.L4NA {
		f.L4Proto = realL4(f) // shown once the socket has a role
	}
	if read && f.Role == RoleClient || !read && f.Role == RoleServer {
		f.SIP, f.DIP = f.DIP, f.SIP
		f.SPort, f.DPort = f.DPort, f.SPort
	}
	f.Name = sockinfoName(f)
}

// sockinfoName names an IPv4 socket as sysdig names one an event
// addressed: with ports for TCP and UDP, addresses only for ICMP and raw
// sockets, "<unknown>" for any other protocol. IPv6 sockets take the
// tuple form.
func sockinfoName(f *FD) string {
	if f.Type != event.FDIPv4Sock {
		return socketName(f)
	}
	switch realL4(f) {
	case event.L4TCP, event.L4UDP:
		return socketName(f)
	case event.L4ICMP, event.L4Raw:
		b := AppendIP(nil, f.SrcIP())
		b = append(b, "->"...)
		return string(AppendIP(b, f.DstIP()))
	}
	return "<unknown>"
}

// exitGetsockopt makes the exit's fd argument the event's fd, whatever the
// call returned, as sysdig's getsockopt exit does (its enter event has no
// fd).
func exitGetsockopt(s *State, ev *event.Event, t *Thread) {
	i := ev.ParamIndex("fd")
	if i < 0 {
		return
	}
	fd, ok := ev.Int(i)
	if !ok {
		return
	}
	s.cur.FDNum = fd
	s.cur.FD = t.fds.Get(fd)
	s.cur.ownFD = true
	t.lastFD = fd
}

// realL4 is the protocol sysdig holds for a socket, shown or not.
func realL4(f *FD) uint8 {
	if f.L4Proto != event.L4Unknown && f.L4Proto != event.L4NA {
		return f.L4Proto
	}
	return f.pendingL4
}

// updateFromTuple applies a tuple to f as sysdig's fd update does and
// reports whether the fd changed. An IPv4 tuple (or an IPv6 one of two
// mapped addresses) makes f an IPv4 socket; an IPv4 socket that already
// holds the tuple, either way round, is unchanged; otherwise the source
// is taken and the destination only where none was known. An unbound
// source or destination is then inferred from the interfaces. A unix
// tuple makes f a unix socket named after it.
func (s *State) updateFromTuple(f *FD, tup []byte) bool {
	if len(tup) == 0 {
		return false
	}
	switch tup[0] {
	case afInet, afInet6:
		var sip, dip []byte
		var sport, dport uint16
		v6 := false
		if tup[0] == afInet {
			if len(tup) < 13 {
				return false
			}
			sip, sport, dip, dport = tup[1:5], le16(tup[5:]), tup[7:11], le16(tup[11:])
		} else {
			if len(tup) < 37 {
				return false
			}
			if isMapped4(tup[1:17]) && isMapped4(tup[19:35]) {
				sip, sport, dip, dport = tup[13:17], le16(tup[17:]), tup[31:35], le16(tup[35:])
			} else {
				sip, sport, dip, dport = tup[1:17], le16(tup[17:]), tup[19:35], le16(tup[35:])
				v6 = true
			}
		}
		// sysdig keeps a socket's addresses in a union laid out by the
		// fd's type. An IPv4 tuple (or one of two mapped addresses) makes
		// the fd an IPv4 socket reading what the union held through the
		// IPv4 layout (a server socket's protocol is carried over). An
		// IPv6 tuple is written through the IPv6 layout and the fd keeps
		// its type.
		orig := f.Type
		if !v6 && orig != event.FDIPv4Sock {
			u := f.sockUnion()
			if orig == event.FDIPv4ServSock {
				u[12] = u[6]
			}
			f.setSockUnion(event.FDIPv4Sock, u)
		} else if v6 && orig != event.FDIPv6Sock {
			f.setSockUnion(event.FDIPv6Sock, f.sockUnion())
		}
		n := len(sip)
		if !v6 || orig == event.FDIPv6Sock {
			same := string(f.SIP[:n]) == string(sip) && f.SPort == sport && string(f.DIP[:n]) == string(dip) && f.DPort == dport
			swapped := string(f.SIP[:n]) == string(dip) && f.SPort == dport && string(f.DIP[:n]) == string(sip) && f.DPort == sport
			if same || swapped {
				return false
			}
		}
		changed := false
		if string(f.SIP[:n]) != string(sip) {
			copy(f.SIP[:], sip)
			changed = true
		}
		if f.SPort != sport {
			f.SPort = sport
			changed = true
		}
		if isZero(f.DIP[:n]) {
			copy(f.DIP[:], dip)
			changed = true
		}
		if f.DPort == 0 {
			f.DPort = dport
			changed = true
		}
		if v6 && orig != event.FDIPv6Sock {
			f.restoreType(orig, f.sockUnion())
		}
		if !changed {
			return false
		}
	case afUnix:
		if len(tup) < 17 {
			return false
		}
		f.Type = event.FDUnixSock
		f.UnixSrc = le64(tup[1:])
		f.UnixDst = le64(tup[9:])
		f.Name = string(appendTupleText(nil, tup))
		return true
	}
	// sysdig takes a socket addressed this way for UDP: TCP would have
	// failed to change its address
	if (f.Type == event.FDIPv4Sock || f.Type == event.FDIPv6Sock) && realL4(f) == event.L4Unknown {
		f.pendingL4 = event.L4UDP
	}
	s.inferAddress(f)
	return true
}

// inferAddress fills an unbound end of an IP socket with the address of
// the interface sysdig's interface list names for the other end: the
// same address, else one of its subnet, else the first that is not
// loopback. An end that infers to the other one is left alone when both
// ports are equal too.
func (s *State) inferAddress(f *FD) {
	if f.Type != event.FDIPv4Sock && f.Type != event.FDIPv6Sock {
		return
	}
	n := 4
	if f.Type == event.FDIPv6Sock {
		n = 16
	}
	sz, dz := isZero(f.SIP[:n]), isZero(f.DIP[:n])
	if !sz && !dz {
		return
	}
	known, fill := f.DIP[:n], f.SIP[:n]
	if !sz {
		known, fill = f.SIP[:n], f.DIP[:n]
	}
	addr := s.inferIface(known, n)
	if string(addr) == string(known) && f.SPort == f.DPort {
		return
	}
	copy(fill, addr)
}

// inferIface picks the interface address for a peer address of n bytes.
func (s *State) inferIface(peer []byte, n int) []byte {
	var list [][]byte
	var masks [][]byte
	for _, ifc := range s.ifaces {
		if len(ifc.Addr) == n {
			list = append(list, ifc.Addr)
			masks = append(masks, ifc.Netmask)
		}
	}
	for _, a := range list {
		if string(a) == string(peer) {
			return a
		}
	}
	for i, a := range list {
		if n == 4 {
			m := masks[i]
			if len(m) == 4 && a[0]&m[0] == peer[0]&m[0] && a[1]&m[1] == peer[1]&m[1] &&
				a[2]&m[2] == peer[2]&m[2] && a[3]&m[3] == peer[3]&m[3] {
				return a
			}
		} else if string(a[:8]) == string(peer[:8]) { // the same /64
			return a
		}
	}
	for _, a := range list {
		if n == 4 && string(a) != "\x7f\x00\x00\x01" || n == 16 && string(a) != string(ipv6Loopback[:]) {
			return a
		}
	}
	return make([]byte, n)
}

// guessRole guesses the role of a socket as sysdig does: the process is
// the server when one of its IPv4 sockets holds the destination port, a
// client when none does; when one of its IPv4 connections also uses the
// source port, a receive makes it the server and a send the client.
// sysdig reads the ports through the IPv4 view of the address storage,
// which for an IPv6 socket are bytes of its source address.
func guessRole(t *Thread, f *FD, incoming bool) Role {
	sport, dport := f.SPort, f.DPort
	if f.Type == event.FDIPv6Sock {
		sport = uint16(f.SIP[8]) | uint16(f.SIP[9])<<8
		dport = uint16(f.SIP[10]) | uint16(f.SIP[11])<<8
	}
	bound, client := false, false
	t.fds.Each(func(o *FD) bool {
		switch o.Type {
		case event.FDIPv4Sock:
			if o.DPort == dport {
				bound = true
			}
			if o.SPort == sport {
				client = true
			}
		case event.FDIPv4ServSock:
			if o.SPort == dport {
				bound = true
			}
		}
		return true
	})
	switch {
	case !bound:
		return RoleClient
	case !client:
		return RoleServer
	case incoming:
		return RoleServer
	}
	return RoleClient
}

// sockUnion returns the bytes sysdig keeps for a socket fd in its union of
// socket infos, laid out by the fd's type: an IPv4 connection (source,
// destination, ports, protocol), an IPv6 one, an IPv4 or IPv6 server
// (address, port, protocol) or a unix socket (source, destination).
func (f *FD) sockUnion() (u [40]byte) {
	l4 := realL4(f)
	switch f.Type {
	case event.FDIPv4Sock:
		copy(u[0:4], f.SIP[:4])
		copy(u[4:8], f.DIP[:4])
		put16(u[8:], f.SPort)
		put16(u[10:], f.DPort)
		u[12] = l4
	case event.FDIPv6Sock:
		copy(u[0:16], f.SIP[:])
		copy(u[16:32], f.DIP[:])
		put16(u[32:], f.SPort)
		put16(u[34:], f.DPort)
		u[36] = l4
	case event.FDIPv4ServSock:
		copy(u[0:4], f.SIP[:4])
		put16(u[4:], f.SPort)
		u[6] = l4
	case event.FDIPv6ServSock:
		copy(u[0:16], f.SIP[:])
		put16(u[16:], f.SPort)
		u[18] = l4
	case event.FDUnixSock:
		for i := 0; i < 8; i++ {
			u[i] = byte(f.UnixSrc >> (8 * i))
			u[8+i] = byte(f.UnixDst >> (8 * i))
		}
	}
	return u
}

// setSockUnion makes f an IPv4 or IPv6 socket (typ) holding u read
// through that type's layout.
func (f *FD) setSockUnion(typ event.FDType, u [40]byte) {
	f.Type = typ
	f.SIP, f.DIP = [16]byte{}, [16]byte{}
	switch typ {
	case event.FDIPv4Sock:
		copy(f.SIP[:4], u[0:4])
		copy(f.DIP[:4], u[4:8])
		f.SPort, f.DPort = le16(u[8:]), le16(u[10:])
		f.L4Proto, f.pendingL4 = u[12], u[12]
		f.IPv6 = false
	case event.FDIPv6Sock:
		copy(f.SIP[:], u[0:16])
		copy(f.DIP[:], u[16:32])
		f.SPort, f.DPort = le16(u[32:]), le16(u[34:])
		f.L4Proto, f.pendingL4 = u[36], u[36]
		f.IPv6 = true
	}
}

// restoreType gives f back its type typ after u was written through
// another layout: sockets read u through their own, other fds keep
// nothing of it.
func (f *FD) restoreType(typ event.FDType, u [40]byte) {
	switch typ {
	case event.FDIPv4Sock:
		f.setSockUnion(typ, u)
	case event.FDIPv4ServSock, event.FDIPv6ServSock:
		f.Type = typ
		f.SIP, f.DIP = [16]byte{}, [16]byte{}
		n := 4
		if typ == event.FDIPv6ServSock {
			n = 16
		}
		copy(f.SIP[:n], u[0:n])
		f.SPort, f.DPort = le16(u[n:]), 0
		f.L4Proto, f.pendingL4 = u[n+2], u[n+2]
		f.IPv6 = typ == event.FDIPv6ServSock
	default:
		f.Type = typ
		f.SIP, f.DIP, f.SPort, f.DPort = [16]byte{}, [16]byte{}, 0, 0
		f.IPv6 = false
	}
}

func put16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }

func isMapped(ip []byte) bool {
	return len(ip) == 16 && isZero(ip[:10]) && ip[10] == 0xff && ip[11] == 0xff
}

// isMapped4 is sysdig's test for an IPv4 address in IPv6 form: mapped
// (::ffff:a.b.c.d) or the unspecified address ::.
func isMapped4(ip []byte) bool {
	return isMapped(ip) || len(ip) == 16 && isZero(ip)
}

func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// appendTupleText renders a unix tuple as sysdig names such a socket
// ("source->destination path", the kernel addresses in hex), and a tuple
// of another family as "family N".
func appendTupleText(b, tup []byte) []byte {
	if len(tup) >= 17 && tup[0] == afUnix {
		b = strconv.AppendUint(b, le64(tup[1:]), 16)
		b = append(b, "->"...)
		b = strconv.AppendUint(b, le64(tup[9:]), 16)
		b = append(b, ' ')
		return append(b, cstr(tup[17:])...)
	}
	b = append(b, "family "...)
	return strconv.AppendUint(b, uint64(tup[0]), 10)
}
