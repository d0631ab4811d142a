// SPDX-License-Identifier: Apache-2.0

package state

import (
	"path"
	"sort"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// The mount tables are machine state: they come with the snapshot a
// capture starts from (the capturing machine's mountinfo, one table per
// mount namespace its threads are in) and follow the capture's successful
// mount and umount calls, each applied to its caller's namespace, so that
// a replayed capture describes the machine that recorded it.
//
// Each thread knows its mount namespace (Thread.MntNS). A child is in its
// parent's, unless clone was given CLONE_NEWNS; unshare(CLONE_NEWNS) and
// setns move the caller to a namespace the events do not name: the thread
// is then pending (its fd.mnt.* fields are unknown) until its next execve,
// where a live capture asks /proc which namespace it is in, and reads that
// namespace's table (once per namespace) when it is new. Every such
// answer is logged (MountNSLog) so that capture writers carry it; a
// replay applies it from the file at the same place (enterMountNS).

func init() {
	onExit(exitMount, "mount")
	onExit(exitUmount, "umount")
	onExit(exitUnshare, "unshare")
	onExit(exitSetns, "setns")
	on(enterInfra, "infra")
}

// clNewNS is PPM_CL_CLONE_NEWNS in clone, unshare and setns flags.
const clNewNS = 0x20

// maxMountNS bounds the number of mount namespace tables kept.
const maxMountNS = 4096

// maxMountNSLookups bounds the namespace look-ups of pending threads.
const maxMountNSLookups = DefaultMaxLookups

// maxPendingNS bounds the namespace assignments of capture files waiting
// for their thread to appear.
const maxPendingNS = 1 << 12

// Mounts returns the mount table of the capture's own namespace (nil when
// the capture carries none) and a generation number that changes whenever
// any table does.
func (s *State) Mounts() ([]event.Mount, uint64) { return s.mounts, s.mountGen }

// MountGen changes whenever a mount table does.
func (s *State) MountGen() uint64 { return s.mountGen }

// MountsOf returns the mount table of t's mount namespace and a key
// naming that namespace (0 for the capture's own). known is false when
// t's namespace is not known (it is pending, or its table could not be
// read); ms is then nil. For the capture's own namespace ms is nil when
// the capture carries no table.
func (s *State) MountsOf(t *Thread) (ms []event.Mount, key uint64, known bool) {
	if t == nil || t.MntNS == 0 || t.MntNS == s.ownNS {
		return s.mounts, 0, true
	}
	ms, known = s.nsMounts[t.MntNS]
	if !known {
		return nil, t.MntNS, false
	}
	return ms, t.MntNS, true
}

// OwnMountNS returns the id of the capture's own mount namespace (0 when
// unknown).
func (s *State) OwnMountNS() uint64 { return s.ownNS }

// MountNSLog returns the namespace look-ups of a live capture since the
// last Load, in order; capture writers write each one once. The slice only
// grows.
func (s *State) MountNSLog() []event.MountNSRecord { return s.nsLog }

func (s *State) setMounts(snap *event.Snapshot) {
	s.mounts, s.ownNS, s.nsMounts, s.nsPart = nil, 0, nil, nil
	s.nsLog, s.pendingNS = nil, nil
	s.mountGen++
	if snap == nil {
		return
	}
	if snap.Mounts != nil {
		s.mounts = append([]event.Mount{}, snap.Mounts...)
	}
	s.ownNS = snap.MountNS
	for _, mt := range snap.MountTables {
		if mt.NS == 0 || mt.NS == s.ownNS || mt.NS == event.MntNSPending {
			continue
		}
		s.putNS(mt.NS, append([]event.Mount{}, mt.Mounts...))
	}
}

func (s *State) putNS(ns uint64, ms []event.Mount) {
	if s.nsMounts == nil {
		s.nsMounts = make(map[uint64][]event.Mount)
	}
	if ms == nil {
		ms = []event.Mount{}
	}
	s.nsMounts[ns] = ms
	s.mountGen++
}

func (s *State) knownNS(ns uint64) bool {
	if ns == s.ownNS {
		return true
	}
	_, ok := s.nsMounts[ns]
	return ok
}

// snapshotMounts adds the mount tables to snap.
func (s *State) snapshotMounts(snap *event.Snapshot) {
	if s.mounts != nil {
		snap.Mounts = append([]event.Mount{}, s.mounts...)
	}
	snap.MountNS = s.ownNS
	for ns, ms := range s.nsMounts {
		snap.MountTables = append(snap.MountTables, event.MountTable{NS: ns, Mounts: append([]event.Mount{}, ms...)})
	}
	sort.Slice(snap.MountTables, func(i, j int) bool { return snap.MountTables[i].NS < snap.MountTables[j].NS })
}

// tableOf returns a pointer to the table mount and umount calls of t
// change, or nil when there is none to change.
func (s *State) tableOf(t *Thread) *[]event.Mount {
	if t == nil || t.MntNS == 0 || t.MntNS == s.ownNS {
		if s.mounts == nil {
			return nil
		}
		return &s.mounts
	}
	if _, ok := s.nsMounts[t.MntNS]; !ok {
		return nil
	}
	ms := s.nsMounts[t.MntNS]
	return &ms
}

// storeTable stores a table tableOf returned and changed.
func (s *State) storeTable(t *Thread, ms []event.Mount) {
	if t == nil || t.MntNS == 0 || t.MntNS == s.ownNS {
		s.mounts = ms
	} else {
		s.nsMounts[t.MntNS] = ms
	}
	s.mountGen++
}

// msNoNewMount are the mount flags of calls that change a mount (its
// options, place or propagation) without adding one: MS_REMOUNT, MS_MOVE,
// MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED.
const msNoNewMount = 0x20 | 0x2000 | 0x20000 | 0x40000 | 0x80000 | 0x100000

func exitMount(s *State, ev *event.Event, t *Thread) {
	tab := s.tableOf(t)
	if tab == nil {
		return
	}
	if res, ok := ev.Int(0); !ok || res != 0 {
		return
	}
	if e := s.cur.Enter; e != nil {
		if f, _ := e.Uint(0); f&msNoNewMount != 0 {
			return
		}
	}
	str := func(i int) string { v, _ := ev.Str(i); return v }
	dir := str(2)
	if dir == "" || dir[0] != '/' {
		return
	}
	s.storeTable(t, append(*tab, event.Mount{Point: path.Clean(dir), Source: str(1), FSType: str(3)}))
}

func exitUmount(s *State, ev *event.Event, t *Thread) {
	tab := s.tableOf(t)
	if tab == nil {
		return
	}
	if res, ok := ev.Int(0); !ok || res != 0 {
		return
	}
	name, _ := ev.Str(1)
	if name == "" || name[0] != '/' {
		return
	}
	name = path.Clean(name)
	// The latest mount on that point goes.
	ms := *tab
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Point == name {
			out := append(append(make([]event.Mount, 0, len(ms)-1), ms[:i]...), ms[i+1:]...)
			s.storeTable(t, out)
			return
		}
	}
}

