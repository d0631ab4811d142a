// SPDX-License-Identifier: Apache-2.0

package state

import (
	"strings"

	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/event"
)

// Clone flags (PPM_CL_*) used by the state machine.
const (
	clFiles        = 0x1
	clFS           = 0x2
	clParent       = 0x100 // CLONE_PARENT: the parent is the caller's parent
	clThread       = 0x2000
	clInverted     = 1 << 16 // the child's clone exit came first and created it
	clChildInPidNS = 1 << 29 // the child is not in the initial PID namespace
)

// cloneStaleNS is how long after its creation by a clone a thread is
// taken for the one a child-side clone exit describes; an older one is a
// thread whose exit was lost, and is replaced.
const cloneStaleNS = 2_000_000_000

// splitNul splits a NUL-separated argument buffer (args, env, cgroups).
func splitNul(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	if b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return []string{}
	}
	return strings.Split(string(b), "\x00")
}

type procParams struct {
	ev *event.Event
}

func (p procParams) str(name string) (string, bool) {
	i := p.ev.ParamIndex(name)
	if i < 0 {
		return "", false
	}
	return p.ev.Str(i)
}

func (p procParams) int(name string) (int64, bool) {
	i := p.ev.ParamIndex(name)
	if i < 0 {
		return 0, false
	}
	return p.ev.Int(i)
}

func (p procParams) list(name string) ([]string, bool) {
	i := p.ev.ParamIndex(name)
	if i < 0 || !p.ev.HasParam(i) {
		return nil, false
	}
	return splitNul(p.ev.Param(i)), true
}

// args reads the argument list: as in sysdig, every NUL ends an argument,
// so a lone NUL is one empty argument (proc.cmdline then ends in a space).
func (p procParams) args() ([]string, bool) {
	i := p.ev.ParamIndex("args")
	if i < 0 || !p.ev.HasParam(i) {
		return nil, false
	}
	b := p.ev.Param(i)
	if len(b) == 0 {
		return nil, true
	}
	if b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return strings.Split(string(b), "\x00"), true
}

// fill copies the process description common to clone and execve exits.
func (t *Thread) fill(p procParams) {
	if v, ok := p.str("exe"); ok {
		t.Exe = v
	}
	if v, ok := p.args(); ok {
		t.Args = v
	}
	if v, ok := p.str("comm"); ok {
		t.Comm = v
	} else if _, ok := p.str("exe"); ok {
		// Old layouts without comm: sysdig takes the exe as it is.
		t.Comm = t.Exe
	}
	// sysdig never takes the cwd argument: a child starts in its
	// parent's cwd and execve keeps the caller's
	if v, ok := p.int("fdlimit"); ok {
		t.FDLimit = v
	}
	if v, ok := p.int("pgft_maj"); ok {
		t.PFMajor = uint64(v)
	}
	if v, ok := p.int("pgft_min"); ok {
		t.PFMinor = uint64(v)
	}
	if v, ok := p.int("vm_size"); ok {
		t.VMSizeKB = uint32(v)
	}
	if v, ok := p.int("vm_rss"); ok {
		t.VMRSSKB = uint32(v)
	}
	if v, ok := p.int("vm_swap"); ok {
		t.VMSwapKB = uint32(v)
	}
	if v, ok := p.list("cgroups"); ok {
		t.Cgroups = cgroupList(v)
	}
	if v, ok := p.int("vtid"); ok {
		t.VTID = v
	}
	if v, ok := p.int("vpid"); ok {
		t.VPID = v
	}
}

