// SPDX-License-Identifier: Apache-2.0

package state

import (
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// Handlers of the calls that change a process or thread: working and root
// directory, credentials, session and group, memory, scheduling, exit and
// the procinfo snapshots.

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

// setCwd sets the cwd of t's whole process, which is kept on its main
// thread (sysdig's set_cwd; a main thread not known yet is added as an
// unknown thread).  An empty path leaves the cwd as it is, with its trailing slash.
func (s *State) setCwd(t *Thread, cwd string) {
	p := s.Process(t)
	if p == nil {
		// set_cwd looks the main thread up, which adds it unknown
		p = s.addUnknownThread(t.PID)
	}
	if cwd == "" {
		if cwd = p.Cwd; !strings.HasSuffix(cwd, "/") {
			cwd += "/"
		}
	} else {
		cwd = normCwd(cwd)
	}
	p.Cwd = cwd
	s.touch(p)
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

// enterSwitch takes the page-fault counters the scheduler event carries
// for the thread being switched out, and its process's memory figures.
func enterSwitch(s *State, ev *event.Event, t *Thread) {
	if t == nil || ev.NParams < 6 {
		return
	}
	t.PFMajor, _ = ev.Uint(1)
	t.PFMinor, _ = ev.Uint(2)
	// the memory figures are the process's: sysdig keeps them on the
	// main thread (added unknown when the table does not hold it)
	m := s.Process(t)
	if m == nil {
		m = s.addUnknownThread(t.PID)
	}
	v, _ := ev.Uint(3)
	m.VMSizeKB = uint32(v)
	v, _ = ev.Uint(4)
	m.VMRSSKB = uint32(v)
	v, _ = ev.Uint(5)
	m.VMSwapKB = uint32(v)
	s.touch(m)
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
