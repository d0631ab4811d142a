// SPDX-License-Identifier: Apache-2.0

package state

import "github.com/ferret-observability/ferret/internal/event"

// handler updates the tables for one event type. t is the event's thread;
// it is nil only for internal events of unknown threads (container events).
type handler func(s *State, ev *event.Event, t *Thread)

// handlers is indexed by event type; nil entries need no state change.
var handlers [event.MaxType]handler

// createsThread marks the exit events of clone and its relatives: on the
// child's side the event describes the new thread itself, which is then not
// looked up (the caller's side is, like any other event's thread).
var createsThread [event.MaxType]bool

// childSide tells a clone exit returning in the new thread (result 0).
func childSide(ev *event.Event) bool {
	res, ok := ev.Int(0)
	return ok && res == 0
}

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
	onExit(exitGetsockopt, "getsockopt")
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
	// The handlers that may change a thread's record beyond its
	// descriptors, cwd and pending call (see Changes).
	for _, n := range []string{"setuid", "setresuid", "setgid", "setresgid", "clone", "fork", "vfork", "clone3",
		"execve", "execveat", "setsid", "setpgid", "chroot", "brk", "mmap", "mmap2", "munmap", "procexit",
		"procinfo", "container"} {
		for _, typ := range event.ByName(n) {
			threadHandler[typ] = true
		}
	}
	threadHandler[event.SchedSwitch] = true
}

// threadHandler marks the event types whose handler may change the
// record of the event's thread (after it: a clone's child) beyond its
// descriptors, cwd and pending call.
var threadHandler [event.MaxType]bool

// Update runs the state machine on ev and sets Cur. ev must stay valid until
// the next call to Update. Events flagged state-only (capture-file dump
// flag) are processed like any other. It is Prepare followed by Parse.
func (s *State) Update(ev *event.Event) {
	s.Prepare(ev, false)
	s.Parse()
}

// Steps of an event Prepare left for Parse.
const (
	stepNone    uint8 = iota
	stepHandler       // run the event's handler only
	stepSyscall       // run the handler and end the thread's syscall
)