// exitClone handles both sides of clone, fork and vfork exits as sysdig
// does. A caller in a child PID namespace (the clone flag says so, or the
// event's vtid differs from its tid) sees the child's tid of its namespace
// in res, so only the child's own exit creates the child; the parent side
// then changes nothing.
func exitClone(s *State, ev *event.Event, t *Thread) {
	res, ok := ev.Int(0)
	if !ok || res < 0 {
		return
	}
	p := procParams{ev}
	flags, _ := p.int("flags")
	// layouts without vtid/vpid: the event's tid, and no vpid
	vtid, vpid := ev.TID, int64(-1)
	if v, ok := p.int("vtid"); ok {
		vtid = v
		vpid, _ = p.int("vpid")
	}
	inPidNS := flags&clChildInPidNS != 0 || vtid != ev.TID
	if res == 0 {
		// Child side: the event's thread is the new one.
		if !t.unknown && t.CloneTS != 0 && s.cur.Event.TS-t.CloneTS > cloneStaleNS {
			s.removeThread(t.TID) // an old thread whose exit was lost
			t = s.addUnknownThread(ev.TID)
			s.cur.Thread = t
		}
		if !t.unknown {
			// known already (created by the parent side, or from the
			// process table): the parent could not know the ids inside
			// the child's namespace
			if inPidNS {
				t.VTID, t.VPID = vtid, vpid
			}
			return
		}
		tid, _ := p.int("tid")
		pid, _ := p.int("pid")
		ptid, _ := p.int("ptid")
		if tid == 0 {
			tid = ev.TID
		}
		// the parent is the ptid argument for a process, the process
		// (pid) for a thread
		if flags&clThread != 0 {
			ptid = pid
		}
		parent := s.threads[ptid]
		if parent == nil {
			// a live capture asks /proc about the parent first
			parent = s.lookupThread(ptid)
		}
		if parent == nil || parent.unknown {
			// sysdig adds the unknown parent and describes it from the
			// event, as it does the child; a parent it knew only as
			// unknown is removed and added afresh (its latency clock,
			// pending enter and fds are gone)
			if parent != nil {
				s.removeThread(ptid)
			}
			parent = s.addUnknownThread(ptid)
			if v, ok := p.str("exe"); ok {
				parent.Exe = v
				parent.Comm = v
			}
			if v, ok := p.str("comm"); ok {
				parent.Comm = v
			}
			if v, ok := p.args(); ok {
				parent.Args = v
			}
			parent.ExePath = parent.Exe
		}
		child := s.newChild(parent, tid, pid, ptid, uint32(flags)|clInverted, inPidNS, vtid, vpid, p)
		child.enter, child.enterBuf, child.hasEnter = t.enter, t.enterBuf, t.hasEnter
		if flags&clParent != 0 {
			// the caller, whose mount namespace it has, is not known
			// yet: the parent's side tells it
			child.MntNS = event.MntNSPending
		}
		s.cur.Thread = child
		return
	}
	// Parent side: res is the child's tid.
	if inPidNS {
		if t.unknown && s.addedNow == t {
			// sysdig does not look such a caller up on its clone exit:
			// no thread at all, unless an earlier event of it added one
			s.removeThread(t.TID)
			s.cur.Thread = nil
		}
		return
	}
	if t.unknown {
		// The caller was not known before: like sysdig, describe it from
		// the event, which carries the caller's process details.
		t.fill(p)
		if v, ok := p.int("pid"); ok {
			s.setPID(t, v)
		}
		if v, ok := p.int("uid"); ok {
			t.UID = uint32(v)
		}
		if v, ok := p.int("gid"); ok {
			t.GID = uint32(v)
		}
		t.unknown = false
	}
	if c := s.threads[res]; c != nil && !c.unknown {
		s.touch(c)
		if c.Flags&clInverted != 0 {
			// the child's exit came first and described it; only the
			// caller knows the mount namespace of a CLONE_PARENT child
			if c.MntNS == event.MntNSPending && flags&(clParent|clNewNS) == clParent && t.MntNS != event.MntNSPending {
				c.MntNS = t.MntNS
			}
			return
		}
		// a thread of that tid whose exit was lost: replaced
		s.removeThread(res)
		// A live capture describes it from /proc when /proc shows it as
		// the caller's child: the caller's clone may return after its
		// child ran (a vfork parent resumes once the child has exec'd), so
		// a child the starting snapshot already held may have exec'd, and
		// a copy of the caller would name it after its parent.
		if n := s.lookupThread(res); n != nil {
			if n.PID == t.PID || n.PTID == t.PID {
				n.CloneTS = s.cur.Event.TS
				s.touch(n)
				return
			}
			s.removeThread(res)
		}
	}
	// the parent of a child the caller's exit creates is the caller,
	// thread or process; a thread's pid is the event's
	pid := res
	if flags&clThread != 0 {
		pid = t.PID
		if v, ok := p.int("pid"); ok {
			pid = v
		}
	}
	s.newChild(t, res, pid, t.TID, uint32(flags), false, 0, 0, p)
}

