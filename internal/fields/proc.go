// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/state"
)

// threadStr builds a string field computed from the current thread.
func threadStr(name, desc string, f func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool)) Field {
	return strField(name, "CHARBUF", desc, func(c *Ctx, b []byte) ([]byte, bool) {
		t := c.Thread()
		if t == nil {
			return b, false
		}
		return f(c, t, b)
	})
}

func threadNum(name, typ, desc string, f func(c *Ctx, t *state.Thread, v *Value) bool) Field {
	return simple(name, typ, desc, func(c *Ctx, v *Value) bool {
		t := c.Thread()
		if t == nil {
			return false
		}
		return f(c, t, v)
	})
}

func appendJoined(b []byte, list []string, sep string) []byte {
	for i, s := range list {
		if i > 0 {
			b = append(b, sep...)
		}
		b = append(b, s...)
	}
	return b
}

func appendCmdline(b []byte, head string, args []string) []byte {
	b = append(b, head...)
	for _, a := range args {
		b = append(b, ' ')
		b = append(b, a...)
	}
	return b
}

func init() {
	Register(&Class{Name: "process", Order: 30, Desc: "Information about the process and thread that generated the event.",
		Fields: []Field{
			threadNum("proc.pid", "INT64", "id of the process.", func(c *Ctx, t *state.Thread, v *Value) bool { return setInt(v, t.PID) }),
			threadStr("proc.exe", "first command-line argument (usually the executable name or path).", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) { return append(b, t.Exe...), true }),
			threadStr("proc.name", "name of the executable (the kernel's comm).", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) { return append(b, t.Comm...), true }),
			threadStr("proc.args", "command-line arguments after the executable, separated by spaces.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) { return appendJoined(b, t.Args, " "), true }),
			threadStr("proc.env", "environment variables of the process, separated by spaces.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) { return appendJoined(b, t.Env, " "), true }),
			threadStr("proc.cmdline", "proc.name followed by proc.args.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) { return appendCmdline(b, t.Comm, t.Args), true }),
			threadStr("proc.exeline", "proc.exe followed by proc.args.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				return appendJoined(append(append(b, t.Exe...), ' '), t.Args, " "), true
			}),
			threadStr("proc.cwd", "current working directory of the process.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) { return append(b, c.State.Cwd(t)...), true }),
			threadNum("proc.nthreads", "UINT32", "number of threads the process has, main thread included.", func(c *Ctx, t *state.Thread, v *Value) bool {
				// the main thread's child count and itself; a process
				// whose main thread is not known counts the threads that
				// name it
				if m := c.State.Process(t); m != nil {
					return setUint(v, KindUint64, uint64(m.NumChildren())+1)
				}
				return setUint(v, KindUint64, uint64(c.State.ThreadsOf(t.PID))+1)
			}),
			threadNum("proc.nchilds", "UINT32", "number of threads of the process created with CLONE_THREAD (main thread: the table's count; other threads: 0).", func(c *Ctx, t *state.Thread, v *Value) bool {
				return setUint(v, KindUint64, uint64(t.NumChildren()))
			}),
			threadNum("proc.ppid", "INT64", "id of the parent process.", func(c *Ctx, t *state.Thread, v *Value) bool {
				if t.TID != t.PID {
					// a thread's parent process is its main thread's parent
					if t = c.State.Thread(t.PID); t == nil {
						return false
					}
				}
				return setInt(v, t.PTID)
			}),
			threadStr("proc.pname", "name of the parent process.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				p := c.State.Thread(t.PTID)
				if p == nil {
					return b, false
				}
				return append(b, p.Comm...), true
			}),
			threadStr("proc.pcmdline", "command line (name and arguments) of the parent process.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				p := c.State.Thread(t.PTID)
				if p == nil {
					return b, false
				}
				return appendCmdline(b, p.Comm, p.Args), true
			}),
			withNew("proc.apid", "INT64", "id of an ancestor: proc.apid[1] is the parent, [2] the grandparent, ...; without index (filters only) any ancestor matches.", FlagArgIndex, newAncestor(false)),
			withNew("proc.aname", "CHARBUF", "name of an ancestor: proc.aname[0] is the process itself, [1] its parent, ...; without index (filters only) any ancestor matches.", FlagArgIndex, newAncestor(true)),
			threadNum("proc.loginshellid", "INT64", "pid of the oldest shell among the process's ancestors (itself included).", func(c *Ctx, t *state.Thread, v *Value) bool {
				// the oldest of the process's main thread and the threads
				// above it whose name ends in "sh"
				x := c.State.Process(t)
				if x == nil {
					return false
				}
				var found int64
				ok := false
				for i := 0; x != nil && (i == 0 || x.TID != -1) && i < 256; i++ {
					if strings.HasSuffix(x.Comm, "sh") {
						found, ok = x.PID, true
					}
					x = parentThread(c, x)
				}
				return ok && setInt(v, found)
			}),
			threadNum("proc.duration", "RELTIME", "nanoseconds since the thread was created (no value for threads of the initial snapshot).", func(c *Ctx, t *state.Thread, v *Value) bool {
				if t.CloneTS == 0 || c.Ev.TS < t.CloneTS {
					return false
				}
				return setUint(v, KindRelTime, c.Ev.TS-t.CloneTS)
			}),
			threadNum("proc.fdopencount", "UINT64", "number of open file descriptors of the process (its main thread's table).", func(c *Ctx, t *state.Thread, v *Value) bool {
				n, _ := mainFDs(c, t)
				return setUint(v, KindUint64, uint64(n))
			}),
			threadNum("proc.fdlimit", "INT64", "maximum number of file descriptors the process may open (its main thread's).", func(c *Ctx, t *state.Thread, v *Value) bool {
				_, limit := mainFDs(c, t)
				return setInt(v, limit)
			}),
			threadNum("proc.fdusage", "DOUBLE", "open file descriptors as a percentage of the limit (0 without a limit).", func(c *Ctx, t *state.Thread, v *Value) bool {
				n, limit := mainFDs(c, t)
				v.Kind = KindDouble
				v.Float = 0
				if limit > 0 {
					v.Float = min(float64(n)*100/float64(limit), 100)
				}
				return true
			}),
			threadNum("proc.vmsize", "UINT64", "total virtual memory of the process, in kB.", func(c *Ctx, t *state.Thread, v *Value) bool {
				return setUint(v, KindUint64, uint64(t.VMSizeKB))
			}),
			threadNum("proc.vmrss", "UINT64", "resident memory of the process, in kB.", func(c *Ctx, t *state.Thread, v *Value) bool {
				return setUint(v, KindUint64, uint64(t.VMRSSKB))
			}),
			threadNum("proc.vmswap", "UINT64", "swapped memory of the process, in kB.", func(c *Ctx, t *state.Thread, v *Value) bool {
				return setUint(v, KindUint64, uint64(t.VMSwapKB))
			}),
			threadNum("thread.pfmajor", "UINT64", "major page faults of the thread since it started.", func(c *Ctx, t *state.Thread, v *Value) bool { return setUint(v, KindUint64, t.PFMajor) }),
			threadNum("thread.pfminor", "UINT64", "minor page faults of the thread since it started.", func(c *Ctx, t *state.Thread, v *Value) bool { return setUint(v, KindUint64, t.PFMinor) }),
			// Known without the thread table (sysdig's exception too).
			simple("thread.tid", "INT64", "id of the thread.", func(c *Ctx, v *Value) bool { return setInt(v, c.Ev.TID) }),
			threadNum("thread.ismain", "BOOL", "true for the main thread of a process.", func(c *Ctx, t *state.Thread, v *Value) bool { return setBool(v, t.IsMain()) }),
			withNew("thread.exectime", "RELTIME", "CPU time the thread used in its last scheduling slice (needs switch events).", FlagStateful, newExectime(false)),
			withNew("thread.totexectime", "RELTIME", "total CPU time the thread used since the capture started (needs switch events).", FlagStateful, newExectime(true)),
			threadStr("thread.cgroups", "every cgroup of the thread as subsystem=path pairs, separated by spaces.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				return appendJoined(b, t.Cgroups, " "), len(t.Cgroups) > 0
			}),
			withNew("thread.cgroup", "CHARBUF", "cgroup of the thread for the subsystem given as argument, e.g. thread.cgroup.cpuacct.", FlagArgKey|FlagArgRequired, newCgroup),
			threadNum("thread.vtid", "INT64", "id of the thread as its pid namespace sees it.", func(c *Ctx, t *state.Thread, v *Value) bool { return (t.VTID > 0 || t.VTID < -1) && setInt(v, t.VTID) }),
			threadNum("proc.vpid", "INT64", "id of the process as its pid namespace sees it.", func(c *Ctx, t *state.Thread, v *Value) bool { return (t.VPID > 0 || t.VPID < -1) && setInt(v, t.VPID) }),
			cpuField("thread.cpu", "CPU use of the thread over the last second, in percent (from procinfo events).", 3),
			cpuField("thread.cpu.user", "user-mode CPU use of the thread over the last second, in percent.", 1),
			cpuField("thread.cpu.system", "kernel-mode CPU use of the thread over the last second, in percent.", 2),
			threadNum("thread.vmsize", "UINT64", "virtual memory of the thread's process, in kB (main thread only).", func(c *Ctx, t *state.Thread, v *Value) bool {
				if !t.IsMain() {
					return setUint(v, KindUint64, 0) // sysdig: zero for other threads
				}
				return setUint(v, KindUint64, uint64(t.VMSizeKB))
			}),
			threadNum("thread.vmrss", "UINT64", "resident memory of the thread's process, in kB (main thread only).", func(c *Ctx, t *state.Thread, v *Value) bool {
				if !t.IsMain() {
					return setUint(v, KindUint64, 0) // sysdig: zero for other threads
				}
				return setUint(v, KindUint64, uint64(t.VMRSSKB))
			}),
			hidden(threadStr("thread.nametid", "name of the process followed by the thread id.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				b = append(b, t.Comm...)
				return strconv.AppendInt(b, t.TID, 10), true
			})),
			hidden(threadNum("thread.vmsize.b", "UINT64", "virtual memory of the thread's process, in bytes (main thread only).", func(c *Ctx, t *state.Thread, v *Value) bool {
				if !t.IsMain() {
					return setUint(v, KindUint64, 0)
				}
				return setUint(v, KindUint64, uint64(t.VMSizeKB)*1024)
			})),
			hidden(threadNum("thread.vmrss.b", "UINT64", "resident memory of the thread's process, in bytes (main thread only).", func(c *Ctx, t *state.Thread, v *Value) bool {
				if !t.IsMain() {
					return setUint(v, KindUint64, 0)
				}
				return setUint(v, KindUint64, uint64(t.VMRSSKB)*1024)
			})),
			threadNum("proc.sid", "INT64", "session id of the process.", func(c *Ctx, t *state.Thread, v *Value) bool { return setInt(v, t.SID) }),
			threadStr("proc.sname", "name of the session leader of the process.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				return sessionName(c, t, b)
			}),
			threadNum("proc.tty", "INT32", "controlling terminal of the process, 0 when it has none.", func(c *Ctx, t *state.Thread, v *Value) bool { return setInt(v, 0) }),
			threadStr("proc.exepath", "full path of the executable.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) { return append(b, t.ExePath...), true }),
			threadNum("proc.vpgid", "INT64", "process group id of the process as its pid namespace sees it.", func(c *Ctx, t *state.Thread, v *Value) bool { return setInt(v, t.VPGID) }),
			threadNum("proc.is_container_healthcheck", "BOOL", "true when the process runs a container health check.", func(c *Ctx, t *state.Thread, v *Value) bool { return setBool(v, false) }),
			threadNum("proc.is_container_liveness_probe", "BOOL", "true when the process runs a container's liveness probe.", func(c *Ctx, t *state.Thread, v *Value) bool { return setBool(v, false) }),
			threadNum("proc.is_container_readiness_probe", "BOOL", "true when the process runs a container's readiness probe.", func(c *Ctx, t *state.Thread, v *Value) bool { return setBool(v, false) }),
			threadNum("proc.is_exe_writable", "BOOL", "true when the executable is writable by the process's user.", func(c *Ctx, t *state.Thread, v *Value) bool { return setBool(v, t.ExeWritable) }),
		}})
	Register(&Class{Name: "user", Order: 40, Desc: "Information about the user running the process.",
		Fields: []Field{
			threadNum("user.uid", "UINT32", "user id.", func(c *Ctx, t *state.Thread, v *Value) bool { return setUint(v, KindUint64, uint64(t.UID)) }),
			threadStr("user.name", "user name.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				u := c.State.User(t.UID)
				if u == nil {
					return b, false
				}
				return append(b, u.Name...), true
			}),
			threadStr("user.homedir", "home directory of the user.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				u := c.State.User(t.UID)
				if u == nil {
					return b, false
				}
				return append(b, u.HomeDir...), true
			}),
			threadStr("user.shell", "login shell of the user.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				u := c.State.User(t.UID)
				if u == nil {
					return b, false
				}
				return append(b, u.Shell...), true
			}),
			threadNum("user.loginuid", "INT32", "audit login uid of the process (-1 when unset).", func(c *Ctx, t *state.Thread, v *Value) bool { return setInt(v, int64(t.LoginUID)) }),
			threadStr("user.loginname", "name of the audit login user.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				if t.LoginUID < 0 {
					return b, false
				}
				u := c.State.User(uint32(t.LoginUID))
				if u == nil {
					return b, false
				}
				return append(b, u.Name...), true
			}),
		}})
	Register(&Class{Name: "group", Order: 50, Desc: "Information about the group of the process.",
		Fields: []Field{
			threadNum("group.gid", "UINT64", "group id.", func(c *Ctx, t *state.Thread, v *Value) bool { return setUint(v, KindUint64, uint64(t.GID)) }),
			threadStr("group.name", "group name.", func(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
				g := c.State.Group(t.GID)
				if g == nil {
					return b, false
				}
				return append(b, g.Name...), true
			}),
		}})
}

