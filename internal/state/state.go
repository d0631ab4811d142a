// SPDX-License-Identifier: Apache-2.0

package state

import (
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// State holds the tables and the context of the current event. It is not
// safe for concurrent use.
type State struct {
	passing   *Thread // reused description of unknown tids of scheduler events
	ctrThread *Thread // reused thread of container metadata events
	opts      Options
	machine   event.Machine
	threads   map[int64]*Thread
	// lastThread is the thread of tid lastTID in threads, the one the
	// previous event looked up (nil: none); every change of threads
	// clears it. Consecutive events are mostly one thread's enter and
	// exit.
	lastThread *Thread
	lastTID    int64
	perPID     map[int64]int // number of threads per pid
	users      map[uint32]*event.User
	groups     map[uint32]*event.Group
	ifaces     []event.Interface
	mounts     []event.Mount // own namespace's; nil: unknown
	ownNS      uint64
	nsMounts   map[uint64][]event.Mount // other namespaces' tables
	mountGen   uint64
	nsLog      []event.MountNSRecord
	nsPart     *event.MountNSRecord // table being read from a file's parts
	pendingNS  map[int64]uint64     // file assignments of threads not seen yet
	gen        uint64               // see Gen
	// changes counts the changes of threads (see Changes); recounted is
	// its value when every child count was last made afresh.
	changes, recounted uint64
	// sorted holds the threads by tid as SortedThreads returns them; nil
	// after any change of threads.
	sorted     []*Thread
	containers map[string]*Container
	// containerLog lists containers in the order they were added.
	containerLog []*Container
	// Last container looked up by id (Container).
	lastCtrID string
	lastCtr   *Container

	cur      Cur
	addedNow *Thread // the unknown thread Prepare added for the current event, if any
	step     uint8   // what Parse has left to do for cur (after Prepare)
	lastTS   uint64
	pendingX int64 // tid whose removal is deferred to the next Update (procexit)
	// fd closed by the previous event, removed at the next Update.
	pendingClose   *FDTable
	pendingCloseFD int64
	// tids whose lookup failed, not asked about again
	negative map[int64]struct{}
	// nextSweep is the event time of the next thread sweep (Options.Alive).
	nextSweep uint64

	// Counters of conditions the state machine could not handle.
	Counters Counters
}

// Counters count state-machine anomalies (hot-path failures).
type Counters struct {
	MissingThread  uint64 // events of a tid not in the table (thread created on the fly)
	MissingFD      uint64 // fd operations on an unknown fd
	BadParams      uint64 // events whose parameters were malformed
	DroppedThread  uint64 // threads not kept because of MaxThreads
	Lookups        uint64 // unknown threads looked up (Options.Lookup)
	LookupsFailed  uint64 // ... of which were gone
	LookupsSkipped uint64 // unknown threads not looked up (MaxLookups reached)
	MountNSLookups uint64 // mount namespaces of pending threads looked up (Options.MountNS)
	MountNSFailed  uint64 // ... of which could not be read
	Swept          uint64 // threads dropped because they were gone (Options.Alive) with no exit seen
}

// WriteLookups says how many threads unknown to the start-up snapshot were
// read from /proc on their first event, when there were any.
func (c Counters) WriteLookups(w io.Writer) {
	if c.Lookups == 0 && c.LookupsSkipped == 0 {
		return
	}
	fmt.Fprintf(w, "Threads looked up in /proc: %d (%d gone, %d over the limit)\n", c.Lookups, c.LookupsFailed, c.LookupsSkipped)
}

// New returns an empty State.
func New(opts Options) *State {
	s := &State{opts: opts, pendingX: -1}
	s.reset()
	return s
}

func (s *State) reset() {
	s.threads = make(map[int64]*Thread)
	s.sorted = nil
	s.lastThread = nil
	s.perPID = make(map[int64]int)
	s.users = make(map[uint32]*event.User)
	s.groups = make(map[uint32]*event.Group)
	s.containers = make(map[string]*Container)
	s.containerLog = nil
	s.lastCtrID, s.lastCtr = "", nil
	s.ifaces = nil
	s.setMounts(nil)
	s.cur = Cur{FDNum: -1}
	s.pendingX = -1
	s.pendingClose = nil
	s.negative = nil
	s.nextSweep = 0
}

// Load replaces every table with the content of snap, as at the start of a
// capture or of a new capture-file section. A nil snap empties the tables.
func (s *State) Load(snap *event.Snapshot) {
	s.gen++
	s.reset()
	s.lastTS = 0
	if snap == nil {
		return
	}
	s.machine = snap.Machine
	s.ifaces = append([]event.Interface(nil), snap.Interfaces...)
	s.setMounts(snap)
	for i := range snap.Users {
		u := snap.Users[i]
		s.users[u.UID] = &u
	}
	for i := range snap.Groups {
		g := snap.Groups[i]
		s.groups[g.GID] = &g
	}
	// Main threads first so that secondary threads can share their tables.
	for pass := 0; pass < 2; pass++ {
		for i := range snap.Threads {
			st := &snap.Threads[i]
			main := st.TID == st.PID
			if (pass == 0) != main {
				continue
			}
			var p *Thread
			if !main {
				p = s.threads[st.PID]
			}
			s.putThread(threadFromSnapshot(st, p))
		}
	}
	for _, raw := range snap.Containers {
		s.AddContainerJSON(raw)
	}
	for _, t := range s.SortedThreads() {
		s.setContainer(t)
	}
	// the child counts of the process table's threads, from their clone
	// flags (a main thread not listed is added unknown)
	for _, t := range s.SortedThreads() {
		s.countChild(t)
	}
	s.orientSnapshotSockets()
}

// orientSnapshotSockets completes the IPv4 sockets of the snapshot as
// sysdig does when it loads them (before the interface list, so unbound
// ends stay unbound): a socket whose source port some server socket of the
// capture listens on is the server end, so its two ends are swapped
// (the snapshot stores the local end first); every other one is a
// client. IPv6 sockets keep the snapshot's order and no role, so their
// protocol is not shown.
func (s *State) orientSnapshotSockets() {
	listening := make(map[uint16]bool)
	for _, t := range s.threads {
		t.fds.Each(func(f *FD) bool {
			if f.IsServerSocket() {
				listening[f.SPort] = true
			}
			return true
		})
	}
	seen := make(map[*FDTable]bool)
	for _, t := range s.threads {
		if seen[t.fds] {
			continue
		}
		seen[t.fds] = true
		t.fds.Each(func(f *FD) bool {
			if f.Type == event.FDIPv6Sock && f.Role == RoleUnknown && f.L4Proto != event.L4Raw {
				// without a role sysdig shows no protocol (until an
				// event gives the socket one)
				f.pendingL4, f.L4Proto = f.L4Proto, event.L4Unknown
			}
			if f.Type != event.FDIPv4Sock || f.Role != RoleUnknown {
				return true
			}
			f.Role = RoleClient
			if listening[f.SPort] {
				f.SIP, f.DIP = f.DIP, f.SIP
				f.SPort, f.DPort = f.DPort, f.SPort
				f.Role = RoleServer
			}
			if f.synthName {
				f.Name = socketName(f)
			}
			return true
		})
	}
}

// threadFromSnapshot builds a thread of the process table. As in
// sysdig's threadinfo init, only a main thread takes the cwd: the cwd is
// kept on a process's main thread (see Cwd), a secondary thread's own stays
// empty.
// threadFromSnapshot makes the thread of a snapshot entry. proc is the
// main thread of a secondary thread's process (nil when there is none or
// st is a main thread): lists equal to its own are shared with it instead
// of copied (a machine's threads mostly carry their process's), and, as
// in sysdig, a thread created with CLONE_FILES uses its fd table;
// otherwise the fds listed for it are its own.
func threadFromSnapshot(st *event.Thread, proc *Thread) *Thread {
	cwd := ""
	if st.TID == st.PID {
		cwd = normCwd(st.Cwd)
	}
	var args, env, cgroups []string
	if proc != nil {
		args, env, cgroups = proc.Args, proc.Env, proc.Cgroups
	}
	t := &Thread{
		TID: st.TID, PID: st.PID, PTID: st.PTID, SID: st.SID, VPGID: st.VPGID,
		VTID: st.VTID, VPID: st.VPID,
		Comm: st.Comm, Exe: st.Exe, ExePath: st.ExePath,
		Args:    shareList(st.Args, args),
		Env:     shareList(st.Env, env),
		Cgroups: shareList(cgroupList(st.Cgroups), cgroups),
		Cwd:     cwd, Root: st.Root, FDLimit: st.FDLimit, Flags: st.Flags,
		UID: st.UID, GID: st.GID, LoginUID: st.LoginUID, ExeWritable: st.ExeWritable,
		VMSizeKB: st.VMSizeKB, VMRSSKB: st.VMRSSKB, VMSwapKB: st.VMSwapKB,
		PFMajor: st.PFMajor, PFMinor: st.PFMinor, MntNS: st.MntNS,
	}
	if proc != nil && st.Flags&clFiles != 0 {
		t.fds = proc.fds
		return t
	}
	t.fds = newFDTable()
	for i := range st.FDs {
		t.fds.put(fdFromSnapshot(&st.FDs[i]))
	}
	return t
}

// shareList returns have when it holds the same items as list, else a
// copy of list (lists are replaced, never changed in place, so threads
// may share them).
func shareList(list, have []string) []string {
	if len(list) == len(have) && slices.Equal(list, have) {
		return have
	}
	return append([]string(nil), list...)
}

func fdFromSnapshot(sf *event.FD) *FD {
	f := &FD{Num: sf.Num, Type: sf.Type, Name: dropNonPrint(sf.Name), OpenFlags: sf.OpenFlags,
		Dev: sf.Dev, Ino: sf.Ino, SPort: sf.SPort, DPort: sf.DPort, L4Proto: sf.L4Proto,
		UnixSrc: sf.UnixSrc, UnixDst: sf.UnixDst}
	if f.Type == event.FDFileV2 {
		f.Type = event.FDFile
	}
	switch f.Type {
	case event.FDIPv6Sock, event.FDIPv6ServSock:
		f.IPv6 = true
	}
	copy(f.SIP[:], sf.SrcIP)
	copy(f.DIP[:], sf.DstIP)
	if f.Type == event.FDUnixSock {
		// As sysdig: a unix socket of the table is the client end when it
		// has no path, the server end when it has one.
		f.Role = RoleClient
		if sf.Name != "" {
			f.Role = RoleServer
		}
	}
	if f.Type == event.FDIPv6Sock && isMapped4(f.SIP[:]) && isMapped4(f.DIP[:]) {
		// IPv4-mapped (or unspecified) ends: sysdig loads an IPv4 socket
		f.Type, f.IPv6 = event.FDIPv4Sock, false
		var sip, dip [16]byte
		copy(sip[:], f.SIP[12:16])
		copy(dip[:], f.DIP[12:16])
		f.SIP, f.DIP = sip, dip
	}
	if f.IsSocket() && f.Name == "" {
		f.Name = socketName(f)
		f.synthName = true
	}
	return f
}

func normCwd(c string) string {
	if c == "" {
		return "/"
	}
	c = pathChars(c)
	if c[0] == '/' {
		c = cleanPath(c)
	}
	if !strings.HasSuffix(c, "/") {
		c += "/"
	}
	return c
}

// Machine returns the machine description of the capture.
func (s *State) Machine() event.Machine { return s.machine }

// Gen returns a number that changes whenever the state may have changed:
// at every event whose type the state machine handles, every thread added
// or removed, every load and container added. Between two events that
// leave it unchanged, every thread, process, user, group and container
// reads the same (a reader can skip computing again what only depends on
// them).
func (s *State) Gen() uint64 { return s.gen }

// Changes returns a number that grows whenever a thread is added or one
// of its fields may have changed: a reader remembers it and later asks
// each thread whether it changed since (Thread.ChangedSince), and the
// state whether every child count was made again since (RecountedSince).
// Thread changes are counted for the event's thread when its handler
// may change more than its descriptors, cwd and pending call (clone,
// execve, the id calls, memory calls, procexit, procinfo, context
// switches...), its main thread when an event changes that (memory
// figures, cwd, child counts), a clone's child and every thread added;
// removed threads leave the table (ThreadsByTID), their main thread
// counting as changed. Descriptor calls (open, close, socket...) count
// no change.
func (s *State) Changes() uint64 { return s.changes }

// RecountedSince reports whether the child counts of all threads were
// made afresh since the change count was n (a main thread others
// counted on left the table).
func (s *State) RecountedSince(n uint64) bool { return s.recounted > n }

// touch counts a change of t.
func (s *State) touch(t *Thread) {
	s.changes++
	t.mod = s.changes
}

// Cur returns the context of the event last passed to Update. The pointer
// stays the same for the lifetime of the State.
func (s *State) Cur() *Cur { return &s.cur }

// Thread returns the thread tid, or nil.
func (s *State) Thread(tid int64) *Thread { return s.threads[tid] }

// Process returns the main thread of t's process (t itself when it is the
// main thread), or nil when unknown.
func (s *State) Process(t *Thread) *Thread {
	if t == nil {
		return nil
	}
	if t.TID == t.PID {
		return t
	}
	return s.threads[t.PID]
}

// Parent returns the process that created t's process (via its main
// thread's ptid), or nil.
func (s *State) Parent(t *Thread) *Thread {
	p := s.Process(t)
	if p == nil {
		p = t
	}
	if p == nil || p.PTID <= 0 || p.PTID == p.TID {
		return nil
	}
	pt := s.threads[p.PTID]
	if pt == nil {
		return nil
	}
	return s.Process(pt)
}

// Ancestor returns the n-th ancestor process of t (0 = t's own process,
// 1 = its parent, ...), or nil.
func (s *State) Ancestor(t *Thread, n int) *Thread {
	p := s.Process(t)
	if p == nil {
		p = t
	}
	for i := 0; i < n && p != nil; i++ {
		p = s.Parent(p)
	}
	return p
}

// ThreadsOf returns how many threads of process pid the table holds.
func (s *State) ThreadsOf(pid int64) int { return s.perPID[pid] }

// putThread inserts or replaces t, keeping the per-process counts.
func (s *State) putThread(t *Thread) {
	if old := s.threads[t.TID]; old != nil {
		s.dropCount(old.PID)
	}
	s.threads[t.TID] = t
	s.touch(t)
	s.sorted = nil
	s.lastThread = nil
	s.perPID[t.PID]++
}

func (s *State) dropCount(pid int64) {
	if n := s.perPID[pid]; n > 1 {
		s.perPID[pid] = n - 1
	} else {
		delete(s.perPID, pid)
	}
}

// setPID changes the pid of t, keeping the per-process counts.
func (s *State) setPID(t *Thread, pid int64) {
	if s.threads[t.TID] == t {
		s.dropCount(t.PID)
		s.perPID[pid]++
	}
	t.PID = pid
	s.touch(t)
}

// NumThreads returns the size of the thread table.
func (s *State) NumThreads() int { return len(s.threads) }

// Threads calls fn for every thread in unspecified order until fn returns
// false.
func (s *State) Threads(fn func(*Thread) bool) {
	for _, t := range s.threads {
		if !fn(t) {
			return
		}
	}
}

// SortedThreads returns the threads ordered by tid (allocates).
func (s *State) SortedThreads() []*Thread {
	return append([]*Thread(nil), s.ThreadsByTID()...)
}

// ThreadsByTID returns the threads ordered by tid. The slice is the
// state's own, kept until the thread table changes (then replaced, never
// modified in place): the caller must not modify it. A pass over every
// thread at each refresh of a steady table sorts and allocates nothing.
func (s *State) ThreadsByTID() []*Thread {
	if s.sorted == nil || len(s.sorted) != len(s.threads) {
		out := make([]*Thread, 0, len(s.threads))
		for _, t := range s.threads {
			out = append(out, t)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].TID < out[j].TID })
		s.sorted = out
	}
	return s.sorted
}

