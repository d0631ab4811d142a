// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"os"
	"path"
	"slices"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/procfs"
	"github.com/ferret-observability/ferret/internal/state"
)

// End says why a record was emitted.
type End string

// Reasons for a record.
const (
	EndClose End = "close"
	EndExit  End = "exit"
	EndExec  End = "exec"
	EndEnd   End = "end"   // monitoring stopped with the file still open
	EndError End = "error" // the open failed
)

// Record is one opened file, or one failed open.
type Record struct {
	OpenTS, CloseTS uint64 // ns since the epoch; CloseTS is the time of the report
	PID, TID, PPID  int64
	Comm, Exe       string
	Path            string
	Flags           uint32 // ferret open flags (O_RDONLY=1, O_WRONLY=2, ...)
	FD              int64  // descriptor, or the negative errno of a failed open
	BytesRead       uint64
	BytesWritten    uint64
	End             End
	// Before: the file was already open when monitoring started (OpenTS
	// is then the start of monitoring, Flags and bytes from then on).
	Before bool
}

// Options configure a Monitor.
type Options struct {
	// Prefixes limits reports to paths equal to or below one of these
	// absolute directories; empty means every path.
	Prefixes []string
	// PIDs are roots of the watched process trees; their descendants are
	// watched as they appear. Comms adds every process whose command name is
	// one of these (and its descendants). With neither, every process seen
	// is watched.
	PIDs  []int64
	Comms []string
	// Lookup describes a task not seen being created, as state.Options
	// says (default: read from /proc).
	Lookup func(tid int64) ([]event.Thread, bool)
	// Held are processes started held before their execve (held.Start):
	// their events are ignored until their first successful execve.
	Held []int64
	// OnOp, when set, is called for every open, read, write and close of a
	// watched process on a file under the prefixes, with its latency. The
	// Op is reused after the call.
	OnOp func(*Op)
}

// OpKind is the kind of an Op.
type OpKind uint8

// Operation kinds.
const (
	OpOpen OpKind = iota
	OpRead
	OpWrite
	OpClose
)

// Op is one file operation reported to Options.OnOp.
type Op struct {
	Kind     OpKind
	PID, TID int64
	Comm     string
	Path     string
	Bytes    int64  // bytes moved, or the negative errno of a failure
	LatNS    uint64 // enter-to-exit time (0 when the enter was not seen)
	TS       uint64 // exit time
}

// fdKey names an open file: a process's fd table (internal/state's, shared
// by its threads) and the descriptor number.
type fdKey struct {
	tab *state.FDTable
	num int64
}

// Monitor turns events into Records. Processes, threads, descriptors,
// working directories and the pairing of enter and exit events are
// internal/state's; the monitor keeps only what it reports: which
// processes are watched and the record of each file open under the
// prefixes in a watched process. It is not safe for concurrent use.
type Monitor struct {
	opts    Options
	emit    func(*Record)
	op      Op
	st      *state.State
	files   map[fdKey]*Record
	watched map[int64]bool // by pid, for the processes met
	roots   map[int64]bool
	held    map[int64]bool // held until their execve
	ours    map[int64]bool // started held: children of this process
	comms   map[string]bool
	// RootExited is set when a root pid given in Options exits.
	RootExited bool
}

// New returns a monitor calling emit for each finished record. The record
// passed to emit is reused afterwards.
func New(opts Options, emit func(*Record)) *Monitor {
	m := &Monitor{opts: opts, emit: emit, files: make(map[fdKey]*Record), watched: make(map[int64]bool),
		roots: make(map[int64]bool), comms: make(map[string]bool), held: make(map[int64]bool), ours: make(map[int64]bool)}
	for _, p := range opts.Held {
		m.held[p], m.ours[p] = true, true
	}
	for i, p := range opts.Prefixes {
		if p != "/" {
			m.opts.Prefixes[i] = strings.TrimRight(path.Clean(p), "/")
		}
	}
	for _, p := range opts.PIDs {
		m.roots[p] = true
	}
	for _, c := range opts.Comms {
		m.comms[c] = true
	}
	lookup := opts.Lookup
	if lookup == nil {
		lookup = func(tid int64) ([]event.Thread, bool) {
			return procfs.ReadThread(procfs.Options{NoFDs: true, NoEnv: true}, tid)
		}
	}
	m.st = state.New(state.Options{Lookup: lookup})
	return m
}

