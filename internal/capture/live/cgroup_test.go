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
		pid := cmd.Process.Pid
		if tc.group != "" {
			joinCgroup(t, tc.group, pid)
		}
		release()
		wrote, opened := false, false
		watchUntilExit(t, s, cmd, func(ev *event.Event) {
			n := ev.Type.Name()
			if (n == "write" || n == "read") && ev.TID != int64(pid) {
				t.Fatalf("%s: %s of process %d outside the kept cgroups passed", tc.name, n, ev.TID)
			}
			if ev.TID == int64(pid) && n == "write" && !ev.Type.IsEnter() {
				wrote = true
			}
			if ev.TID == int64(pid) && n == "openat" && !ev.Type.IsEnter() {
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
	joinCgroup(t, other, cmd.Process.Pid)
	if err := s.AddCgroup(id2); err != nil {
		t.Fatal(err)
	}
	release()
	wrote := false
	watchUntilExit(t, s, cmd, func(ev *event.Event) {
		if ev.TID == int64(cmd.Process.Pid) && ev.Type.Name() == "write" {
			wrote = true
		}
	})
	if !wrote {
		t.Fatal("write in a cgroup added at run time not captured")
	}
}