// Prepare is the first half of Update, what sysdig does before it filters
// an event: it finds (or adds) the event's thread, pairs an exit with the
// thread's last enter, computes the latency and looks up the event's fd.
// Cur then describes the event as a capture filter sees it; Parse or Reject
// must follow before the next event. With filtered set (a capture filter
// evaluates the event), a write exit whose enter was not paired takes its
// thread's last fd as its own, as sysdig's check for tracer writes does.
func (s *State) Prepare(ev *event.Event, filtered bool) {
	if s.pendingClose != nil {
		s.gen++
		s.pendingClose.del(s.pendingCloseFD)
		s.pendingClose = nil
	}
	if s.pendingX >= 0 {
		s.gen++
		if t := s.threads[s.pendingX]; t != nil && t.nchilds == 0 {
			// a main thread whose threads live on stays, as in sysdig
			s.removeThread(s.pendingX)
		}
		s.pendingX = -1
	}
	c := &s.cur
	c.PrevTS = s.lastTS
	if inf := ev.Info(); inf == nil || inf.Category != event.CatInternal {
		s.lastTS = ev.TS
		if s.opts.Alive != nil && (ev.TS >= s.nextSweep || s.nextSweep-ev.TS > 2*SweepNS) {
			// (A clock far ahead of this event's, after a stray
			// timestamp, starts again from this one.)
			s.sweep(ev.TS)
		}
	}
	c.Event = ev
	c.FD = nil
	c.FDNum = -1
	c.ownFD = false
	c.Enter = nil
	c.Latency = 0
	c.Closed = false
	s.step = stepNone
	s.addedNow = nil

	info := ev.Info()
	t := s.lastThread
	if t == nil || s.lastTID != ev.TID {
		t = s.threads[ev.TID]
		s.lastThread, s.lastTID = t, ev.TID
	}
	if t == nil || handlers[ev.Type] != nil {
		// a thread may be added, or the handler change anything
		s.gen++
	}
	if info == nil {
		c.Thread = t
		return
	}
	if containerJSON[ev.Type] {
		// Like sysdig, the metadata event of a container is described by
		// a thread of its own, "container:<id>", never kept in the table.
		c.Thread = s.containerThread(s.addContainerEvent(ev))
		return
	}
	if t == nil && ev.Type == event.EvContainerE {
		// The old container event has no thread of its own: its tid
		// (usually -1) is added as an unknown thread, as sysdig does.
		t = s.addUnknownThread(ev.TID)
		s.Counters.MissingThread++
	}
	if t == nil {
		if info.Category == event.CatInternal {
			// Internal events (procinfo, ...) describe threads; they do
			// not create them.
			c.Thread = nil
			if ev.Type != event.ProcInfoE {
				s.step = stepHandler
			}
			return
		}
		if ev.Type == event.SchedSwitch {
			// As in sysdig, a context switch of an unknown thread
			// (often a kernel thread) neither looks it up nor adds it.
			c.Thread = nil
			return
		}
		if !createsThread[ev.Type] || !childSide(ev) {
			t = s.lookupThread(ev.TID)
		}
		if t == nil && (info.Category == event.CatScheduler || info.Flags&event.FlagSkipParseReset != 0) {
			// sysdig does not add a thread for a scheduler event of an
			// unknown tid: it is described for this event only.
			t = s.passingThread(ev.TID)
			s.Counters.MissingThread++
		}
		if t == nil {
			t = s.addUnknownThread(ev.TID)
			s.addedNow = t
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
		s.step = stepHandler
		return
	}
	s.step = stepSyscall
	enter := ev.Type.IsEnter()
	if enter {
		// As sysdig's reset: every enter starts the thread's latency
		// clock and names its fd, filtered or not.
		t.enterTS = ev.TS
		t.lastFD = -1
		if info.Flags&event.FlagUsesFD != 0 && len(info.Params) > 0 && info.Params[0].Type == event.PTFD {
			if fd, ok := ev.Int(0); ok {
				t.lastFD = fd
			}
		}
		c.ownFD = true
	} else {
		// An exit's latency runs from the thread's last enter, whatever
		// its type; only an exit paired with its own enter has an fd of
		// its own (the fd fields still fall back to the last enter's).
		if t.enterTS != 0 {
			c.Latency = ev.TS - t.enterTS
		}
		if t.hasEnter && t.enter.Type+1 == ev.Type {
			c.Enter = &t.enter
			c.ownFD = true
		}
	}
	t.lastLatency = c.Latency
	if info.Flags&fdFlags != 0 {
		c.FDNum = t.lastFD
		if c.FDNum >= 0 {
			c.FD = t.fds.Get(c.FDNum)
		}
		if info.Flags&event.FlagUsesFD == 0 {
			c.ownFD = false
		} else if filtered && !c.ownFD && ev.Type == writeX {
			c.ownFD = true
		}
	}
}

// fdFlags mark the events whose fd fields name the thread's last fd when
// the event has none of its own (sysdig's extract_fd).
const fdFlags = event.FlagCreatesFD | event.FlagUsesFD | event.FlagDestroysFD

// writeX is the exit of write, the only event sysdig looks at the last fd
// of before filtering it (to tell tracer writes).
var writeX = func() event.Type {
	for _, t := range event.ByName("write") {
		if !t.IsEnter() && t.Info().Flags&event.FlagOldVersion == 0 {
			return t
		}
	}
	return 0
}()

// Parse is the second half of Update: the event's handler updates the
// tables and the thread's pending enter event is replaced or consumed.
func (s *State) Parse() {
	step := s.step
	s.step = stepNone
	if step == stepNone {
		return
	}
	c := &s.cur
	ev, t := c.Event, c.Thread
	h := handlers[ev.Type]
	if step == stepHandler {
		if h != nil {
			h(s, ev, t)
			if threadHandler[ev.Type] {
				s.touchCur()
			}
		}
		return
	}
	if h != nil {
		if c.ownFD {
			h(s, ev, t)
		} else {
			// sysdig's parsers see no fd for an event without one of
			// its own; its fd fields look the thread's last fd up
			// afterwards (which a parser may have named, as accept's).
			c.FD = nil
			h(s, ev, t)
			if !c.ownFD && ev.Info().Flags&fdFlags != 0 {
				c.FDNum = t.lastFD
				if c.FDNum >= 0 {
					c.FD = t.fds.Get(c.FDNum)
				}
			}
		}
		if threadHandler[ev.Type] {
			s.touchCur()
		}
	}
	if ev.Type.IsEnter() {
		t.saveEnter(ev)
	} else {
		t.hasEnter = false
		t.LastExit = ev.TS
		if f := c.FD; f != nil && !f.ioConnected && ev.Info().Flags&(event.FlagReadsFromFD|event.FlagWritesToFD) != 0 {
			markIOConnected(f, ev)
		}
	}
	t.LastTS = ev.TS
}

// touchCur counts a change of the current event's thread, if any, after
// its handler (which may have made it another: a clone's child).
func (s *State) touchCur() {
	if t := s.cur.Thread; t != nil {
		s.touch(t)
	}
}

// markIOConnected counts an IP socket connected once a read or write on it
// succeeded, as sysdig does (a unix socket only by its connect or accept).
func markIOConnected(f *FD, ev *event.Event) {
	if f.Type != event.FDIPv4Sock && f.Type != event.FDIPv6Sock {
		return
	}
	if res, ok := ev.Int(0); ok && res >= 0 {
		f.ioConnected = true
	}
}

// Reject ends an event a capture filter refused between Prepare and Parse:
// it changes no table, and, as in sysdig, its thread forgets its last enter
// event, so the exit that follows a refused enter is not paired with it.
func (s *State) Reject() {
	step := s.step
	s.step = stepNone
	if step == stepSyscall {
		s.cur.Thread.hasEnter = false
	}
}

// OwnFD reports whether the event has an fd of its own (sysdig's event fd,
// which evt.category, evt.buflen, evt.is_syslog and the error counters
// read): an enter's fd argument, the fd of an exit paired with its enter,
// or the fd the event created. FD may still name the thread's last fd for
// the fd fields when OwnFD is false.
func (c *Cur) OwnFD() *FD {
	if c.ownFD {
		return c.FD
	}
	return nil
}

func (t *Thread) saveEnter(ev *event.Event) {
	t.enterBuf = append(t.enterBuf[:0], ev.Raw...)
	t.enter = *ev
	t.enter.Raw = t.enterBuf
	t.hasEnter = true
}

// lookupExePath asks Options.Lookup for the executable path of a known
// thread (within MaxLookups); "" when there is no Lookup or no answer.
func (s *State) lookupExePath(tid int64) string {
	if s.opts.Lookup == nil {
		return ""
	}
	max := s.opts.MaxLookups
	if max <= 0 {
		max = DefaultMaxLookups
	}
	if s.Counters.Lookups >= uint64(max) {
		s.Counters.LookupsSkipped++
		return ""
	}
	s.Counters.Lookups++
	ths, ok := s.opts.Lookup(tid)
	if !ok || len(ths) == 0 || ths[len(ths)-1].TID != tid {
		s.Counters.LookupsFailed++
		return ""
	}
	return ths[len(ths)-1].ExePath
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
		t = threadFromSnapshot(st, nil)
		if st.TID != st.PID {
			if p := s.threads[st.PID]; p != nil {
				t.fds = p.fds
			}
		}
		s.setContainer(t)
		s.keepThread(t)
		s.learnNS(t, false)
	}
	return t
}