// newChild adds the thread a clone exit describes. Its vtid and vpid are
// the event's when the child is in a child PID namespace, else its tid
// and pid (a parent-side exit carries the caller's).
func (s *State) newChild(parent *Thread, tid, pid, ptid int64, flags uint32, inPidNS bool, vtid, vpid int64, p procParams) *Thread {
	c := &Thread{TID: tid, PID: pid, PTID: ptid, Flags: flags, CloneTS: s.cur.Event.TS}
	if parent != nil {
		c.SID, c.VPGID = parent.SID, parent.VPGID
		c.ExePath = parent.ExePath
		c.Env = parent.Env
		c.Root = parent.Root
		c.LoginUID = parent.LoginUID
		c.UID, c.GID = parent.UID, parent.GID
		if flags&clThread == 0 {
			c.Cwd = s.Cwd(parent) // a thread's own stays empty (see Cwd)
		}
		c.ContainerID = parent.ContainerID
		c.Comm, c.Exe, c.Args = parent.Comm, parent.Exe, parent.Args
		c.Cgroups = parent.Cgroups
		c.MntNS = parent.MntNS
	}
	if flags&clNewNS != 0 {
		c.MntNS = event.MntNSPending
	}
	s.takePendingNS(c)
	c.fill(p)
	if v, ok := p.int("uid"); ok {
		c.UID = uint32(v)
	}
	if v, ok := p.int("gid"); ok {
		c.GID = uint32(v)
	}
	c.VTID, c.VPID = tid, pid
	if inPidNS {
		c.VTID, c.VPID = vtid, vpid
	}
	switch {
	case parent == nil:
		c.fds = newFDTable()
	case flags&(clFiles|clThread) != 0:
		c.fds = parent.fds
	default:
		c.fds = parent.fds.clone()
	}
	s.setContainer(c)
	s.addThread(c)
	s.mainPlaceholder(c)
	return c
}

// mainPlaceholder adds an unknown main thread for a new non-main thread
// whose process sysdig has not seen (it then shows as "<NA>").
func (s *State) mainPlaceholder(t *Thread) {
	if t.TID != t.PID && t.PID > 0 && s.threads[t.PID] == nil {
		s.addUnknownThread(t.PID)
	}
}

func exitExecve(s *State, ev *event.Event, t *Thread) {
	res, ok := ev.Int(0)
	if !ok || res < 0 {
		return
	}
	p := procParams{ev}
	// parse_execve_exit takes the pid of every thread, the parent only
	// of a thread that has none
	if v, ok := p.int("pid"); ok {
		s.setPID(t, v)
	}
	if t.unknown || t.PTID == -1 {
		if v, ok := p.int("ptid"); ok {
			t.PTID = v
		}
	}
	t.unknown = false
	t.fill(p)
	if v, ok := p.list("env"); ok {
		t.Env = v
	}
	if v, ok := p.int("pgid"); ok {
		t.VPGID = v
	}
	if v, ok := p.int("loginuid"); ok {
		t.LoginUID = int32(v)
	}
	if v, ok := p.int("flags"); ok {
		t.ExeWritable = v&1 != 0
	}
	t.ExePath = t.Exe
	if s.cur.Enter == nil {
		// The call began before capture did (a live capture's probe
		// attached while it ran): the path it was given is unknown, and
		// the exe parameter is only argv[0]. A live capture asks /proc.
		if v := s.lookupExePath(t.TID); v != "" {
			t.ExePath = v
		}
	}
	if e := s.cur.Enter; e != nil {
		if i := e.ParamIndex("filename"); i >= 0 {
			if fn, ok := e.Str(i); ok && fn != "" {
				t.ExePath = s.ResolvePath(t, -100, fn)
			}
		} else if i := e.ParamIndex("pathname"); i >= 0 {
			if fn, ok := e.Str(i); ok && fn != "" {
				d, _ := e.Int(0)
				t.ExePath = s.ResolvePath(t, d, fn)
			}
		}
	}
	s.setContainer(t)
	s.resolveMountNS(t)
}

