// SPDX-License-Identifier: Apache-2.0

package state

import (
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// handler updates the tables for one event type. t is the event's thread;
// it is nil only for internal events of unknown threads (container events).
type handler func(s *State, ev *event.Event, t *Thread)

// handlers is indexed by event type; nil entries need no state change.
var handlers [event.MaxType]handler

// createsThread marks the exit events of clone and its relatives: on the
// child's side the event describes the new thread itself, which is then not
// looked up.
var createsThread [event.MaxType]bool

func on(h handler, names ...string) {
	for _, n := range names {
		for _, typ := range event.ByName(n) {
			handlers[typ] = h
		}
	}
}

// onExit registers h for the exit events of the named syscalls.
func onExit(h handler, names ...string) {
	for _, n := range names {
		for _, typ := range event.ByName(n) {
			if !typ.IsEnter() {
				handlers[typ] = h
			}
		}
	}
}

// onEnter registers h for the enter events of the named syscalls.
func onEnter(h handler, names ...string) {
	for _, n := range names {
		for _, typ := range event.ByName(n) {
			if typ.IsEnter() {
				handlers[typ] = h
			}
		}
	}
}

func init() {
	onExit(exitOpen, "open", "openat", "openat2", "creat", "open_by_handle_at")
	onExit(exitSocket, "socket")
	onExit(exitBind, "bind")
	onEnter(enterConnect, "connect")
	onExit(exitConnect, "connect")
	onExit(exitAccept, "accept")
	onExit(exitClose, "close")
	onExit(exitDup, "dup")
	onExit(exitFcntl, "fcntl")
	onExit(exitPipe, "pipe")
	onExit(exitSocketpair, "socketpair")
	onExit(exitSimpleFD(event.FDEvent), "eventfd")
	onExit(exitSimpleFD(event.FDSignalFD), "signalfd")
	onExit(exitSimpleFD(event.FDTimerFD), "timerfd_create")
	onExit(exitSimpleFD(event.FDInotify), "inotify_init")
	onExit(exitSimpleFD(event.FDEventPoll), "epoll_create")
	onExit(exitSimpleFD(event.FDUnsupported), "userfaultfd")
	onExit(exitTupleIO, "sendto", "sendmsg", "recvfrom", "recvmsg")
	onExit(exitChdir, "chdir")
	onExit(exitFchdir, "fchdir")
	onExit(exitSetuid, "setuid", "setresuid")
	onExit(exitSetgid, "setgid", "setresgid")
	onExit(exitClone, "clone", "fork", "vfork", "clone3")
	for _, n := range []string{"clone", "fork", "vfork", "clone3"} {
		for _, typ := range event.ByName(n) {
			createsThread[typ] = !typ.IsEnter()
		}
	}
	onExit(exitExecve, "execve", "execveat")
	onExit(exitSetsid, "setsid")
	onExit(exitSetpgid, "setpgid")
	onExit(exitChroot, "chroot")
	onExit(exitMem, "brk", "mmap", "mmap2", "munmap")
	on(enterProcExit, "procexit")
	handlers[event.SchedSwitch] = enterSwitch
	on(enterProcInfo, "procinfo")
	on(enterContainerJSON, "container")
}

// Update runs the state machine on ev and sets Cur. ev must stay valid until
// the next call to Update. Events flagged state-only (capture-file dump
// flag) are processed like any other.
func (s *State) Update(ev *event.Event) {
	if s.pendingClose != nil {
		s.pendingClose.del(s.pendingCloseFD)
		s.pendingClose = nil
	}
	if s.pendingX >= 0 {
		s.removeThread(s.pendingX)
		s.pendingX = -1
	}
	c := &s.cur
	c.PrevTS = s.lastTS
	if inf := ev.Info(); inf == nil || inf.Category != event.CatInternal {
		s.lastTS = ev.TS
	}
	c.Event = ev
	c.FD = nil
	c.FDNum = -1
	c.Enter = nil
	c.Latency = 0
	c.Closed = false

	info := ev.Info()
	t := s.threads[ev.TID]
	if info == nil {
		c.Thread = t
		return
	}
	if t == nil {
		if info.Category == event.CatInternal {
			// Internal events (procinfo, ...) describe threads; they do
			// not create them.
			c.Thread = nil
			if h := handlers[ev.Type]; h != nil && ev.Type != event.ProcInfoE {
				h(s, ev, nil)
			}
			return
		}
		if ev.Type == event.SchedSwitch {
			// As in sysdig, a context switch of an unknown thread
			// (often a kernel thread) neither looks it up nor adds it.
			c.Thread = nil
			return
		}
		if !createsThread[ev.Type] {
			t = s.lookupThread(ev.TID)
		}
		if t == nil && (info.Category == event.CatScheduler || info.Flags&event.FlagSkipParseReset != 0) {
			// sysdig does not add a thread for a scheduler event of an
			// unknown tid: it is described for this event only.
			t = newUnknownThread(ev.TID)
			s.Counters.MissingThread++
		}
		if t == nil {
			t = s.addUnknownThread(ev.TID)
			s.Counters.MissingThread++
		}
	}
	c.Thread = t
	if info.Category == event.CatScheduler || info.Category == event.CatInternal || info.Flags&event.FlagSkipParseReset != 0 {
		// Context switches and internal events interleave with syscalls
		// without being part of them: they neither pair nor replace the
		// pending enter event. Like sysdig, they report the latency the
		// thread's last syscall left behind.
		c.Latency = t.lastLatency
		if h := handlers[ev.Type]; h != nil {
			h(s, ev, t)
		}
		return
	}
	enter := ev.Type.IsEnter()
	if !enter && t.hasEnter && t.enter.Type+1 == ev.Type {
		c.Enter = &t.enter
		if ev.TS >= t.enter.TS {
			c.Latency = ev.TS - t.enter.TS
		}
	}
	if enter {
		t.lastFD = -1
		if info.Flags&event.FlagUsesFD != 0 && len(info.Params) > 0 && info.Params[0].Type == event.PTFD {
			if fd, ok := ev.Int(0); ok {
				t.lastFD = fd
			}
		}
	}
	if info.Flags&event.FlagUsesFD != 0 {
		c.FDNum = t.lastFD
		if c.FDNum >= 0 {
			c.FD = t.fds.Get(c.FDNum)
		}
	}
	if h := handlers[ev.Type]; h != nil {
		h(s, ev, t)
	}
	t.lastLatency = c.Latency
	if enter {
		t.saveEnter(ev)
	} else {
		t.hasEnter = false
		t.LastExit = ev.TS
	}
	t.LastTS = ev.TS
}

func (t *Thread) saveEnter(ev *event.Event) {
	t.enterBuf = append(t.enterBuf[:0], ev.Raw...)
	t.enter = *ev
	t.enter.Raw = t.enterBuf
	t.hasEnter = true
}

// lookupThread asks Options.Lookup about an unknown tid and installs what it
// returns (the process's main thread first, when it is unknown too). It
// returns nil when the thread could not be found.
func (s *State) lookupThread(tid int64) *Thread {
	if s.opts.Lookup == nil {
		return nil
	}
	if _, gone := s.negative[tid]; gone {
		return nil
	}
	max := s.opts.MaxLookups
	if max <= 0 {
		max = DefaultMaxLookups
	}
	if s.Counters.Lookups >= uint64(max) {
		s.Counters.LookupsSkipped++
		return nil
	}
	s.Counters.Lookups++
	ths, ok := s.opts.Lookup(tid)
	if !ok || len(ths) == 0 || ths[len(ths)-1].TID != tid {
		s.Counters.LookupsFailed++
		if s.negative == nil || len(s.negative) >= maxNegative {
			s.negative = make(map[int64]struct{})
		}
		s.negative[tid] = struct{}{}
		return nil
	}
	var t *Thread
	for i := range ths {
		st := &ths[i]
		if old := s.threads[st.TID]; old != nil && st.TID != tid {
			continue // the process is known: keep its state
		}
		t = threadFromSnapshot(st)
		if st.TID != st.PID {
			if p := s.threads[st.PID]; p != nil {
				t.fds = p.fds
			}
		}
		s.setContainer(t)
		s.keepThread(t)
	}
	return t
}

func (s *State) addUnknownThread(tid int64) *Thread {
	t := newUnknownThread(tid)
	s.keepThread(t)
	return t
}

// newUnknownThread describes a tid nothing is known about.
func newUnknownThread(tid int64) *Thread {
	return &Thread{TID: tid, PID: tid, PTID: -1, Comm: "<NA>", Exe: "<NA>", fds: newFDTable(), unknown: true,
		UID: 0xffffffff, GID: 0xffffffff, VTID: -1, VPID: -1, LoginUID: -1}
}

func (s *State) keepThread(t *Thread) {
	if s.opts.MaxThreads > 0 && len(s.threads) >= s.opts.MaxThreads {
		s.Counters.DroppedThread++
		return
	}
	s.putThread(t)
}

func (s *State) removeThread(tid int64) {
	if t := s.threads[tid]; t != nil {
		s.dropCount(t.PID)
		delete(s.threads, tid)
		if p := s.threads[t.creator]; p != nil && t.creator != 0 && p.nchilds > 0 {
			p.nchilds--
		}
	}
}

// setFD installs f in t's fd table and makes it the event's fd.
func (s *State) setFD(t *Thread, f *FD) {
	f.OpenTS = s.cur.Event.TS
	t.fds.put(f)
	s.cur.FD = f
	s.cur.FDNum = f.Num
}

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

// ResolvePath resolves name relative to dirfd (-100 = the cwd) of t the way
// sysdig shows it in arguments: absolute names are cleaned; relative ones
// are joined to the directory's name (nothing when dirfd is not known).
func (s *State) ResolvePath(t *Thread, dirfd int64, name string) string {
	return s.resolve(t, dirfd, name, "")
}

// resolve is ResolvePath with the base used when dirfd is not an open fd
// (sysdig names such files "<UNKNOWN>name").
func (s *State) resolve(t *Thread, dirfd int64, name, unknown string) string {
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i] // a C string
	}
	if name == "" {
		return name
	}
	name = pathChars(name)
	if name[0] == '/' {
		return cleanPath(name)
	}
	base := unknown
	if dirfd == -100 || dirfd == 0xffffff9c {
		base = s.Cwd(t)
	} else if t != nil {
		if d := t.fds.Get(dirfd); d != nil {
			base = d.Name + "/"
		}
	}
	if base == "" {
		base = unknown
	}
	return joinPath(base, name)
}

