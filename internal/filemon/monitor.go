// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
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
	// Proc reads facts about a task not seen being created (default: /proc).
	Proc func(tid int64) (ProcInfo, bool)
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

// ProcInfo describes a process.
type ProcInfo struct {
	PID, PPID      int64
	Comm, Exe, Cwd string
}

type file struct {
	rec    Record
	report bool // under a prefix
}

type proc struct {
	info    ProcInfo
	watched bool
	fds     map[int64]*file
	threads int
}

type task struct {
	p        *proc
	enterFD  int64  // fd of the pending enter event
	enterTS  uint64 // time of the pending enter event
	execPath string // filename of a pending execve
}

// Monitor turns events into Records. It is not safe for concurrent use.
type Monitor struct {
	opts  Options
	emit  func(*Record)
	op    Op
	tasks map[int64]*task
	procs map[int64]*proc
	roots map[int64]bool
	held  map[int64]bool
	comms map[string]bool
	// RootExited is set when a root pid given in Options exits.
	RootExited bool
}

// New returns a monitor calling emit for each finished record. The record
// passed to emit is reused afterwards.
func New(opts Options, emit func(*Record)) *Monitor {
	m := &Monitor{opts: opts, emit: emit, tasks: make(map[int64]*task), procs: make(map[int64]*proc),
		roots: make(map[int64]bool), comms: make(map[string]bool), held: make(map[int64]bool)}
	for _, p := range opts.Held {
		m.held[p] = true
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
	if m.opts.Proc == nil {
		m.opts.Proc = ReadProc
	}
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

// taskOf finds or creates the state of tid.
func (m *Monitor) taskOf(tid int64) *task {
	if t := m.tasks[tid]; t != nil {
		return t
	}
	info, ok := m.opts.Proc(tid)
	if !ok {
		info = ProcInfo{PID: tid}
		if m.held[tid] {
			// gone already: held commands are the monitor's children
			info.PPID = int64(os.Getpid())
		}
	}
	p := m.procs[info.PID]
	if p == nil {
		p = &proc{info: info, fds: make(map[int64]*file)}
		p.watched = m.everything() || m.roots[info.PID] || m.comms[info.Comm] || m.watchedParent(info.PPID)
		m.procs[info.PID] = p
	}
	p.threads++
	t := &task{p: p, enterFD: -1}
	m.tasks[tid] = t
	return t
}

func (m *Monitor) watchedParent(ppid int64) bool {
	p := m.procs[ppid]
	return p != nil && p.watched
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
	kChdir
	kFchdir
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
		case "chdir":
			k = kChdir
		case "fchdir":
			k = kFchdir
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
	k := kinds[ev.Type]
	if k == kNone {
		return
	}
	if len(m.held) > 0 && m.held[ev.TID] {
		// Only its execve counts; the enter event gives the path of the
		// executable.
		if k != kExec {
			return
		}
		if !ev.Type.IsEnter() {
			if res, _ := ev.Int(0); res != 0 {
				return
			}
			delete(m.held, ev.TID)
		}
	}
	if k == kClone && !ev.Type.IsEnter() && m.tasks[ev.TID] == nil {
		if res, _ := ev.Int(0); res == 0 && m.cloneChild(ev) {
			return
		}
	}
	t := m.taskOf(ev.TID)
	if k == kProcExit {
		m.exit(ev, t)
		return
	}
	if ev.Type.IsEnter() {
		t.enterFD, t.enterTS = -1, ev.TS
		if i := param(ev, "fd"); i >= 0 {
			t.enterFD, _ = ev.Int(i)
		}
		if k == kExec {
			t.execPath = ""
			if i := param(ev, "filename"); i >= 0 {
				t.execPath, _ = ev.Str(i)
			}
		}
		return
	}
	fd, enterTS := t.enterFD, t.enterTS
	t.enterFD, t.enterTS = -1, 0
	p := t.p
	res, _ := ev.Int(0)
	switch k {
	case kOpen:
		f := m.open(ev, t, res)
		if f != nil && f.report && m.opts.OnOp != nil {
			m.report(OpOpen, t, ev, f, min(res, 0), enterTS)
		}
	case kRead, kWrite:
		if f := p.fds[fd]; f != nil {
			if res > 0 {
				if k == kRead {
					f.rec.BytesRead += uint64(res)
				} else {
					f.rec.BytesWritten += uint64(res)
				}
			}
			if f.report && m.opts.OnOp != nil {
				m.report(OpRead+OpKind(k-kRead), t, ev, f, res, enterTS)
			}
		}
	case kClose:
		if f := p.fds[fd]; f != nil && res == 0 {
			delete(p.fds, fd)
			if f.report && m.opts.OnOp != nil {
				m.report(OpClose, t, ev, f, res, enterTS)
			}
			m.finish(f, ev.TS, EndClose)
		}
	case kDup:
		if res < 0 || res == fd {
			break
		}
		if old := p.fds[res]; old != nil {
			delete(p.fds, res)
			m.finish(old, ev.TS, EndClose)
		}
		if f := p.fds[fd]; f != nil {
			c := *f
			c.rec.FD, c.rec.BytesRead, c.rec.BytesWritten, c.rec.OpenTS, c.rec.Before = res, 0, 0, ev.TS, false
			c.rec.Flags &^= 1 << 12
			p.fds[res] = &c
		}
	case kChdir:
		if res == 0 {
			if i := param(ev, "path"); i >= 0 {
				s, _ := ev.Str(i)
				p.info.Cwd = m.abs(p, s, -100)
			}
		}
	case kFchdir:
		if f := p.fds[fd]; f != nil && res == 0 {
			p.info.Cwd = f.rec.Path
		}
	case kExec:
		if res == 0 {
			m.exec(ev, t)
		}
	case kClone:
		m.clone(ev, t, res)
	}
}

// abs makes s absolute against dirfd (-100: the working directory).
func (m *Monitor) abs(p *proc, s string, dirfd int64) string {
	if strings.HasPrefix(s, "/") {
		return path.Clean(s)
	}
	base := p.info.Cwd
	if dirfd != -100 && dirfd != 0xffffff9c {
		if f := p.fds[dirfd]; f != nil {
			base = f.rec.Path
		} else {
			base = ""
		}
	}
	if base == "" {
		return s
	}
	return path.Join(base, s)
}

// report calls OnOp.
func (m *Monitor) report(kind OpKind, t *task, ev *event.Event, f *file, res int64, enterTS uint64) {
	o := &m.op
	*o = Op{Kind: kind, PID: t.p.info.PID, TID: ev.TID, Comm: t.p.info.Comm, Path: f.rec.Path, Bytes: res, TS: ev.TS}
	if enterTS != 0 && ev.TS >= enterTS {
		o.LatNS = ev.TS - enterTS
	}
	m.opts.OnOp(o)
}

func (m *Monitor) open(ev *event.Event, t *task, res int64) *file {
	p := t.p
	i := param(ev, "name")
	if i < 0 {
		return nil
	}
	name, _ := ev.Str(i)
	dirfd := int64(-100)
	if j := param(ev, "dirfd"); j >= 0 {
		dirfd, _ = ev.Int(j)
	}
	var flags uint64
	if j := param(ev, "flags"); j >= 0 {
		flags, _ = ev.Uint(j)
	} else if ev.Type.Name() == "creat" {
		flags = 2 | 1<<2 | 1<<8
	}
	f := &file{rec: Record{OpenTS: ev.TS, PID: p.info.PID, TID: ev.TID, PPID: p.info.PPID, Comm: p.info.Comm,
		Exe: p.info.Exe, Path: m.abs(p, name, dirfd), Flags: uint32(flags), FD: res}}
	f.report = p.watched && m.Under(f.rec.Path)
	if res < 0 {
		if f.report {
			m.finish(f, ev.TS, EndError)
		}
		return f
	}
	if old := p.fds[res]; old != nil {
		// An open seen both in the start-up scan and as an event (it
		// happened while monitoring started) is the same file.
		if !old.rec.Before || old.rec.Path != f.rec.Path {
			m.finish(old, ev.TS, EndClose)
		}
	}
	p.fds[res] = f
	return f
}

// Preload registers the processes running when monitoring starts (from a
// /proc scan, one entry per thread with its fd table) and the files they
// have open, so that processes of the watched trees started earlier are
// watched and their open files reported when closed. Call it before
// Handle. It returns the running processes it watches besides the roots,
// in pid order.
func (m *Monitor) Preload(threads []event.Thread, ts uint64) (watched []int64) {
	byPID := make(map[int64]*event.Thread)
	for i := range threads {
		th := &threads[i]
		// Held processes are not themselves until their execve.
		if th.TID == th.PID && !m.held[th.PID] {
			byPID[th.PID] = th
		}
	}
	var add func(th *event.Thread, depth int) *proc
	add = func(th *event.Thread, depth int) *proc {
		if p := m.procs[th.PID]; p != nil {
			return p
		}
		info := ProcInfo{PID: th.PID, PPID: th.PTID, Comm: th.Comm, Exe: th.ExePath, Cwd: th.Cwd}
		if info.Exe == "" {
			info.Exe = th.Exe
		}
		p := &proc{info: info, fds: make(map[int64]*file)}
		watched := m.everything() || m.roots[th.PID] || m.comms[th.Comm]
		if parent := byPID[th.PTID]; !watched && parent != nil && parent != th && depth < 64 {
			watched = add(parent, depth+1).watched
		}
		p.watched = watched
		m.procs[th.PID] = p
		return p
	}
	for _, th := range byPID {
		p := add(th, 0)
		if !p.watched {
			continue
		}
		if !m.roots[th.PID] {
			watched = append(watched, th.PID)
		}
		for _, fd := range th.FDs {
			if fd.Type != event.FDFile && fd.Type != event.FDFileV2 && fd.Type != event.FDDirectory {
				continue
			}
			f := &file{rec: Record{OpenTS: ts, PID: p.info.PID, TID: p.info.PID, PPID: p.info.PPID,
				Comm: p.info.Comm, Exe: p.info.Exe, Path: fd.Name, Flags: fd.OpenFlags, FD: fd.Num, Before: true}}
			f.report = m.Under(f.rec.Path)
			p.fds[fd.Num] = f
		}
	}
	slices.Sort(watched)
	return watched
}

func (m *Monitor) finish(f *file, ts uint64, end End) {
	if !f.report {
		return
	}
	f.rec.CloseTS = ts
	f.rec.End = end
	m.emit(&f.rec)
}

func (m *Monitor) exec(ev *event.Event, t *task) {
	p := t.p
	if i := param(ev, "cwd"); i >= 0 {
		if s, _ := ev.Str(i); s != "" {
			p.info.Cwd = strings.TrimSuffix(s, "/")
			if p.info.Cwd == "" {
				p.info.Cwd = "/"
			}
		}
	}
	if i := param(ev, "exe"); i >= 0 {
		p.info.Exe, _ = ev.Str(i)
	}
	if t.execPath != "" {
		// The path execve was given, made absolute, is more useful than
		// argv[0].
		p.info.Exe = m.abs(p, t.execPath, -100)
		t.execPath = ""
	}
	if i := param(ev, "comm"); i >= 0 {
		p.info.Comm, _ = ev.Str(i)
	} else if i := param(ev, "args"); i >= 0 {
		p.info.Comm = path.Base(p.info.Exe)
	}
	if !p.watched && m.comms[p.info.Comm] {
		p.watched = true
	}
	for fd, f := range p.fds {
		if f.rec.Flags&(1<<12) != 0 {
			delete(p.fds, fd)
			m.finish(f, ev.TS, EndExec)
		}
	}
}

func isThread(ev *event.Event) bool {
	if i := param(ev, "flags"); i >= 0 {
		fl, _ := ev.Uint(i)
		for _, n := range ev.Info().Params[i].Flags {
			if n.Name == "CLONE_THREAD" {
				return fl&uint64(n.Value) != 0
			}
		}
	}
	return false
}

// clone handles the parent's side of a fork or thread creation.
func (m *Monitor) clone(ev *event.Event, t *task, res int64) {
	if res <= 0 || m.tasks[res] != nil {
		return
	}
	pid := res
	if isThread(ev) {
		pid = t.p.info.PID
	}
	m.addChild(t.p, res, pid)
}

// cloneChild handles the child's side (its clone returning 0), which often
// comes before the parent's.
func (m *Monitor) cloneChild(ev *event.Event) bool {
	i, j := param(ev, "ptid"), param(ev, "pid")
	if i < 0 || j < 0 {
		return false
	}
	ptid, _ := ev.Int(i)
	pid, _ := ev.Int(j)
	parent := m.tasks[ptid]
	if parent == nil {
		if pp := m.procs[ptid]; pp != nil {
			parent = &task{p: pp}
		} else {
			return false
		}
	}
	if isThread(ev) {
		pid = parent.p.info.PID
	}
	m.addChild(parent.p, ev.TID, pid)
	return true
}

func (m *Monitor) addChild(p *proc, tid, pid int64) {
	if pid == p.info.PID {
		p.threads++
		m.tasks[tid] = &task{p: p, enterFD: -1}
		return
	}
	c := &proc{info: ProcInfo{PID: pid, PPID: p.info.PID, Comm: p.info.Comm, Exe: p.info.Exe, Cwd: p.info.Cwd},
		watched: p.watched || m.comms[p.info.Comm], fds: make(map[int64]*file, len(p.fds)), threads: 1}
	for fd, f := range p.fds {
		cf := *f
		cf.rec.PID, cf.rec.TID, cf.rec.PPID = pid, tid, p.info.PID
		cf.rec.BytesRead, cf.rec.BytesWritten = 0, 0
		c.fds[fd] = &cf
	}
	m.procs[pid] = c
	m.tasks[tid] = &task{p: c, enterFD: -1}
}

func (m *Monitor) exit(ev *event.Event, t *task) {
	p := t.p
	delete(m.tasks, ev.TID)
	p.threads--
	if p.threads > 0 && ev.TID != p.info.PID {
		return
	}
	for fd, f := range p.fds {
		delete(p.fds, fd)
		m.finish(f, ev.TS, EndExit)
	}
	if m.roots[p.info.PID] {
		m.RootExited = true
	}
	delete(m.procs, p.info.PID)
}

// Flush reports every file still open, at time ts.
func (m *Monitor) Flush(ts uint64) {
	for _, p := range m.procs {
		for fd, f := range p.fds {
			delete(p.fds, fd)
			m.finish(f, ts, EndEnd)
		}
	}
}

// Proc returns what the monitor knows of tid's process (reading /proc for
// a task not seen before).
func (m *Monitor) Proc(tid int64) ProcInfo { return m.taskOf(tid).p.info }

// ReadProc reads a task's process facts from /proc.
func ReadProc(tid int64) (ProcInfo, bool) {
	dir := "/proc/" + strconv.FormatInt(tid, 10)
	b, err := os.ReadFile(dir + "/status")
	if err != nil {
		return ProcInfo{}, false
	}
	info := ProcInfo{PID: tid}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Name":
			info.Comm = v
		case "Tgid":
			info.PID, _ = strconv.ParseInt(v, 10, 64)
		case "PPid":
			info.PPID, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	info.Exe, _ = os.Readlink(dir + "/exe")
	info.Cwd, _ = os.Readlink(dir + "/cwd")
	return info, true
}