// User returns the user uid, or nil.
func (s *State) User(uid uint32) *event.User { return s.users[uid] }

// Group returns the group gid, or nil.
func (s *State) Group(gid uint32) *event.Group { return s.groups[gid] }

// UserName returns the name of uid, or "" when unknown.
func (s *State) UserName(uid uint32) string {
	if u := s.users[uid]; u != nil {
		return u.Name
	}
	return ""
}

// GroupName returns the name of gid, or "" when unknown.
func (s *State) GroupName(gid uint32) string {
	if g := s.groups[gid]; g != nil {
		return g.Name
	}
	return ""
}

// Interfaces returns the network interface table.
func (s *State) Interfaces() []event.Interface { return s.ifaces }

// Container returns the container with that id, or nil. The last answer is
// remembered, so the fields of one event (or of a run of events of one
// container) cost one table lookup.
func (s *State) Container(id string) *Container {
	if id == s.lastCtrID && s.lastCtr != nil {
		return s.lastCtr
	}
	c := s.containers[id]
	s.lastCtrID, s.lastCtr = id, c
	return c
}

// Containers calls fn for every known container, in id order, until fn
// returns false.
func (s *State) Containers(fn func(*Container) bool) {
	ids := make([]string, 0, len(s.containers))
	for id := range s.containers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !fn(s.containers[id]) {
			return
		}
	}
}