// joinPath appends the relative path name to base as sysdig does: base is
// kept as it is, name's "." and empty components are dropped and each ".."
// removes the last component written so far (never the root); a trailing
// slash is dropped except for the root.
func joinPath(base, name string) string {
	out := make([]byte, 0, len(base)+len(name)+1)
	out = append(out, base...)
	sep := false
	for len(name) > 0 {
		seg := name
		if i := strings.IndexByte(name, '/'); i >= 0 {
			seg, name = name[:i], name[i+1:]
		} else {
			name = ""
		}
		switch seg {
		case "", ".":
		case "..":
			if len(out) == 1 && out[0] == '/' {
				break
			}
			if n := len(out); n > 0 && out[n-1] == '/' {
				out = out[:n-1]
			}
			if i := lastSlash(out); i >= 0 {
				out = out[:i+1]
			} else {
				out = out[:0]
			}
			sep = false
		default:
			if sep {
				out = append(out, '/')
			}
			out = append(out, seg...)
			sep = true
		}
	}
	if n := len(out); n > 1 && out[n-1] == '/' {
		out = out[:n-1]
	}
	return string(out)
}

func lastSlash(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '/' {
			return i
		}
	}
	return -1
}

// Cwd returns the working directory of t's process (threads share it).
func (s *State) Cwd(t *Thread) string {
	if t == nil {
		return ""
	}
	if t.Cwd == "" || t.TID != t.PID {
		if p := s.Process(t); p != nil && p.Cwd != "" {
			return p.Cwd
		}
	}
	return t.Cwd
}

