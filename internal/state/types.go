// SPDX-License-Identifier: Apache-2.0

package state

import (
	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/event"
)

// Options tunes a State.
type Options struct {
	// MaxThreads bounds the thread table (0 = unbounded). When full, new
	// threads are still tracked for the current event but not kept.
	MaxThreads int
	// Lookup, when set, is asked about a thread id the table does not know
	// on that thread's first event (a live capture reads /proc): it returns
	// the thread and, first, its process's main thread, as a snapshot would
	// hold them, or false when the thread is gone. Each unknown tid is asked
	// about once, and at most MaxLookups times in all.
	Lookup func(tid int64) ([]event.Thread, bool)
	// MaxLookups bounds the calls to Lookup over the State's life (0 means
	// DefaultMaxLookups).
	MaxLookups int
	// MountNS, when set (live captures), tells the mount namespace of a
	// thread (the inode of /proc/<tid>/ns/mnt); MountTable reads the mount
	// table of a thread's namespace (/proc/<tid>/mountinfo). They are
	// asked about threads that moved to a namespace the events do not
	// name, at their execve, and about threads in a namespace the state
	// has no table of: once per namespace.
	MountNS    func(tid int64) (uint64, bool)
	MountTable func(tid int64) ([]event.Mount, bool)
	// Containers looks up containers met in threads' cgroups (live
	// captures). Without it only the metadata carried by the capture
	// (container events, snapshot) is known, as with sysdig -r.
	Containers *container.Resolver
	// Alive, when set (live captures), tells whether a thread still exists
	// (/proc/<tid>). Every SweepNS of event time the state asks it about
	// the threads without an event for SweepIdleNS and drops those that
	// are gone: their exit was never seen (events lost to a full ring),
	// and a table left to grow with every such thread (and every view
	// row made from the table) would grow for as long as the capture
	// runs.
	Alive func(tid int64) bool
}

// Thread sweeps (Options.Alive).
const (
	SweepNS     = 10_000_000_000
	SweepIdleNS = 5_000_000_000
)

// DefaultMaxLookups is the default bound on thread lookups.
const DefaultMaxLookups = 100000

// maxNegative bounds the set of thread ids whose lookup failed.
const maxNegative = 1 << 16

// FD is one entry of a process's fd table.
type FD struct {
	Num       int64
	Type      event.FDType
	Name      string // path for files; "ip:port->ip:port" for sockets, etc.
	OpenFlags uint32 // PPM_O_* open flags (files)
	Dev       uint32 // device of files (0 if unknown)
	Ino       uint64 // inode (pipes, files when known)

	// Sockets. For connected sockets Src is the client side and Dst the
	// server side; for server sockets only SIP/SPort are meaningful.
	IPv6         bool
	SIP, DIP     [16]byte // IPv4 addresses use the first 4 bytes
	SPort, DPort uint16
	L4Proto      uint8 // event.L4*
	UnixSrc      uint64
	UnixDst      uint64

	// Role of the owning thread on a connected socket.
	Role Role

	pendingL4 uint8 // protocol guessed at socket(), applied once addressed
	otherFam  bool  // connect() named an address of another family than the socket's
	connected bool  // a connect succeeded on the socket
	// a read or write succeeded on the IP socket (sysdig then counts it
	// connected, but a later connect still takes its tuple)
	ioConnected bool
	synthName   bool // Name was built from the tuple (snapshot sockets)

	// OpenTS is the timestamp of the event that created the fd (0 if it
	// came from the snapshot).
	OpenTS uint64
}

// Role says which end of a connection the owning process is.
type Role uint8

// Socket roles.
const (
	RoleUnknown Role = iota
	RoleClient
	RoleServer
)

// TypeChar returns the one-letter fd type sysdig prints in angle brackets and
// in fd.typechar: f d 4 6 u p e s l i t n o (and ? for unknown).
func (f *FD) TypeChar() byte {
	switch f.Type {
	case event.FDFile, event.FDFileV2:
		return 'f'
	case event.FDDirectory:
		return 'd'
	case event.FDIPv4Sock, event.FDIPv4ServSock:
		return '4'
	case event.FDIPv6Sock, event.FDIPv6ServSock:
		return '6'
	case event.FDUnixSock:
		return 'u'
	case event.FDFIFO:
		return 'p'
	case event.FDEvent:
		return 'e'
	case event.FDSignalFD:
		return 's'
	case event.FDEventPoll:
		return 'l'
	case event.FDInotify:
		return 'i'
	case event.FDTimerFD:
		return 't'
	case event.FDNetlink:
		return 'n'
	case event.FDUnsupported:
		return 'o'
	}
	return '?'
}