// sessionName appends proc.sname as sysdig finds it: the thread whose id is
// the session id (a host id, also for threads in a pid namespace), else the most distant
// ancestor of t's process that is still in the session (t's process itself
// when its parent is not).
func sessionName(c *Ctx, t *state.Thread, b []byte) ([]byte, bool) {
	if s := c.State.Thread(t.SID); s != nil {
		return append(b, s.Comm...), true
	}
	mt := c.State.Process(t)
	if mt == nil {
		return b, false
	}
	for i, p := 0, c.State.Parent(mt); p != nil && p.SID == t.SID && i < 256; i, p = i+1, c.State.Parent(p) {
		mt = p
	}
	return append(b, mt.Comm...), true
}

// mainFDs returns the size of the fd table of t's main thread and its
// fd limit, which the process's fd fields read (a main thread not known
// reads as one with no fds and no limit).
func mainFDs(c *Ctx, t *state.Thread) (int, int64) {
	m := c.State.Process(t)
	if m == nil {
		return 0, -1
	}
	return m.FDs().Len(), m.FDLimit
}

// newExectime compiles thread.exectime (total false) and thread.totexectime.
// As in sysdig, each compiled field keeps its own clock per CPU: on a switch
// event the slice is the time since the previous switch on that CPU that the
// field was evaluated on (0 for the first), on other events 0;
// thread.totexectime adds the slices to a per-thread total of its own and
// has no value when the thread is unknown.
func newExectime(total bool) NewFunc {
	return func(string, string) (Extractor, error) {
		last := map[uint16]uint64{}
		// Totals are per tid, for the thread that had it then (a tid
		// reused by a new thread starts again); those of threads gone
		// from the state are dropped when they outnumber the live ones,
		// as thread.cpu does.
		type sum struct {
			t   *state.Thread
			tot uint64
		}
		tot := map[int64]sum{}
		return exFunc(func(c *Ctx, v *Value) bool {
			var d uint64
			if ty := c.Ev.Type; ty == event.EvSwitchE || ty == event.EvSwitchE152 {
				if prev := last[c.Ev.CPU]; prev != 0 {
					d = c.Ev.TS - prev
				}
				last[c.Ev.CPU] = c.Ev.TS
			}
			if total {
				t := c.Thread()
				if t == nil {
					return false
				}
				pruneGone(c, tot, func(e sum) *state.Thread { return e.t })
				e := tot[t.TID]
				if e.t != t {
					e = sum{t: t}
				}
				e.tot += d
				tot[t.TID] = e
				d = e.tot
			}
			return setUint(v, KindRelTime, d)
		}), nil
	}
}

