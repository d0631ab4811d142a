// SPDX-License-Identifier: Apache-2.0

package state

import (
	"encoding/json"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// Clone flags (PPM_CL_*) used by the state machine.
const (
	clFiles  = 0x1
	clFS     = 0x2
	clThread = 0x2000
)

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

// fill copies the process description common to clone and execve exits.
func (t *Thread) fill(p procParams) {
	if v, ok := p.str("exe"); ok {
		t.Exe = v
	}
	if v, ok := p.list("args"); ok {
		t.Args = v
	}
	if v, ok := p.str("comm"); ok {
		t.Comm = v
	} else if t.Exe != "" {
		// Old layouts without comm: the exe's base name, as the kernel
		// truncates it.
		c := t.Exe
		if i := strings.LastIndexByte(c, '/'); i >= 0 {
			c = c[i+1:]
		}
		if len(c) > 15 {
			c = c[:15]
		}
		t.Comm = c
	}
	if v, ok := p.str("cwd"); ok && v != "" {
		t.Cwd = normCwd(v)
	}
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
		t.Cgroups = v
	}
	if v, ok := p.int("vtid"); ok {
		t.VTID = v
	}
	if v, ok := p.int("vpid"); ok {
		t.VPID = v
	}
}

func exitClone(s *State, ev *event.Event, t *Thread) {
	res, ok := ev.Int(0)
	if !ok || res < 0 {
		return
	}
	p := procParams{ev}
	flags, _ := p.int("flags")
	if res == 0 {
		// Child side: the event's thread is the new one.
		if !t.unknown && t.CloneTS != 0 {
			return
		}
		tid, _ := p.int("tid")
		pid, _ := p.int("pid")
		ptid, _ := p.int("ptid")
		if tid == 0 {
			tid = ev.TID
		}
		parent := s.threads[ptid]
		if flags&clThread != 0 {
			if main := s.threads[pid]; main != nil {
				parent = main
			}
		}
		child := s.newChild(parent, tid, pid, ptid, uint32(flags), p)
		child.enter, child.enterBuf, child.hasEnter = t.enter, t.enterBuf, t.hasEnter
		s.cur.Thread = child
		return
	}
	// Parent side: res is the child's tid.
	if c := s.threads[res]; c != nil && !c.unknown {
		return
	}
	pid, ptid := res, t.TID
	if flags&clThread != 0 {
		pid = t.PID
		ptid = t.PTID
	} else if t.TID != t.PID {
		ptid = t.PID
	}
	s.newChild(t, res, pid, ptid, uint32(flags), p)
}

