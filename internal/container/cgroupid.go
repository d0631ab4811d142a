// SPDX-License-Identifier: Apache-2.0

package container

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// UnifiedRoot returns where the cgroup v2 hierarchy is mounted:
// /sys/fs/cgroup on a pure v2 machine, /sys/fs/cgroup/unified on a hybrid
// one, "" when there is none.
func (r *Resolver) UnifiedRoot() string {
	for _, p := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		if _, err := os.Stat(r.path(filepath.Join(p, "cgroup.procs"))); err != nil {
			continue
		}
		if _, err := os.Stat(r.path(filepath.Join(p, "cgroup.controllers"))); err == nil || p == "/sys/fs/cgroup/unified" {
			return r.path(p)
		}
	}
	return ""
}

// CgroupID returns the v2 cgroup id (the kernel's kernfs id, which is the
// inode number of the cgroup's directory) of a cgroup path, false when the
// path is not in the v2 hierarchy.
func (r *Resolver) CgroupID(path string) (uint64, bool) {
	root := r.UnifiedRoot()
	if root == "" || path == "" {
		return 0, false
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(root, path), &st); err != nil {
		return 0, false
	}
	return st.Ino, true
}

// Running returns the containers of the processes running now (read from
// /proc), each once, in id order of first appearance.
func (r *Resolver) Running() []*Info {
	ents, err := os.ReadDir(r.path("/proc"))
	if err != nil {
		return nil
	}
	seen := make(map[string]bool)
	var out []*Info
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(r.path(filepath.Join("/proc", e.Name(), "cgroup")))
		if err != nil {
			continue
		}
		cgs := ParseProcCgroup(string(b))
		ref := FromCgroups(cgs)
		if ref.Host() || seen[ref.ID] {
			continue
		}
		seen[ref.ID] = true
		// Prefer the path of the v2 line: that is the hierarchy the
		// kernel-side cgroup ids come from.
		for _, cg := range cgs {
			if strings.HasPrefix(cg, "=/") {
				if v2 := FromPath(cg[1:]); v2.ID == ref.ID {
					ref.Path = v2.Path
				}
			}
		}
		out = append(out, r.Lookup(ref))
	}
	return out
}

// CgroupIDs returns the v2 cgroup ids of the running containers that one of
// names (ids or names, as Matches takes them) designates. ok is false when
// the ids cannot stand for the containers: the machine has no v2 hierarchy,
// or a matching container has no v2 cgroup.
func (r *Resolver) CgroupIDs(names []string) (ok bool, ids []uint64) {
	if r.UnifiedRoot() == "" {
		return false, nil
	}
	for _, c := range r.Running() {
		if !c.MatchesAny(names) {
			continue
		}
		id, ok := r.CgroupID(c.Cgroup)
		if !ok {
			return false, nil
		}
		ids = append(ids, id)
	}
	return true, ids
}

// MaxCgroupID returns the highest v2 cgroup id (directory inode) of the
// hierarchy now, 0 when there is none. The kernel hands out ids in
// increasing order, so cgroups made later have higher ones.
func (r *Resolver) MaxCgroupID() uint64 {
	root := r.UnifiedRoot()
	if root == "" {
		return 0
	}
	var max uint64
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		var st syscall.Stat_t
		if syscall.Stat(path, &st) == nil && st.Ino > max {
			max = st.Ino
		}
		return nil
	})
	return max
}