// cleanPath removes "//", "/./" and resolves "/../" without touching the
// file system; a trailing slash is dropped except for the root.
func cleanPath(p string) string {
	clean := true
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.') {
			clean = false
			break
		}
	}
	if clean && (len(p) <= 1 || p[len(p)-1] != '/') {
		return p
	}
	parts := make([]string, 0, 8)
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			seg := p[start:i]
			start = i + 1
			switch seg {
			case "", ".":
			case "..":
				if len(parts) > 0 {
					parts = parts[:len(parts)-1]
				}
			default:
				parts = append(parts, seg)
			}
		}
	}
	n := 1
	for _, x := range parts {
		n += len(x) + 1
	}
	b := make([]byte, 0, n)
	for _, x := range parts {
		b = append(b, '/')
		b = append(b, x...)
	}
	if len(b) == 0 {
		return "/"
	}
	return string(b)
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

func exitAccept(s *State, ev *event.Event, t *Thread) {
	fd, ok := ev.Int(0)
	if !ok || fd < 0 {
		return
	}
	f := &FD{Num: fd, Type: event.FDUnknown, L4Proto: event.L4TCP, pendingL4: event.L4TCP}
	// Inherit the protocol of the listening socket when known.
	if e := s.cur.Enter; e != nil {
		_ = e
	}
	s.applyTuple(f, ev.Param(1), RoleServer)
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
	typ := event.FDUnixSock
	if e := s.cur.Enter; e != nil {
		if d, _ := e.Uint(0); d != afUnix {
			typ = event.FDUnknown
		}
	}
	for i := 1; i <= 2; i++ {
		if fd, ok := ev.Int(i); ok && fd >= 0 {
			s.setFD(t, &FD{Num: fd, Type: typ, UnixSrc: src, UnixDst: peer})
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

func exitChdir(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	if res < 0 {
		return
	}
	p, ok := ev.Str(1)
	if !ok {
		return
	}
	s.setCwd(t, s.ResolvePath(t, -100, p))
}

func exitFchdir(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	if res < 0 || s.cur.FD == nil {
		return
	}
	s.setCwd(t, s.cur.FD.Name)
}

// setCwd sets the cwd of t's whole process.
func (s *State) setCwd(t *Thread, cwd string) {
	cwd = normCwd(cwd)
	t.Cwd = cwd
	if p := s.Process(t); p != nil {
		p.Cwd = cwd
	}
}

func exitSetuid(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	e := s.cur.Enter
	if res < 0 || e == nil {
		return
	}
	idx := 0
	if e.NParams >= 3 { // setresuid: the effective uid
		idx = 1
	}
	if u, ok := e.Uint(idx); ok && uint32(u) != 0xffffffff {
		t.UID = uint32(u)
	}
}

func exitSetgid(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	e := s.cur.Enter
	if res < 0 || e == nil {
		return
	}
	idx := 0
	if e.NParams >= 3 {
		idx = 1
	}
	if g, ok := e.Uint(idx); ok && uint32(g) != 0xffffffff {
		t.GID = uint32(g)
	}
}

func exitSetsid(s *State, ev *event.Event, t *Thread) {
	if res, _ := ev.Int(0); res > 0 {
		t.SID = res
		t.VPGID = res
	}
}

func exitSetpgid(s *State, ev *event.Event, t *Thread) {
	res, _ := ev.Int(0)
	e := s.cur.Enter
	if res < 0 || e == nil {
		return
	}
	pid, _ := e.Int(0)
	pgid, _ := e.Int(1)
	if pid == 0 || pid == t.PID {
		if pgid == 0 {
			pgid = t.PID
		}
		t.VPGID = pgid
	}
}

func exitChroot(s *State, ev *event.Event, t *Thread) {
	if res, _ := ev.Int(0); res == 0 {
		if p, ok := ev.Str(1); ok {
			t.Root = s.ResolvePath(t, -100, p)
		}
	}
}

func exitMem(s *State, ev *event.Event, t *Thread) {
	if i := ev.ParamIndex("vm_size"); i >= 0 {
		v, _ := ev.Uint(i)
		t.VMSizeKB = uint32(v)
		v, _ = ev.Uint(i + 1)
		t.VMRSSKB = uint32(v)
		v, _ = ev.Uint(i + 2)
		t.VMSwapKB = uint32(v)
	}
}

// enterSwitch takes the memory and page-fault counters the scheduler
// event carries for the thread being switched out.
func enterSwitch(s *State, ev *event.Event, t *Thread) {
	if t == nil || ev.NParams < 6 {
		return
	}
	t.PFMajor, _ = ev.Uint(1)
	t.PFMinor, _ = ev.Uint(2)
	v, _ := ev.Uint(3)
	t.VMSizeKB = uint32(v)
	v, _ = ev.Uint(4)
	t.VMRSSKB = uint32(v)
	v, _ = ev.Uint(5)
	t.VMSwapKB = uint32(v)
}

func enterProcExit(s *State, ev *event.Event, t *Thread) {
	if t == nil {
		return
	}
	t.exited = true
	s.pendingX = t.TID
}

func enterProcInfo(s *State, ev *event.Event, t *Thread) {
	if t == nil {
		return
	}
	if t.cpuSeen {
		t.prevCPUUser, t.prevCPUSys = t.CPUUser, t.CPUSys
		t.hasPrevCPU = true
	}
	t.CPUUser, _ = ev.Uint(0)
	t.CPUSys, _ = ev.Uint(1)
	t.cpuSeen = true
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