// exitUnshare: unshare(CLONE_NEWNS) gives the caller a namespace of its
// own, a copy of its old one that the events do not name.
func exitUnshare(s *State, ev *event.Event, t *Thread) {
	e := s.cur.Enter
	if t == nil || e == nil {
		return
	}
	if res, ok := ev.Int(0); !ok || res != 0 {
		return
	}
	if f, _ := e.Uint(0); f&clNewNS != 0 {
		t.MntNS = event.MntNSPending
	}
}

// exitSetns: setns with CLONE_NEWNS, or with 0 (any namespace type: the
// descriptor decides), may move the caller to another mount namespace.
// When the descriptor is a namespace file of /proc (/proc/<pid>/ns/mnt,
// as runc and nsenter open them) the move is known from the state: into
// that thread's namespace, or none for another namespace type.
func exitSetns(s *State, ev *event.Event, t *Thread) {
	e := s.cur.Enter
	if t == nil || e == nil {
		return
	}
	if res, ok := ev.Int(0); !ok || res != 0 {
		return
	}
	f, _ := e.Uint(1)
	if f != 0 && f&clNewNS == 0 {
		return
	}
	if fd := s.cur.FD; fd != nil && (t.VTID == t.TID || t.VTID <= 0) { // not in a child pid namespace: /proc is the host's
		if tid, kind, ok := procNSFile(fd.Name); ok {
			if kind != "mnt" && f == 0 {
				return // another namespace type
			}
			if o := s.threads[tid]; kind == "mnt" && o != nil && !o.unknown && o.MntNS != event.MntNSPending {
				t.MntNS = o.MntNS
				return
			}
		}
	}
	t.MntNS = event.MntNSPending
}