func (m *Monitor) everything() bool { return len(m.roots) == 0 && len(m.comms) == 0 }

// Under reports whether p is inside the watched prefixes.
func (m *Monitor) Under(p string) bool {
	if len(m.opts.Prefixes) == 0 {
		return true
	}
	for _, pre := range m.opts.Prefixes {
		if pre == "/" || p == pre || (strings.HasPrefix(p, pre) && p[len(pre)] == '/') {
			return true
		}
	}
	return false
}

// proc returns the main thread of t's process, or t when it is unknown.
func (m *Monitor) proc(t *state.Thread) *state.Thread {
	if p := m.st.Process(t); p != nil {
		return p
	}
	return t
}

// isWatched says whether t's process is watched, deciding it on the
// process's first event: every process, a root, a process named in Comms,
// or the child of a watched process.
func (m *Monitor) isWatched(t *state.Thread) bool {
	if w, ok := m.watched[t.PID]; ok {
		return w
	}
	w := m.everything() || m.roots[t.PID] || m.comms[comm(m.proc(t))] || m.watched[m.ppid(t)]
	m.watched[t.PID] = w
	return w
}

// ppid returns the pid of the parent of t's process (0 when unknown).
func (m *Monitor) ppid(t *state.Thread) int64 {
	p := m.proc(t)
	if p.Unknown() {
		if m.ours[p.PID] {
			return int64(os.Getpid()) // held commands are the monitor's children
		}
		return 0
	}
	if pp := m.st.Thread(p.PTID); pp != nil {
		return pp.PID
	}
	return max(p.PTID, 0)
}

// comm and exe describe a thread as records show it ("" when unknown).
func comm(t *state.Thread) string {
	if t.Unknown() {
		return ""
	}
	return t.Comm
}

func exe(t *state.Thread) string {
	if t.Unknown() {
		return ""
	}
	if t.ExePath != "" {
		return t.ExePath
	}
	return t.Exe
}

// kinds of events the monitor handles.
type kind uint8

const (
	kNone kind = iota
	kOpen
	kRead
	kWrite
	kClose
	kClone
	kExec
	kDup
	kProcExit
)

var kinds [event.MaxType]kind

func init() {
	for i := 0; i < event.MaxType; i++ {
		t := event.Type(i)
		k := kNone
		switch t.Name() {
		case "open", "openat", "openat2", "creat", "open_by_handle_at":
			k = kOpen
		case "read", "pread", "readv", "preadv", "recvfrom", "recvmsg":
			k = kRead
		case "write", "pwrite", "writev", "pwritev", "sendto", "sendmsg":
			k = kWrite
		case "close":
			k = kClose
		case "clone", "fork", "vfork", "clone3":
			k = kClone
		case "execve", "execveat":
			k = kExec
		case "dup", "dup2", "dup3":
			k = kDup
		case "procexit":
			k = kProcExit
		}
		kinds[i] = k
	}
}

func param(ev *event.Event, name string) int {
	i := ev.ParamIndex(name)
	if i < 0 || !ev.HasParam(i) {
		return -1
	}
	return i
}