func (s *State) newChild(parent *Thread, tid, pid, ptid int64, flags uint32, p procParams) *Thread {
	c := &Thread{TID: tid, PID: pid, PTID: ptid, Flags: flags, CloneTS: s.cur.Event.TS}
	if parent != nil {
		c.SID, c.VPGID = parent.SID, parent.VPGID
		c.ExePath = parent.ExePath
		c.Env = parent.Env
		c.Root = parent.Root
		c.LoginUID = parent.LoginUID
		c.UID, c.GID = parent.UID, parent.GID
		c.Cwd = parent.Cwd
		c.ContainerID = parent.ContainerID
		c.Comm, c.Exe, c.Args = parent.Comm, parent.Exe, parent.Args
		c.Cgroups = parent.Cgroups
	}
	c.fill(p)
	if v, ok := p.int("uid"); ok {
		c.UID = uint32(v)
	}
	if v, ok := p.int("gid"); ok {
		c.GID = uint32(v)
	}
	if c.VTID == 0 {
		c.VTID, c.VPID = tid, pid
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
	s.keepThread(c)
	if parent != nil && s.threads[c.TID] == c {
		parent.nchilds++
		c.creator = parent.TID
	}
	return c
}

func exitExecve(s *State, ev *event.Event, t *Thread) {
	res, ok := ev.Int(0)
	if !ok || res < 0 {
		return
	}
	p := procParams{ev}
	if t.unknown {
		if v, ok := p.int("pid"); ok {
			s.setPID(t, v)
		}
		if v, ok := p.int("ptid"); ok {
			t.PTID = v
		}
		t.unknown = false
	}
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
}

// containerIDFromCgroups finds a container id in cgroup paths the way
// sysdig's resolvers do: a 64-hex-digit path component, possibly wrapped as
// "docker-<id>.scope", "crio-<id>.scope", "cri-containerd-<id>.scope" or
// "libpod-<id>.scope", shortened to its first 12 digits.
func containerIDFromCgroups(cgs []string) (id, kind string) {
	for _, cg := range cgs {
		path := cg
		if i := strings.IndexByte(cg, '='); i >= 0 {
			path = cg[i+1:]
		}
		for path != "" {
			j := strings.LastIndexByte(path, '/')
			comp := path[j+1:]
			if j < 0 {
				path = ""
			} else {
				path = path[:j]
			}
			k := "docker"
			c := strings.TrimSuffix(comp, ".scope")
			for _, pre := range [...]struct{ p, k string }{
				{"docker-", "docker"}, {"crio-", "cri-o"}, {"cri-containerd-", "containerd"}, {"libpod-", "podman"},
			} {
				if strings.HasPrefix(c, pre.p) {
					c, k = c[len(pre.p):], pre.k
					break
				}
			}
			if len(c) == 64 && isHex(c) {
				if strings.Contains(cg, "kubepods") && k == "docker" && !strings.Contains(cg, "docker") {
					k = "containerd"
				}
				return c[:12], k
			}
		}
	}
	return "", ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// setContainer derives t's container from its cgroups.
func (s *State) setContainer(t *Thread) {
	id, kind := containerIDFromCgroups(t.Cgroups)
	t.ContainerID = id
	if id != "" && s.containers[id] == nil {
		s.containers[id] = &Container{ID: id, Type: kind}
	}
}

// containerJSON is the part of a container event's JSON ferret uses.
type containerJSON struct {
	Container struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Image      string `json:"image"`
		ImageID    string `json:"imageid"`
		ImageRepo  string `json:"imagerepo"`
		ImageTag   string `json:"imagetag"`
		Type       int    `json:"type"`
		Privileged bool   `json:"privileged"`
		Mounts     []struct {
			Source      string `json:"Source"`
			Destination string `json:"Destination"`
			Mode        string `json:"Mode"`
			RW          bool   `json:"RW"`
		} `json:"Mounts"`
	} `json:"container"`
}

var containerTypes = [...]string{"docker", "lxc", "libvirt-lxc", "mesos", "rkt", "custom", "cri", "containerd", "cri-o", "bpm", "static", "podman"}

func enterContainerJSON(s *State, ev *event.Event, _ *Thread) {
	if ev.NParams == 1 {
		raw, _ := ev.Str(0)
		s.AddContainerJSON(raw)
		return
	}
	// Old layout: id, type, name, image.
	id, _ := ev.Str(0)
	if id == "" {
		return
	}
	typ, _ := ev.Uint(1)
	name, _ := ev.Str(2)
	image, _ := ev.Str(3)
	c := &Container{ID: id, Name: name, Image: image}
	if int(typ) < len(containerTypes) {
		c.Type = containerTypes[typ]
	}
	s.containers[id] = c
}

// AddContainerJSON adds or replaces a container from sysdig's container JSON
// ({"container":{"id":...,"name":...,...}}). Malformed input is counted and
// ignored.
func (s *State) AddContainerJSON(raw string) {
	var cj containerJSON
	if err := json.Unmarshal([]byte(raw), &cj); err != nil || cj.Container.ID == "" {
		s.Counters.BadParams++
		return
	}
	cc := cj.Container
	c := &Container{ID: cc.ID, Name: cc.Name, Image: cc.Image, ImageID: cc.ImageID,
		ImageRepo: cc.ImageRepo, ImageTag: cc.ImageTag, Privileged: cc.Privileged, JSON: raw}
	if cc.Type >= 0 && cc.Type < len(containerTypes) {
		c.Type = containerTypes[cc.Type]
	}
	for _, m := range cc.Mounts {
		c.Mounts = append(c.Mounts, m.Source+":"+m.Destination+":"+m.Mode)
	}
	s.containers[c.ID] = c
}