// pruneGone drops the entries of a per-tid memory whose thread is no longer
// the state's thread of that tid, once they outnumber the live threads (a
// live capture runs for as long as the user wants, and sees threads come
// and go).
func pruneGone[E any](c *Ctx, m map[int64]E, thread func(E) *state.Thread) {
	if c.State == nil || len(m) <= 2*c.State.NumThreads()+1024 {
		return
	}
	for tid, e := range m {
		if c.State.Thread(tid) != thread(e) {
			delete(m, tid)
		}
	}
}

// cpuField is thread.cpu (which=3), .user (1) and .system (2): on procinfo
// events, the ticks used since the thread's previous procinfo event
// (capped at 100), 0 for its first one.
func cpuField(name, desc string, which int) Field {
	return withNew(name, "DOUBLE", desc, FlagStateful, func(string, string) (Extractor, error) {
		// As in sysdig, each compiled field remembers the last total it
		// saw per thread (so the delta spans the procinfo events this
		// field was evaluated on), and a remembered 0 counts as none.
		// Entries are per tid, for the thread that had it then; those of
		// threads gone from the state are dropped when they outnumber the
		// live ones (a live capture runs for as long as the user wants).
		type seen struct {
			t   *state.Thread
			tot uint64
		}
		last := map[int64]seen{}
		return exFunc(func(c *Ctx, v *Value) bool {
			t := c.Thread()
			if t == nil || c.Ev.Type != event.ProcInfoE {
				return false
			}
			pruneGone(c, last, func(e seen) *state.Thread { return e.t })
			var tot uint64
			if which&1 != 0 {
				tot += t.CPUUser
			}
			if which&2 != 0 {
				tot += t.CPUSys
			}
			d := 0.0
			if e := last[t.TID]; e.t == t && e.tot != 0 {
				d = float64(tot - e.tot)
				if d > 100 {
					d = 100
				}
			}
			last[t.TID] = seen{t, tot}
			v.Kind = KindDouble
			v.Float = d
			return true
		}), nil
	})
}