// Handle processes one event.
func (m *Monitor) Handle(ev *event.Event) {
	if int(ev.Type) >= event.MaxType {
		return
	}
	m.st.Update(ev)
	k := kinds[ev.Type]
	if k == kNone {
		return
	}
	if len(m.held) > 0 && m.held[ev.TID] {
		// Only its execve counts.
		if k != kExec || ev.Type.IsEnter() {
			return
		}
		if res, _ := ev.Int(0); res != 0 {
			return
		}
		delete(m.held, ev.TID)
	}
	c := m.st.Cur()
	t := c.Thread
	if t == nil {
		return
	}
	if k == kProcExit {
		m.exit(ev, t)
		return
	}
	if ev.Type.IsEnter() {
		return
	}
	res, _ := ev.Int(0)
	tab := t.FDs()
	switch k {
	case kOpen:
		m.open(ev, t, res, c)
	case kRead, kWrite:
		if c.FDNum < 0 {
			break
		}
		if f := m.files[fdKey{tab, c.FDNum}]; f != nil {
			if res > 0 {
				if k == kRead {
					f.BytesRead += uint64(res)
				} else {
					f.BytesWritten += uint64(res)
				}
			}
			m.report(OpRead+OpKind(k-kRead), t, ev, f, res, c.Latency)
		}
	case kClose:
		key := fdKey{tab, c.FDNum}
		if f := m.files[key]; f != nil && c.FDNum >= 0 && res == 0 {
			delete(m.files, key)
			m.report(OpClose, t, ev, f, res, c.Latency)
			m.finish(f, ev.TS, EndClose)
		}
	case kDup:
		// The state made the new descriptor the event's: the old one is
		// the enter event's argument.
		fd := int64(-1)
		if i := param(ev, "oldfd"); i >= 0 {
			fd, _ = ev.Int(i)
		} else if e := c.Enter; e != nil {
			if i := param(e, "fd"); i >= 0 {
				fd, _ = e.Int(i)
			}
		}
		if res < 0 || res == fd {
			break
		}
		if old := m.files[fdKey{tab, res}]; old != nil {
			delete(m.files, fdKey{tab, res})
			m.finish(old, ev.TS, EndClose)
		}
		if f := m.files[fdKey{tab, fd}]; f != nil {
			d := *f
			d.FD, d.BytesRead, d.BytesWritten, d.OpenTS, d.Before = res, 0, 0, ev.TS, false
			d.Flags &^= oCloexec
			m.files[fdKey{tab, res}] = &d
		}
	case kExec:
		if res == 0 {
			m.exec(ev, t)
		}
	case kClone:
		m.clone(ev, t, res)
	}
}

const oCloexec = 1 << 12 // in ferret's open flags

// report calls OnOp.
func (m *Monitor) report(kind OpKind, t *state.Thread, ev *event.Event, f *Record, res int64, lat uint64) {
	if m.opts.OnOp == nil {
		return
	}
	o := &m.op
	*o = Op{Kind: kind, PID: t.PID, TID: ev.TID, Comm: comm(m.proc(t)), Path: f.Path, Bytes: res, TS: ev.TS, LatNS: lat}
	m.opts.OnOp(o)
}

func (m *Monitor) open(ev *event.Event, t *state.Thread, res int64, c *state.Cur) {
	i := param(ev, "name")
	if i < 0 {
		return
	}
	var name string
	if res >= 0 && c.FD != nil {
		name = strings.TrimPrefix(c.FD.Name, "<UNKNOWN>") // state's name, relative to an unknown dirfd
	} else {
		name, _ = ev.Str(i)
		dirfd := int64(-100)
		if j := param(ev, "dirfd"); j >= 0 {
			dirfd, _ = ev.Int(j)
		}
		name = m.st.ResolvePath(t, dirfd, name)
	}
	var flags uint64
	if j := param(ev, "flags"); j >= 0 {
		flags, _ = ev.Uint(j)
	} else if ev.Type.Name() == "creat" {
		flags = 2 | 1<<2 | 1<<8
	}
	report := m.isWatched(t) && m.Under(name)
	var f *Record
	if report {
		p := m.proc(t)
		f = &Record{OpenTS: ev.TS, PID: t.PID, TID: ev.TID, PPID: m.ppid(t), Comm: comm(p),
			Exe: exe(p), Path: name, Flags: uint32(flags), FD: res}
		m.report(OpOpen, t, ev, f, min(res, 0), c.Latency)
	}
	if res < 0 {
		if report {
			m.finish(f, ev.TS, EndError)
		}
		return
	}
	key := fdKey{t.FDs(), res}
	if old := m.files[key]; old != nil {
		// An open seen both in the start-up scan and as an event (it
		// happened while monitoring started) is the same file.
		if !old.Before || old.Path != name {
			m.finish(old, ev.TS, EndClose)
		}
		delete(m.files, key)
	}
	if report {
		m.files[key] = f
	}
}