func (s *State) addUnknownThread(tid int64) *Thread {
	t := newUnknownThread(tid)
	// a thread made up for a tid counts the threads that name it as
	// their process
	t.nchilds = s.perPID[tid]
	s.takePendingNS(t)
	s.keepThread(t)
	return t
}

// addThread adds a thread an event created: one created with
// CLONE_THREAD counts as a child of its process's main thread, which is
// added unknown when the table does not hold it.
func (s *State) addThread(t *Thread) {
	if s.opts.MaxThreads > 0 && len(s.threads) >= s.opts.MaxThreads {
		s.Counters.DroppedThread++
		return
	}
	s.countChild(t)
	s.putThread(t)
}

// countChild adds t to its main thread's child count when t was created
// with CLONE_THREAD.
func (s *State) countChild(t *Thread) {
	if t.Flags&clThread == 0 || t.TID == t.PID {
		return
	}
	m := s.threads[t.PID]
	if m == nil {
		m = s.addUnknownThread(t.PID)
	}
	m.nchilds++
	s.touch(m)
}

// recountChildren computes every child count afresh from the table.
func (s *State) recountChildren() {
	for _, t := range s.threads {
		t.nchilds = 0
	}
	for _, t := range s.SortedThreads() {
		s.countChild(t)
	}
}

