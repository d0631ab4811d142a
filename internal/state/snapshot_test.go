// SPDX-License-Identifier: Apache-2.0

package state

import (
	"testing"
)

// TestSnapshotRoundTrip checks that the exported snapshot carries what the
// run learnt (an fd opened after the start, a new cwd) and that loading it
// gives the same tables: what a rotated capture file relies on.
func TestSnapshotRoundTrip(t *testing.T) {
	s := newLoaded()
	s.Update(mkEvent(t, "open", true, 10, 200, "late.txt", uint64(1), uint64(0)))
	s.Update(mkEvent(t, "open", false, 11, 200, int64(9), "late.txt", uint64(1), uint64(0), uint64(0)))
	s.Update(mkEvent(t, "chdir", true, 12, 100))
	s.Update(mkEvent(t, "chdir", false, 13, 100, int64(0), "/tmp"))

	snap := s.Snapshot()
	r := New(Options{})
	r.Load(snap)
	if f := r.Thread(201).FD(9); f == nil || f.Name != "/srv/late.txt" {
		t.Fatalf("fd opened during the run, seen by another thread after reload: %+v", f)
	}
	if f := r.Thread(200).FD(3); f == nil || f.Name != "/srv/data" {
		t.Fatalf("fd from the first snapshot: %+v", f)
	}
	if got := r.Thread(100).Cwd; got != "/tmp/" {
		t.Fatalf("cwd after chdir: %q", got)
	}
	if r.UserName(1000) != "alice" || r.GroupName(0) != "root" || len(r.Interfaces()) != 1 {
		t.Fatal("users, groups or interfaces lost")
	}
	if r.Thread(200).ContainerID != "0123456789ab" {
		t.Fatal("container id lost")
	}
	n := 0
	for _, th := range snap.Threads {
		if th.PID == 200 {
			n += len(th.FDs)
		}
	}
	if n != 3 {
		t.Fatalf("process 200's fd table exported %d times over its threads, want once (3 fds)", n)
	}
}