// Preload registers the processes running when monitoring starts (from a
// /proc scan, one entry per thread with its fd table) and the files they
// have open, so that processes of the watched trees started earlier are
// watched and their open files reported when closed. Call it before
// Handle. It returns the running processes it watches besides the roots,
// in pid order.
func (m *Monitor) Preload(threads []event.Thread, ts uint64) (watched []int64) {
	m.st.Load(&event.Snapshot{Threads: threads})
	byPID := make(map[int64]*event.Thread)
	for i := range threads {
		th := &threads[i]
		// Held processes are not themselves until their execve.
		if th.TID == th.PID && !m.held[th.PID] {
			byPID[th.PID] = th
		}
	}
	var add func(th *event.Thread, depth int) bool
	add = func(th *event.Thread, depth int) bool {
		if w, ok := m.watched[th.PID]; ok {
			return w
		}
		w := m.everything() || m.roots[th.PID] || m.comms[th.Comm]
		if parent := byPID[th.PTID]; !w && parent != nil && parent != th && depth < 64 {
			w = add(parent, depth+1)
		}
		m.watched[th.PID] = w
		return w
	}
	for _, th := range byPID {
		if !add(th, 0) {
			continue
		}
		if !m.roots[th.PID] {
			watched = append(watched, th.PID)
		}
		t := m.st.Thread(th.PID)
		if t == nil {
			continue
		}
		for _, fd := range th.FDs {
			if fd.Type != event.FDFile && fd.Type != event.FDFileV2 && fd.Type != event.FDDirectory {
				continue
			}
			if !m.Under(fd.Name) {
				continue
			}
			m.files[fdKey{t.FDs(), fd.Num}] = &Record{OpenTS: ts, PID: th.PID, TID: th.PID, PPID: th.PTID,
				Comm: th.Comm, Exe: exe(t), Path: fd.Name, Flags: fd.OpenFlags, FD: fd.Num, Before: true}
		}
	}
	slices.Sort(watched)
	return watched
}

func (m *Monitor) finish(f *Record, ts uint64, end End) {
	f.CloseTS = ts
	f.End = end
	m.emit(f)
}

func (m *Monitor) exec(ev *event.Event, t *state.Thread) {
	if !m.isWatched(t) && m.comms[comm(m.proc(t))] {
		m.watched[t.PID] = true
	}
	tab := t.FDs()
	tab.Each(func(fd *state.FD) bool {
		key := fdKey{tab, fd.Num}
		if f := m.files[key]; f != nil && f.Flags&oCloexec != 0 {
			delete(m.files, key)
			m.finish(f, ev.TS, EndExec)
		}
		return true
	})
}

// clone gives a new process, on the event that created it in the state
// (the child's or the parent's side, whichever came first), its parent's
// watched status and a copy of the records of the files it inherits.
func (m *Monitor) clone(ev *event.Event, t *state.Thread, res int64) {
	child := t
	if res > 0 {
		child = m.st.Thread(res)
	} else if res < 0 {
		return
	}
	if child == nil || child.CloneTS != ev.TS || !child.IsMain() {
		return
	}
	parent := m.st.Thread(child.PTID)
	if parent == nil {
		return
	}
	pp := m.proc(parent)
	m.watched[child.PID] = m.isWatched(parent) || m.comms[comm(pp)]
	ptab, ctab := parent.FDs(), child.FDs()
	if ptab == ctab {
		return
	}
	ptab.Each(func(fd *state.FD) bool {
		if f := m.files[fdKey{ptab, fd.Num}]; f != nil {
			c := *f
			c.PID, c.TID, c.PPID = child.PID, child.TID, pp.PID
			c.BytesRead, c.BytesWritten = 0, 0
			m.files[fdKey{ctab, fd.Num}] = &c
		}
		return true
	})
}

func (m *Monitor) exit(ev *event.Event, t *state.Thread) {
	pid := t.PID
	if t.TID != pid && m.st.ThreadsOf(pid) > 1 {
		return
	}
	tab := t.FDs()
	tab.Each(func(fd *state.FD) bool {
		key := fdKey{tab, fd.Num}
		if f := m.files[key]; f != nil {
			delete(m.files, key)
			m.finish(f, ev.TS, EndExit)
		}
		return true
	})
	if m.roots[pid] {
		m.RootExited = true
	}
	delete(m.watched, pid)
}

// Flush reports every file still open, at time ts.
func (m *Monitor) Flush(ts uint64) {
	for key, f := range m.files {
		delete(m.files, key)
		m.finish(f, ts, EndEnd)
	}
}

// Process returns the pid and command name of tid's process as the state
// describes it after the last event handled.
func (m *Monitor) Process(tid int64) (pid int64, name string) {
	t := m.st.Thread(tid)
	if t == nil {
		return tid, ""
	}
	return t.PID, comm(m.proc(t))
}
