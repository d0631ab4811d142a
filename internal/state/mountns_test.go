// SPDX-License-Identifier: Apache-2.0

package state

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

const (
	nsHost = 4026531841
	nsCtr  = 4026532500
	nsNew  = 4026532600
)

var (
	hostTable = []event.Mount{{ID: 1, Point: "/", FSType: "ext4", Source: "/dev/sda1"}}
	ctrTable  = []event.Mount{{ID: 90, Point: "/", FSType: "overlay", Source: "overlay"},
		{ID: 91, Parent: 90, Point: "/scratch", FSType: "tmpfs", Source: "tmpfs"}}
	newTable = []event.Mount{{ID: 95, Point: "/", FSType: "overlay", Source: "overlay"},
		{ID: 96, Parent: 95, Point: "/data", FSType: "nfs4", Source: "srv:/export"}}
)

// nsSnapshot is baseSnapshot with the shell and its threads in the host's
// mount namespace and the app (200, 201) in a container's.
func nsSnapshot() *event.Snapshot {
	snap := baseSnapshot()
	snap.Mounts = hostTable
	snap.MountNS = nsHost
	snap.MountTables = []event.MountTable{{NS: nsCtr, Mounts: ctrTable}}
	snap.Threads[0].MntNS = nsHost
	snap.Threads[1].MntNS = nsCtr
	snap.Threads[2].MntNS = nsCtr
	return snap
}

func mountPoint(s *State, tid int64) string {
	ms, _, known := s.MountsOf(s.Thread(tid))
	if !known {
		return "?"
	}
	var out string
	for _, m := range ms {
		out += m.Point + ":" + m.FSType + " "
	}
	return out
}

// infraEvents encodes rec as a capture writer does (event.MountNSEvents).
func infraEvents(t *testing.T, rec event.MountNSRecord, ts uint64) []*event.Event {
	var out []*event.Event
	event.MountNSEvents(&rec, func(scope, desc string) {
		out = append(out, mkTyped(t, event.EvInfraE, ts, rec.TID, event.MountNSSource, event.MountNSName, desc, scope))
	})
	return out
}

func execveExit(t *testing.T, ts uint64, tid int64) *event.Event {
	return mkEvent(t, "execve", false, ts, tid, int64(0), "tool", "-v\x00", tid, tid, int64(100),
		"/srv", uint64(1024), uint64(0), uint64(0), uint64(1), uint64(1), uint64(0), "tool", "cpu=/\x00", "A=1\x00",
		uint64(0), tid, uint64(1000), uint64(0))
}

func TestMountNamespaceTables(t *testing.T) {
	s := New(Options{})
	s.Load(nsSnapshot())
	host, ctr := "/:ext4 ", "/:overlay /scratch:tmpfs "
	if got := mountPoint(s, 100); got != host {
		t.Errorf("host shell sees %q", got)
	}
	if got := mountPoint(s, 201); got != ctr {
		t.Errorf("container thread sees %q", got)
	}
	if _, key, _ := s.MountsOf(s.Thread(100)); key != 0 {
		t.Errorf("the capture's own namespace has key %d", key)
	}
	// a mount inside the container changes the container's table only
	s.Update(mkEvent(t, "mount", true, 1, 200, uint64(0)))
	s.Update(mkEvent(t, "mount", false, 2, 200, int64(0), "srv:/x", "/mnt", "nfs4"))
	if got := mountPoint(s, 200); got != ctr+"/mnt:nfs4 " {
		t.Errorf("after the container's mount: %q", got)
	}
	if got := mountPoint(s, 100); got != host {
		t.Errorf("the host's table changed: %q", got)
	}
	s.Update(mkEvent(t, "umount", true, 3, 200, uint64(0)))
	s.Update(mkEvent(t, "umount", false, 4, 200, int64(0), "/mnt"))
	if got := mountPoint(s, 200); got != ctr {
		t.Errorf("after the container's umount: %q", got)
	}
	// children inherit the namespace, unless clone was given CLONE_NEWNS
	s.Update(mkEvent(t, "clone", true, 5, 200))
	s.Update(mkEvent(t, "clone", false, 6, 200, cloneArgs(300, 200, 200, 100, 0)...))
	if got := mountPoint(s, 300); got != ctr {
		t.Errorf("the container's child sees %q", got)
	}
	s.Update(mkEvent(t, "clone", true, 7, 100))
	s.Update(mkEvent(t, "clone", false, 8, 100, cloneArgs(400, 100, 100, 1, clNewNS)...))
	if got := mountPoint(s, 400); got != "?" {
		t.Errorf("a child in a new namespace sees %q, want it unknown", got)
	}
	// the snapshot keeps all of it, the pending thread too
	s2 := New(Options{})
	s2.Load(s.Snapshot())
	for _, tid := range []int64{100, 200, 201, 300, 400} {
		if a, b := mountPoint(s, tid), mountPoint(s2, tid); a != b {
			t.Errorf("thread %d sees %q, %q once reloaded from the snapshot", tid, a, b)
		}
	}
}