// procNSFile parses /proc/<tid>/ns/<kind> and /proc/<pid>/task/<tid>/ns/<kind>.
func procNSFile(name string) (tid int64, kind string, ok bool) {
	rest, ok := strings.CutPrefix(name, "/proc/")
	if !ok {
		return 0, "", false
	}
	num := func() bool {
		i := 0
		var v int64
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' && i < 10 {
			v = v*10 + int64(rest[i]-'0')
			i++
		}
		if i == 0 || i == len(rest) || rest[i] != '/' {
			return false
		}
		tid, rest = v, rest[i+1:]
		return true
	}
	if !num() {
		return 0, "", false
	}
	if r, ok := strings.CutPrefix(rest, "task/"); ok {
		rest = r
		if !num() {
			return 0, "", false
		}
	}
	kind, ok = strings.CutPrefix(rest, "ns/")
	if !ok || kind == "" || strings.IndexByte(kind, '/') >= 0 {
		return 0, "", false
	}
	return tid, kind, true
}

// resolveMountNS asks a live capture which mount namespace the pending
// thread t is in (at its execve: the namespace is set up by then), reads
// that namespace's table when it is new, and logs the answer.
func (s *State) resolveMountNS(t *Thread) {
	if s.opts.MountNS == nil || t.MntNS != event.MntNSPending {
		return
	}
	if s.Counters.MountNSLookups >= maxMountNSLookups {
		return // stays pending
	}
	s.Counters.MountNSLookups++
	ns, ok := s.opts.MountNS(t.TID)
	if !ok || ns == 0 {
		s.Counters.MountNSFailed++
		return
	}
	t.MntNS = ns
	s.learnNS(t, true)
}

// learnNS reads the table of t's namespace when it is not known (live
// captures, within maxMountNS) and logs that t is in it; known namespaces
// are logged only when always is set or they are not the capture's own.
func (s *State) learnNS(t *Thread, always bool) {
	ns := t.MntNS
	if ns == 0 || ns == event.MntNSPending {
		return
	}
	rec := event.MountNSRecord{TID: t.TID, NS: ns}
	if !s.knownNS(ns) && s.opts.MountTable != nil && len(s.nsMounts) < maxMountNS {
		if ms, ok := s.opts.MountTable(t.TID); ok {
			s.putNS(ns, ms)
			rec.Mounts = s.nsMounts[ns]
		}
	}
	if !always && ns == s.ownNS {
		return
	}
	s.nsLog = append(s.nsLog, rec)
}

// enterInfra applies the mount-namespace records a capture file carries
// (written from MountNSLog as infrastructure events).
func enterInfra(s *State, ev *event.Event, _ *Thread) {
	p, ok, err := event.ParseMountNSEvent(ev)
	if !ok {
		return
	}
	if err != nil {
		s.Counters.BadParams++
		return
	}
	if p.Part > 0 {
		if p.Part == 1 {
			s.nsPart = &event.MountNSRecord{TID: p.TID, NS: p.NS, Mounts: []event.Mount{}}
		}
		r := s.nsPart
		if r == nil || r.TID != p.TID || r.NS != p.NS {
			s.Counters.BadParams++
			s.nsPart = nil
			return
		}
		r.Mounts = append(r.Mounts, p.Mounts...)
		if p.Part < p.Parts {
			return
		}
		s.nsPart = nil
		if p.NS != s.ownNS && (s.knownNS(p.NS) || len(s.nsMounts) < maxMountNS) {
			s.putNS(p.NS, r.Mounts)
		}
	}
	if t := s.threads[p.TID]; t != nil {
		t.MntNS = p.NS
		s.touch(t)
		return
	}
	// a thread the file describes later (one a live capture looked up
	// in /proc): it is in that namespace once it appears
	if s.pendingNS == nil || len(s.pendingNS) >= maxPendingNS {
		s.pendingNS = make(map[int64]uint64)
	}
	s.pendingNS[p.TID] = p.NS
}

// takePendingNS gives a thread just added the namespace a capture file
// assigned it before it appeared.
func (s *State) takePendingNS(t *Thread) {
	if ns, ok := s.pendingNS[t.TID]; ok {
		t.MntNS = ns
		delete(s.pendingNS, t.TID)
	}
}
