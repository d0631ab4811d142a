// SPDX-License-Identifier: Apache-2.0

package state

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// TestLoadSharesLists: secondary threads of a snapshot share their
// process's lists and (with CLONE_FILES) fd table; a thread whose lists
// differ keeps its own.
func TestLoadSharesLists(t *testing.T) {
	env := []string{"A=1", "B=2"}
	main := event.Thread{TID: 10, PID: 10, Comm: "p", Args: []string{"x"}, Env: env, Cgroups: []string{"cpu=/"},
		FDs: []event.FD{{Num: 3, Type: event.FDFileV2, Name: "/f"}}}
	same := main
	same.TID, same.Flags, same.FDs = 11, 0x2000|0x1, nil
	same.Env = append([]string(nil), env...) // equal, not the same array
	other := same
	other.TID, other.Env, other.Flags = 12, []string{"A=1"}, 0x2000
	other.FDs = []event.FD{{Num: 4, Type: event.FDFileV2, Name: "/g"}}
	s := New(Options{})
	s.Load(&event.Snapshot{Threads: []event.Thread{same, other, main}})
	p, t1, t2 := s.Thread(10), s.Thread(11), s.Thread(12)
	if p == nil || t1 == nil || t2 == nil {
		t.Fatal("threads missing")
	}
	if &t1.Env[0] != &p.Env[0] || &t1.Args[0] != &p.Args[0] || &t1.Cgroups[0] != &p.Cgroups[0] {
		t.Error("thread 11 does not share its process's lists")
	}
	if len(t2.Env) != 1 || t2.Env[0] != "A=1" || &t2.Args[0] != &p.Args[0] {
		t.Errorf("thread 12 env %q", t2.Env)
	}
	if t1.FDs() != p.FDs() || t1.FD(3) == nil {
		t.Error("thread 11 does not use its process's fd table")
	}
	if t2.FDs() == p.FDs() || t2.FD(4) == nil || t2.FD(3) != nil {
		t.Error("thread 12 without CLONE_FILES does not have its own fd table")
	}
}