// ancestorExt is proc.apid / proc.aname.
type ancestorExt struct {
	names bool
	n     int // -1: every ancestor
}

func newAncestor(names bool) NewFunc {
	return func(name, arg string) (Extractor, error) {
		e := &ancestorExt{names: names, n: -1}
		if arg != "" {
			n, ok := ParseNumber(arg)
			if !ok {
				return nil, fmt.Errorf("wrong argument for %s: %s", name, arg)
			}
			e.n = int(min(max(n, 0), 1<<16)) // a negative level is the process itself
		}
		return e, nil
	}
}

// ancestor returns the n-th ancestor of t's process: 0 is its main
// thread (none when the table does not hold it), each level above is the
// thread the previous one names as its parent, as in sysdig.
func ancestor(c *Ctx, t *state.Thread, n int) *state.Thread {
	if t = c.State.Process(t); t == nil {
		return nil
	}
	for i := 0; i < n && t != nil; i++ {
		t = parentThread(c, t)
	}
	return t
}

// parentThread returns the thread t names as its parent, or nil.
func parentThread(c *Ctx, t *state.Thread) *state.Thread {
	if t.PTID == t.TID {
		return nil
	}
	return c.State.Thread(t.PTID)
}

func (e *ancestorExt) set(t *state.Thread, v *Value) bool {
	if e.names {
		return setStr(v, t.Comm)
	}
	return setInt(v, t.PID)
}