// TypeString returns the fd type name as fd.type shows it (file, directory,
// ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd,
// netlink, unknown).
func (f *FD) TypeString() string {
	switch f.Type {
	case event.FDFile, event.FDFileV2:
		return "file"
	case event.FDDirectory:
		return "directory"
	case event.FDIPv4Sock, event.FDIPv4ServSock:
		return "ipv4"
	case event.FDIPv6Sock, event.FDIPv6ServSock:
		return "ipv6"
	case event.FDUnixSock:
		return "unix"
	case event.FDFIFO:
		return "pipe"
	case event.FDEvent:
		return "event"
	case event.FDSignalFD:
		return "signalfd"
	case event.FDEventPoll:
		return "eventpoll"
	case event.FDInotify:
		return "inotify"
	case event.FDTimerFD:
		return "timerfd"
	case event.FDNetlink:
		return "netlink"
	}
	return "unknown"
}

// IsSocket reports whether f is an IPv4/IPv6 socket.
func (f *FD) IsSocket() bool {
	switch f.Type {
	case event.FDIPv4Sock, event.FDIPv6Sock, event.FDIPv4ServSock, event.FDIPv6ServSock:
		return true
	}
	return false
}

// Connected reports whether a connect on the socket succeeded (or is in
// progress), an accept made it, or a read or write on it succeeded.
func (f *FD) Connected() bool { return f.connected || f.ioConnected }

// IsServerSocket reports whether f is a listening (server) socket.
func (f *FD) IsServerSocket() bool {
	return f.Type == event.FDIPv4ServSock || f.Type == event.FDIPv6ServSock
}

// IPLen returns 16 for IPv6 sockets and 4 otherwise.
func (f *FD) IPLen() int {
	if f.IPv6 {
		return 16
	}
	return 4
}

// FDTable is the fd table of one process; threads created with CLONE_FILES
// (and all threads of a process) share it.
type FDTable struct {
	fds map[int64]*FD
}

func newFDTable() *FDTable { return &FDTable{fds: make(map[int64]*FD)} }

// Get returns fd n or nil.
func (t *FDTable) Get(n int64) *FD {
	if t == nil {
		return nil
	}
	return t.fds[n]
}

// Len returns the number of open fds.
func (t *FDTable) Len() int {
	if t == nil {
		return 0
	}
	return len(t.fds)
}

// Each calls fn for every fd in unspecified order until fn returns false.
func (t *FDTable) Each(fn func(*FD) bool) {
	if t == nil {
		return
	}
	for _, f := range t.fds {
		if !fn(f) {
			return
		}
	}
}

// Sorted returns the fds ordered by number (allocates; for chisels and
// listings, not hot paths).
func (t *FDTable) Sorted() []*FD {
	if t == nil {
		return nil
	}
	out := make([]*FD, 0, len(t.fds))
	for _, f := range t.fds {
		out = append(out, f)
	}
	sortFDs(out)
	return out
}

func (t *FDTable) put(f *FD) { t.fds[f.Num] = f }

func (t *FDTable) del(n int64) { delete(t.fds, n) }

func (t *FDTable) clone() *FDTable {
	c := &FDTable{fds: make(map[int64]*FD, len(t.fds))}
	for k, v := range t.fds {
		nv := *v
		c.fds[k] = &nv
	}
	return c
}

