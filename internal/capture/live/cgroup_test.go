// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
)

// v2Root returns the mount point of the cgroup v2 hierarchy.
func v2Root(t *testing.T) string {
	for _, p := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		var st syscall.Statfs_t
		if syscall.Statfs(p, &st) == nil && st.Type == 0x63677270 { // CGROUP2_SUPER_MAGIC
			return p
		}
	}
	t.Skip("no cgroup v2 hierarchy")
	return ""
}

// makeCgroup creates a v2 cgroup and returns its path and id (inode).
func makeCgroup(t *testing.T, path string) uint64 {
	t.Helper()
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatalf("creating cgroup: %v", err)
	}
	t.Cleanup(func() { os.Remove(path) })
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// watchUntilExit hands every event to fn until the procexit of pid (which a
// state-keeping filter always delivers) has been read. Unlike a quiet
// period, this ends on a busy machine too.
func watchUntilExit(t *testing.T, s *Source, cmd *exec.Cmd, fn func(ev *event.Event)) {
	t.Helper()
	pid := int64(cmd.Process.Pid)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	limit := time.Now().Add(60 * time.Second)
	for time.Now().Before(limit) {
		ev, err := s.Next()
		if errors.Is(err, capture.ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		fn(ev)
		if ev.Type.Name() == "procexit" && ev.TID == pid {
			if err := <-done; err != nil {
				t.Fatalf("helper failed: %v", err)
			}
			return
		}
	}
	t.Fatal("no procexit of the helper")
}

func joinCgroup(t *testing.T, path string, pid int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(path, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		t.Fatalf("moving %d into %s: %v", pid, path, err)
	}
}

// TestCgroupFilter checks the kernel-side cgroup filter: the I/O of a
// process in a kept cgroup, or in a cgroup nested below it, is captured;
// the I/O of every other process is dropped in the kernel while its
// state-changing events still arrive.
func TestCgroupFilter(t *testing.T) {
	requireBPF(t)
	root := v2Root(t)
	kept := filepath.Join(root, "ferret-live-test-"+strconv.Itoa(os.Getpid()))
	id := makeCgroup(t, kept)
	nested := filepath.Join(kept, "nested")
	makeCgroup(t, nested)
	// Cleanups run last-in first-out: nested goes before kept.

	s := openFor(t, Options{FilterCgroups: true, Cgroups: []uint64{id}})
	// The helper is a Go program: its reads and writes run on whichever
	// runtime thread carries the goroutine, so its events are told apart by
	// thread group. Every thread of a helper is cloned while the capture
	// runs, and clone exits always arrive (they change state), so the map
	// from thread to helper is complete (a child the helper forks is in its
	// cgroup too, so it counts as the helper's); it spans the cases because the
	// last events of one helper's threads may still be read in the next.
	group := map[int64]int64{}
	track := func(ev *event.Event) {
		switch ev.Type.Name() {
		case "clone", "clone3", "fork", "vfork":
		default:
			return
		}
		if ev.Type.IsEnter() {
			return
		}
		leader, _ := strconv.ParseInt(param(ev, "pid"), 10, 64)
		if _, ok := group[leader]; !ok {
			return
		}
		if tid, _ := strconv.ParseInt(param(ev, "tid"), 10, 64); tid > 0 {
			group[tid] = group[leader]
		}
		if res, _ := strconv.ParseInt(param(ev, "res"), 10, 64); res > 0 {
			group[res] = group[leader]
		}
	}
	for _, tc := range []struct {
		name  string
		group string
		kept  bool
	}{
		{"in the cgroup", kept, true},
		{"in a nested cgroup", nested, true},
		{"outside", "", false},
	} {
		path := filepath.Join(t.TempDir(), "cg.txt")
		cmd, release := startHelper(t, "file", path)
		pid := int64(cmd.Process.Pid)
		group[pid] = pid
		if tc.group != "" {
			joinCgroup(t, tc.group, int(pid))
		}
		release()
		wrote, opened := false, false
		watchUntilExit(t, s, cmd, func(ev *event.Event) {
			track(ev)
			n := ev.Type.Name()
			leader, ours := group[ev.TID]
			if (n == "write" || n == "read") && !ours {
				t.Fatalf("%s: %s of thread %d outside the kept cgroups passed", tc.name, n, ev.TID)
			}
			if leader == pid && n == "write" && !ev.Type.IsEnter() {
				wrote = true
			}
			if leader == pid && n == "openat" && !ev.Type.IsEnter() {
				opened = true
			}
		})
		if wrote != tc.kept {
			t.Errorf("%s: helper's write captured = %v, want %v", tc.name, wrote, tc.kept)
		}
		if !opened {
			t.Errorf("%s: state-changing openat dropped", tc.name)
		}
	}
	// Adding a cgroup at run time, and id 0 (keep everything).
	other := filepath.Join(root, "ferret-live-test2-"+strconv.Itoa(os.Getpid()))
	id2 := makeCgroup(t, other)
	path := filepath.Join(t.TempDir(), "cg2.txt")
	cmd, release := startHelper(t, "file", path)
	pid := int64(cmd.Process.Pid)
	group[pid] = pid
	joinCgroup(t, other, cmd.Process.Pid)
	if err := s.AddCgroup(id2); err != nil {
		t.Fatal(err)
	}
	release()
	wrote := false
	watchUntilExit(t, s, cmd, func(ev *event.Event) {
		track(ev)
		if group[ev.TID] == pid && ev.Type.Name() == "write" {
			wrote = true
		}
	})
	if !wrote {
		t.Fatal("write in a cgroup added at run time not captured")
	}
}