// setContainer derives t's container from its cgroups. A container seen
// for the first time is looked up once (live captures) or described from
// its cgroup path (capture files); events never cause lookups of their
// own.
func (s *State) setContainer(t *Thread) {
	ref := container.FromCgroups(t.Cgroups)
	t.ContainerID = ref.ID
	if ref.Host() || s.containers[ref.ID] != nil {
		return
	}
	if s.opts.Containers == nil {
		// A capture file: what the cgroup path says, until metadata
		// comes. Not logged, so writers carry no metadata of their own
		// making.
		if c := container.Stub(ref); c != nil {
			s.containers[c.ID] = c
			s.lastCtrID, s.lastCtr = "", nil
		}
		return
	}
	s.putContainer(s.opts.Containers.Lookup(ref))
}

// putContainer adds or replaces a container and logs it for writers.
func (s *State) putContainer(c *Container) {
	s.containers[c.ID] = c
	s.lastCtrID, s.lastCtr = "", nil
	s.containerLog = append(s.containerLog, c)
}

// ContainerLog returns every container added to the table since the last
// Load, in the order they were added (a replaced container appears again).
// Capture writers use it to write each one once; the slice only grows.
func (s *State) ContainerLog() []*Container { return s.containerLog }

func enterContainerJSON(s *State, ev *event.Event, _ *Thread) { s.addContainerEvent(ev) }

// addContainerEvent adds the container a metadata event describes and
// returns its id ("" when the event names none).
func (s *State) addContainerEvent(ev *event.Event) string {
	if ev.NParams == 1 {
		raw, _ := ev.Str(0)
		return s.AddContainerJSON(raw)
	}
	// Old layout: id, type, name, image.
	id, _ := ev.Str(0)
	if id == "" {
		return ""
	}
	typ, _ := ev.Uint(1)
	name, _ := ev.Str(2)
	image, _ := ev.Str(3)
	c := &Container{ID: id, FullID: id, Name: name, Image: image, Type: container.TypeName(int(typ))}
	s.putContainer(c)
	return id
}

// AddContainerJSON adds or replaces a container from sysdig's container JSON
// ({"container":{"id":...,"name":...,...}}) and returns its id. Malformed
// input is counted and ignored ("" is returned).
func (s *State) AddContainerJSON(raw string) string {
	s.gen++
	c, err := container.ParseJSON(raw)
	if err != nil {
		s.Counters.BadParams++
		return ""
	}
	s.putContainer(c)
	return c.ID
}

// cgroupList is a thread's cgroups as sysdig keeps them from a process
// event or the process table: the "subsystem=path" entries up to the first
// that has no "=" (an empty one, or a cgroup v2 "0::/path" line, ends the
// list), with the v2 "io" controller named as v1's "blkio". The subsystem
// is what precedes the entry's last "=" (thread.cgroup.SUBSYSTEM looks it up so).
func cgroupList(v []string) []string {
	out, copied := v, false
	for i, cg := range v {
		eq := strings.LastIndexByte(cg, '=')
		if eq < 0 {
			return out[:i]
		}
		if cg[:eq] == "io" {
			if !copied {
				out, copied = append([]string(nil), v...), true
			}
			out[i] = "blkio" + cg[eq:]
		}
	}
	return out
}