// Thread is one entry of the thread table. Fields are read-only for users of
// the package.
type Thread struct {
	TID, PID, PTID int64
	SID, VPGID     int64
	VTID, VPID     int64
	Comm           string // proc.name
	Exe            string // argv[0] (proc.exe)
	ExePath        string // full executable path (proc.exepath)
	Args           []string
	Env            []string
	Cgroups        []string // "subsys=/path"
	Cwd            string   // always ends with '/'
	Root           string
	FDLimit        int64
	Flags          uint32 // PPM_CL_* clone flags
	UID, GID       uint32
	LoginUID       int32
	ExeWritable    bool
	VMSizeKB       uint32
	VMRSSKB        uint32
	VMSwapKB       uint32
	PFMajor        uint64
	PFMinor        uint64
	ContainerID    string // "" for host threads
	// MntNS is the thread's mount namespace (nsfs inode; 0: the
	// capture's own, event.MntNSPending: entered one not looked up yet).
	MntNS uint64

	CloneTS  uint64 // when the thread was created (0 if from the snapshot)
	LastTS   uint64 // timestamp of its previous event (before the current one)
	CPUUser  uint64 // from procinfo events, in ticks
	CPUSys   uint64
	LastExit uint64 // timestamp of the thread's last exit event

	fds *FDTable

	// Last enter event of the thread, copied into a reusable buffer.
	enter    event.Event
	enterBuf []byte
	hasEnter bool
	exited   bool
	unknown  bool  // created on the fly for an event of an unknown tid
	lastFD   int64 // fd argument of the last enter event

	lastLatency uint64 // latency of the thread's last syscall (0 after an enter)
	enterTS     uint64 // timestamp of the thread's last enter event, filtered or not

	// nchilds counts the threads of the table created with CLONE_THREAD
	// whose process this main thread is (sysdig's child count: a main
	// thread with one stays in the table past its procexit)
	nchilds int

	prevCPUUser, prevCPUSys uint64 // cpu ticks at the previous procinfo
	hasPrevCPU, cpuSeen     bool

	// mod is the state's change count (State.Changes) when the thread
	// was last added or may have been changed.
	mod uint64
}

// ChangedSince reports whether the state may have changed t (added it, or
// written any of its fields but its descriptors, cwd, pending call and
// time stamps; its child count included) since its change count was n
// (State.Changes).
func (t *Thread) ChangedSince(n uint64) bool { return t.mod > n }

// ChangeCount returns the state's change count when t last changed (see
// ChangedSince).
func (t *Thread) ChangeCount() uint64 { return t.mod }

// FDs returns the fd table of the thread's process.
func (t *Thread) FDs() *FDTable { return t.fds }

// FD returns fd n of the thread's process, or nil.
func (t *Thread) FD(n int64) *FD { return t.fds.Get(n) }

// Unknown reports whether the thread was created on the fly for an event of
// a tid absent from the snapshot and not yet described by clone or execve.
func (t *Thread) Unknown() bool { return t.unknown }

// IsMain reports whether t is the main thread of its process.
func (t *Thread) IsMain() bool { return t.TID == t.PID }

// NumChildren returns the thread's child count (proc.nchilds): for a main
// thread, how many threads of its process created with CLONE_THREAD the
// table holds.
func (t *Thread) NumChildren() int { return t.nchilds }

// CPUDelta returns the user and system CPU ticks the thread used between
// its last two procinfo events; ok is false before the second one.
func (t *Thread) CPUDelta() (user, sys uint64, ok bool) {
	if !t.hasPrevCPU {
		return 0, 0, false
	}
	return t.CPUUser - t.prevCPUUser, t.CPUSys - t.prevCPUSys, true
}

// LastEnter returns the thread's pending enter event (the last enter event
// seen, valid until the thread's next enter event), or nil.
func (t *Thread) LastEnter() *event.Event {
	if !t.hasEnter {
		return nil
	}
	return &t.enter
}

// Container is one entry of the container table.
type Container = container.Info

// Cur describes the event just passed to Update.
type Cur struct {
	Event  *event.Event
	Thread *Thread // nil when the thread is unknown and could not be created
	// FD is the fd the event refers to (fd argument, or created fd for
	// exit events that create one), nil if none or unknown. FDNum is its
	// number, -1 if the event has no fd.
	FD    *FD
	FDNum int64
	// Enter is the paired enter event for exit events (nil if none was
	// seen); Latency is exit.TS - enter.TS (0 otherwise).
	Enter   *event.Event
	Latency uint64
	// PrevTS is the timestamp of the previous event (any thread) that was
	// not of the internal category (procinfo, ...), 0 for the first.
	PrevTS uint64
	// ClosedFD holds a copy of the fd closed by this event (close exit), so
	// fields can still report it; valid when Closed is true.
	ClosedFD FD
	Closed   bool

	ownFD bool // FD is the event's own (see OwnFD)
}