func TestMountNamespaceMoves(t *testing.T) {
	for _, tc := range []struct {
		name string
		move func(t *testing.T, s *State)
	}{
		{"unshare", func(t *testing.T, s *State) {
			s.Update(mkEvent(t, "unshare", true, 1, 100, uint64(clNewNS)))
			s.Update(mkEvent(t, "unshare", false, 2, 100, int64(0)))
		}},
		{"setns", func(t *testing.T, s *State) {
			s.Update(mkEvent(t, "setns", true, 1, 100, int64(0), uint64(clNewNS)))
			s.Update(mkEvent(t, "setns", false, 2, 100, int64(0)))
		}},
		{"setns of any type", func(t *testing.T, s *State) {
			s.Update(mkEvent(t, "setns", true, 1, 100, int64(0), uint64(0)))
			s.Update(mkEvent(t, "setns", false, 2, 100, int64(0)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{})
			s.Load(nsSnapshot())
			tc.move(t, s)
			if got := mountPoint(s, 100); got != "?" {
				t.Errorf("moved thread sees %q, want it unknown", got)
			}
		})
	}
	// calls that fail, or unshare other namespaces, move nothing
	s := New(Options{})
	s.Load(nsSnapshot())
	s.Update(mkEvent(t, "unshare", true, 1, 100, uint64(0x10)))
	s.Update(mkEvent(t, "unshare", false, 2, 100, int64(0)))
	s.Update(mkEvent(t, "setns", true, 3, 100, int64(0), uint64(clNewNS)))
	s.Update(mkEvent(t, "setns", false, 4, 100, int64(-1)))
	if got := mountPoint(s, 100); got != "/:ext4 " {
		t.Errorf("thread sees %q", got)
	}
}

// TestMountNamespaceLookup: a live capture asks which namespace a moved
// thread is in at its execve, reads a new namespace's table once, and logs
// every answer; a replay of the logged records (as a capture file carries
// them) assigns the same namespaces.
func TestMountNamespaceLookup(t *testing.T) {
	tables := 0
	nsOf := map[int64]uint64{100: nsNew, 200: nsNew, 201: nsCtr}
	opts := Options{
		MountNS: func(tid int64) (uint64, bool) { ns, ok := nsOf[tid]; return ns, ok },
		MountTable: func(tid int64) ([]event.Mount, bool) {
			tables++
			if nsOf[tid] != nsNew {
				return nil, false
			}
			return newTable, true
		},
	}
	live := New(opts)
	live.Load(nsSnapshot())
	var stream []*event.Event
	feed := func(ev *event.Event) {
		before := len(live.MountNSLog())
		live.Update(ev)
		// a writer puts the records ahead of the event they came with
		for _, rec := range live.MountNSLog()[before:] {
			stream = append(stream, infraEvents(t, rec, ev.TS)...)
		}
		stream = append(stream, ev)
	}
	for i, tid := range []int64{100, 200} {
		ts := uint64(10 * i)
		feed(mkEvent(t, "unshare", true, ts+1, tid, uint64(clNewNS)))
		feed(mkEvent(t, "unshare", false, ts+2, tid, int64(0)))
		feed(mkEvent(t, "execve", true, ts+3, tid, "/usr/bin/tool"))
		feed(execveExit(t, ts+4, tid))
	}
	want := "/:overlay /data:nfs4 "
	for _, tid := range []int64{100, 200} {
		if got := mountPoint(live, tid); got != want {
			t.Errorf("thread %d sees %q after its execve, want %q", tid, got, want)
		}
	}
	if tables != 1 {
		t.Errorf("the new namespace's table was read %d times, want once", tables)
	}
	log := live.MountNSLog()
	if len(log) != 2 || log[0].TID != 100 || log[0].NS != nsNew || !reflect.DeepEqual(log[0].Mounts, newTable) ||
		log[1].TID != 200 || log[1].Mounts != nil {
		t.Errorf("log %+v", log)
	}
	if live.Counters.MountNSLookups != 2 {
		t.Errorf("counters %+v", live.Counters)
	}

	replay := New(Options{})
	replay.Load(nsSnapshot())
	for _, ev := range stream {
		replay.Update(ev)
	}
	for _, tid := range []int64{100, 200, 201} {
		if a, b := mountPoint(live, tid), mountPoint(replay, tid); a != b {
			t.Errorf("thread %d: live %q, replay %q", tid, a, b)
		}
	}
	if replay.Counters.BadParams != 0 {
		t.Errorf("replay counters %+v", replay.Counters)
	}
}

// TestMountNamespaceRecordParts: a table too large for one event's
// parameter travels in parts, and a record naming a thread the replay
// does not know yet applies once the thread appears.
func TestMountNamespaceRecordParts(t *testing.T) {
	var big []event.Mount
	for i := 0; i < 2000; i++ {
		big = append(big, event.Mount{ID: i + 1, Parent: 1, Dev: "0:1", Root: "/", Options: "rw,relatime",
			Point: fmt.Sprintf("/srv/some/long/path/for/mount/number/%04d", i), FSType: "tmpfs", Source: "tmpfs", SuperOpts: "rw"})
	}
	evs := infraEvents(t, event.MountNSRecord{TID: 555, NS: nsNew, Mounts: big}, 5)
	if len(evs) < 2 {
		t.Fatalf("%d events for a large table", len(evs))
	}
	s := New(Options{})
	s.Load(nsSnapshot())
	for _, ev := range evs {
		s.Update(ev)
	}
	s.Update(mkEvent(t, "read", true, 6, 555, int64(3), uint64(10)))
	ms, key, known := s.MountsOf(s.Thread(555))
	if !known || key != nsNew || !reflect.DeepEqual(ms, big) {
		t.Errorf("thread 555: known %v key %d, %d mounts", known, key, len(ms))
	}
	if s.Counters.BadParams != 0 {
		t.Errorf("counters %+v", s.Counters)
	}
}

// TestMountNamespaceCloneParent: a CLONE_PARENT child whose own clone exit
// comes first names its grandparent as parent; it is in the caller's
// namespace, which the caller's exit then tells. Mount calls that only
// change a mount's propagation or options add no mount.
func TestMountNamespaceCloneParent(t *testing.T) {
	s := New(Options{})
	s.Load(nsSnapshot())
	// 201 (container) clones 500 with CLONE_PARENT: its parent is 100 (host)
	s.Update(mkEvent(t, "clone", true, 1, 201))
	s.Update(mkEvent(t, "clone", false, 2, 500, cloneArgs(0, 500, 500, 100, clParent)...))
	if got := mountPoint(s, 500); got != "?" {
		t.Errorf("before the caller's exit the child sees %q, want it unknown", got)
	}
	s.Update(mkEvent(t, "clone", false, 3, 201, cloneArgs(500, 201, 200, 100, clParent)...))
	if got := mountPoint(s, 500); got != "/:overlay /scratch:tmpfs " {
		t.Errorf("after the caller's exit the child sees %q", got)
	}
	s.Update(mkEvent(t, "mount", true, 4, 100, uint64(0x40000|0x4000)))
	s.Update(mkEvent(t, "mount", false, 5, 100, int64(0), "", "/", ""))
	s.Update(mkEvent(t, "mount", true, 6, 100, uint64(0x20)))
	s.Update(mkEvent(t, "mount", false, 7, 100, int64(0), "", "/", ""))
	if got := mountPoint(s, 100); got != "/:ext4 " {
		t.Errorf("after propagation and remount calls the host sees %q", got)
	}
}

// TestMountNamespaceSetnsProcFile: setns on a namespace file of /proc (as
// runc exec and nsenter open them) moves the caller into that thread's
// namespace, known from the state; another namespace type moves nothing.
func TestMountNamespaceSetnsProcFile(t *testing.T) {
	for _, tc := range []struct {
		file   string
		nstype uint64
		want   string
	}{
		{"/proc/200/ns/mnt", clNewNS, "/:overlay /scratch:tmpfs "},
		{"/proc/200/task/201/ns/mnt", 0, "/:overlay /scratch:tmpfs "},
		{"/proc/200/ns/net", 0, "/:ext4 "},
		{"/proc/999/ns/mnt", 0, "?"},
		{"/run/netns/x", 0, "?"},
	} {
		snap := nsSnapshot()
		snap.Threads[0].FDs = append(snap.Threads[0].FDs, event.FD{Num: 5, Type: event.FDFile, Name: tc.file})
		s := New(Options{})
		s.Load(snap)
		s.Update(mkEvent(t, "setns", true, 1, 100, int64(5), tc.nstype))
		s.Update(mkEvent(t, "setns", false, 2, 100, int64(0)))
		if got := mountPoint(s, 100); got != tc.want {
			t.Errorf("setns on %s (%#x): the caller sees %q, want %q", tc.file, tc.nstype, got, tc.want)
		}
	}
}
