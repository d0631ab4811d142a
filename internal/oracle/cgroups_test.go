// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestCgroupListsMatchSysdig gives threads cgroup lists of every shape a
// clone or execve carries (cgroup v1 controllers, the v2 "io" controller
// with and without v1's "blkio", named hierarchies, repeats, empty
// entries and entries without "=") and compares the thread's cgroup fields
// with sysdig's.
func TestCgroupListsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	lists := [][]string{
		{"cpuset=/", "cpu=/a", "io=/b", "memory=/c"},
		{"io=/b"},
		{"blkio=/x", "io=/b"},
		{"io=/b", "blkio=/x"},
		{"io=/b", "io=/c"},
		{"name=systemd=/s", "pids=/p"},
		{"=/odd", "noequals", ""},
		{"cpu,cpuacct=/both", "net_cls,net_prio=/n"},
		{"0::/unified"},
		{"a=b=/c", "a=/d"},
		{"x=/1", "bad", "y=/2", "io=/3"},
		{"x=/1", "", "y=/2"},
		{"cpu=/a=b", "pids=/p=q=r"},
		{},
	}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	threads := []event.Thread{{TID: 1, PID: 1, Comm: "init", Exe: "/sbin/init", VTID: 1, VPID: 1},
		{TID: 50, PID: 50, PTID: 1, Comm: "snap", Exe: "/bin/snap", VTID: 50, VPID: 50,
			Cgroups: []string{"io=/s", "noequals", "a=b=/c", "cpu=/t"}}}
	g.Chdir(50, "/", 0)
	for i, l := range lists {
		pid := int64(100 + i)
		p := synth.Proc{PID: pid, PTID: 1, Exe: "/bin/p", Comm: "p", Cgroups: l}
		g.Clone(1, pid, p, 0)
		g.Chdir(pid, "/", 0)
		q := p
		q.Cgroups = append([]string{"cpuacct=/exec"}, l...)
		g.Execve(pid, q, 0)
		g.Chdir(pid, "/", 0)
	}
	c := &Capture{Snap: &event.Snapshot{Machine: event.Machine{NumCPUs: 1}, Threads: threads}, Events: g.Events(),
		Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "cgroups.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{
		"%evt.num %thread.tid %evt.type %thread.cgroups",
		"%evt.num %thread.cgroup.io %thread.cgroup.blkio %thread.cgroup.cpu %thread.cgroup.name=systemd %thread.cgroup.cpu,cpuacct %thread.cgroup.pids",
	} {
		v := r.Check(p, Mode{Group: "-p", Args: []string{"-p", f}})
		if !v.Agree {
			t.Error(describe(v))
		}
	}
}