func (e *ancestorExt) Extract(c *Ctx, v *Value) bool {
	// without a level (which filters read as any ancestor), the value is
	// the process's own, as in sysdig
	a := ancestor(c, c.Thread(), max(e.n, 0))
	return a != nil && e.set(a, v)
}

func (e *ancestorExt) Each(c *Ctx, v *Value, fn func(*Value) bool) bool {
	if e.n >= 0 {
		return e.Extract(c, v) && fn(v)
	}
	t := c.State.Process(c.Thread())
	if t == nil {
		return false
	}
	for i := 1; i < 256; i++ {
		if t = parentThread(c, t); t == nil || t.TID == -1 {
			return false
		}
		if e.set(t, v) && fn(v) {
			return true
		}
	}
	return false
}

func newCgroup(name, arg string) (Extractor, error) {
	sb := &strBuf{}
	return exFunc(func(c *Ctx, v *Value) bool {
		t := c.Thread()
		if t == nil {
			return false
		}
		// the subsystem is what precedes an entry's last "=": sysdig
		// finds no "name" in "name=systemd=/x", nor "cpu" in "cpu=/a=b"
		for _, cg := range t.Cgroups {
			if eq := strings.LastIndexByte(cg, '='); eq >= 0 && cg[:eq] == arg {
				sb.b = append(sb.b[:0], cg[eq+1:]...)
				return setStr(v, sb.str())
			}
		}
		return false
	}), nil
}