// passingThread describes an unknown tid for the current event only. One
// Thread is reused (scheduler events of unknown tids are frequent), so it
// must not be kept beyond the event.
func (s *State) passingThread(tid int64) *Thread {
	if s.passing == nil {
		s.passing = newUnknownThread(tid)
	}
	fds := s.passing.fds
	if fds.Len() != 0 {
		fds = newFDTable()
	}
	*s.passing = Thread{TID: tid, PID: tid, PTID: -1, Comm: "<NA>", Exe: "<NA>", fds: fds, unknown: true,
		UID: 0xffffffff, GID: 0xffffffff, VTID: -1, VPID: -1, LoginUID: -1, SID: -1, VPGID: -1, FDLimit: -1}
	return s.passing
}

// containerJSON marks the container metadata events that carry JSON.
var containerJSON = func() (m [event.MaxType]bool) {
	for _, t := range event.ByName("container") {
		if t != event.EvContainerE && t.IsEnter() {
			m[t] = true
		}
	}
	return m
}()

// containerThread describes the thread of a container metadata event as
// sysdig builds it: tid and pid -1, virtual ids -2, named container:<id>,
// in that container and otherwise as a new thread (uid 0, no session). One Thread is reused; it is never
// kept in the table.
func (s *State) containerThread(id string) *Thread {
	if s.ctrThread == nil {
		s.ctrThread = &Thread{fds: newFDTable()}
	}
	fds := s.ctrThread.fds
	if fds.Len() != 0 {
		fds = newFDTable()
	}
	*s.ctrThread = Thread{TID: -1, PID: -1, VTID: -2, VPID: -2, SID: -1, VPGID: -1, FDLimit: -1,
		Comm: "container:" + id, fds: fds, ContainerID: id}
	return s.ctrThread
}

// newUnknownThread describes a tid nothing is known about.
func newUnknownThread(tid int64) *Thread {
	return &Thread{TID: tid, PID: tid, PTID: -1, Comm: "<NA>", Exe: "<NA>", fds: newFDTable(), unknown: true,
		UID: 0xffffffff, GID: 0xffffffff, VTID: -1, VPID: -1, LoginUID: -1, SID: -1, VPGID: -1, FDLimit: -1}
}

func (s *State) keepThread(t *Thread) {
	if s.opts.MaxThreads > 0 && len(s.threads) >= s.opts.MaxThreads {
		s.Counters.DroppedThread++
		return
	}
	s.putThread(t)
}

// sweep drops the threads Options.Alive says are gone, among those with no
// event for SweepIdleNS before ts (an exit may still be on its way), and
// schedules the next sweep.
func (s *State) sweep(ts uint64) {
	first := s.nextSweep == 0
	s.nextSweep = ts + SweepNS
	if first {
		return // the table is the snapshot's, just read
	}
	n := 0
	for tid, t := range s.threads {
		if max(t.LastTS, t.CloneTS)+SweepIdleNS > ts || s.opts.Alive(tid) {
			continue
		}
		s.removeThread(tid)
		n++
	}
	if n > 0 {
		s.gen++
		s.Counters.Swept += uint64(n)
	}
}

func (s *State) removeThread(tid int64) {
	t := s.threads[tid]
	if t == nil {
		return
	}
	if t.Flags&clThread != 0 && t.TID != t.PID {
		if m := s.threads[t.PID]; m != nil && m.nchilds > 0 {
			m.nchilds--
			s.touch(m)
		}
	}
	s.dropCount(t.PID)
	delete(s.threads, tid)
	s.sorted = nil
	s.lastThread = nil
	if t.nchilds != 0 {
		// a main thread others counted on: the counts are made again
		s.recountChildren()
		s.changes++
		s.recounted = s.changes
	}
}

// setFD installs f in t's fd table and makes it the event's fd.
func (s *State) setFD(t *Thread, f *FD) {
	f.OpenTS = s.cur.Event.TS
	t.fds.put(f)
	s.cur.FD = f
	s.cur.FDNum = f.Num
	s.cur.ownFD = true
	t.lastFD = f.Num
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