// IsLocalIP reports whether ip (4 or 16 bytes) belongs to one of the
// machine's interfaces, or is a loopback address.
func (s *State) IsLocalIP(ip []byte) bool {
	if len(ip) == 4 && ip[0] == 127 {
		return true
	}
	if len(ip) == 16 && [16]byte(ip) == ipv6Loopback {
		return true
	}
	for i := range s.ifaces {
		if net.IP(s.ifaces[i].Addr).Equal(net.IP(ip)) {
			return true
		}
	}
	return false
}

func sortFDs(fds []*FD) {
	sort.Slice(fds, func(i, j int) bool { return fds[i].Num < fds[j].Num })
}

// LocalIsClient reports whether the process owning the connected socket f
// is its client end, the way sysdig picks fd.lip/fd.rip: when the client
// address is local (one of the machine's interfaces has it; for IPv6, one
// in the same /64) the local end is the client, otherwise the server.
func (s *State) LocalIsClient(f *FD) bool {
	return s.isLocalFor(f.SrcIP())
}

func (s *State) isLocalFor(ip []byte) bool {
	if len(ip) == 16 {
		// As sysdig: an IPv6 address is local when it shares its first
		// 64 bits with an address of one of the machine's interfaces.
		for i := range s.ifaces {
			a := s.ifaces[i].Addr
			if len(a) == 16 && string(a[:8]) == string(ip[:8]) {
				return true
			}
		}
		return false
	}
	return s.IsLocalIP(ip)
}

// pathChars replaces every byte outside printable ASCII by '.', as sysdig
// does for the paths it stores (fd names, working directories): a file name
// cannot smuggle control sequences into what is printed from them.
func pathChars(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] < 0x20 || b[j] >= 0x7f {
					b[j] = '.'
				}
			}
			return string(b)
		}
	}
	return s
}

// dropNonPrint removes the bytes outside printable ASCII, as sysdig does
// with the fd names of a capture's fd list.
func dropNonPrint(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			b := []byte(s[:i])
			for ; i < len(s); i++ {
				if c := s[i]; c >= 0x20 && c < 0x7f {
					b = append(b, c)
				}
			}
			return string(b)
		}
	}
	return s
}
