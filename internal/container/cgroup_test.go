// SPDX-License-Identifier: Apache-2.0

package container

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const hexID = "3f1a5e0b9c7d42e8a6b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9"

// TestFromCgroupsRecorded reads recorded /proc/PID/cgroup texts of
// processes under each engine.
func TestFromCgroupsRecorded(t *testing.T) {
	want := map[string]Ref{
		"docker-v1-cgroupfs.txt":       {ID: hexID[:12], FullID: hexID, Type: TypeDocker, Path: "/docker/" + hexID},
		"docker-v2-systemd.txt":        {ID: hexID[:12], FullID: hexID, Type: TypeDocker, Path: "/system.slice/docker-" + hexID + ".scope"},
		"podman-v1-cgroupfs.txt":       {ID: hexID[:12], FullID: hexID, Type: TypePodman, Path: "/libpod_parent/libpod-" + hexID},
		"podman-v2-systemd.txt":        {ID: hexID[:12], FullID: hexID, Type: TypePodman, Path: "/machine.slice/libpod-" + hexID + ".scope"},
		"podman-rootless.txt":          {ID: hexID[:12], FullID: hexID, Type: TypePodman, Path: "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + hexID + ".scope"},
		"podman-conmon.txt":            {},
		"containerd-cri-v2.txt":        {ID: hexID[:12], FullID: hexID, Type: TypeContainerd, Path: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0e1f2a3b_4c5d_6e7f_8091_a2b3c4d5e6f7.slice/cri-containerd-" + hexID + ".scope"},
		"containerd-cri-nosystemd.txt": {ID: hexID[:12], FullID: hexID, Type: TypeContainerd, Path: "/system.slice/containerd.service/kubepods-besteffort-pod0e1f2a3b_4c5d.slice:cri-containerd:" + hexID},
		"kubepods-v1-cgroupfs.txt":     {ID: hexID[:12], FullID: hexID, Type: TypeDocker, Path: "/kubepods/besteffort/pod1f1abd02-2542-11e9-ad97-02bee12446f6/" + hexID},
		"crio-v2.txt":                  {ID: hexID[:12], FullID: hexID, Type: TypeCRIO, Path: "/kubepods.slice/kubepods-pod0e1f2a3b_4c5d.slice/crio-" + hexID + ".scope"},
		"crio-conmon.txt":              {},
		"lxc-v1.txt":                   {ID: "web01", FullID: "web01", Type: TypeLXC, Path: "/lxc/web01"},
		"lxd-v2.txt":                   {ID: "web02", FullID: "web02", Type: TypeLXC, Path: "/lxc.payload.web02"},
		"lxc-monitor.txt":              {},
		"nspawn-v2.txt":                {ID: "debian-build", FullID: "debian-build", Type: TypeNspawn, Path: `/machine.slice/machine-debian\x2dbuild.scope`},
		"libvirt-lxc.txt":              {ID: "guest1", FullID: "guest1", Type: TypeLibvirtLXC, Path: `/machine.slice/machine-lxc\x2d4242\x2dguest1.scope`},
		"runc-plain.txt":               {ID: hexID[:12], FullID: hexID, Type: TypeDocker, Path: "/" + hexID},
		"host-v1.txt":                  {},
		"host-docker-daemon.txt":       {},
		"host-init.txt":                {},
	}
	files, err := filepath.Glob("testdata/cgroup/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded cgroup files: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: no expectation", name)
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Raw lines and the "controller=path" form must agree.
		if got := FromCgroups(ParseProcCgroup(string(b))); got != w {
			t.Errorf("%s: FromCgroups(parsed) = %+v, want %+v", name, got, w)
		}
		var raw []string
		for _, l := range splitLines(string(b)) {
			raw = append(raw, l)
		}
		if got := FromCgroups(raw); got != w {
			t.Errorf("%s: FromCgroups(raw) = %+v, want %+v", name, got, w)
		}
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '\n' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func TestFromPathEdges(t *testing.T) {
	for _, tc := range []struct {
		path string
		id   string
	}{
		{"", ""},
		{"/", ""},
		{"/docker", ""},
		{"/docker/" + hexID[:63], ""},
		{"/docker/" + hexID + "x", ""},
		{"/lxc/", ""},
		{"/lxc/lxc.monitor", ""},
		{"/machine.slice/machine-.scope", ""},
		{"/machine.slice/machine-foo.service", ""},
		{"/system.slice/docker-" + hexID + ".scope/init.scope", hexID[:12]},
	} {
		if got := FromPath(tc.path).ID; got != tc.id {
			t.Errorf("FromPath(%q).ID = %q, want %q", tc.path, got, tc.id)
		}
	}
}

func TestTypeCodes(t *testing.T) {
	for code := 0; code < len(typeCodes); code++ {
		if TypeCode(TypeName(code)) != code {
			t.Errorf("type %d does not round-trip", code)
		}
	}
	if TypeName(-1) != "" || TypeName(99) != "" || TypeCode(TypeNspawn) != 5 {
		t.Error("out-of-range type codes")
	}
}

func FuzzFromCgroups(f *testing.F) {
	files, _ := filepath.Glob("testdata/cgroup/*.txt")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := FromCgroups(ParseProcCgroup(s))
		if r.Host() != (r.Type == "") || (r.ID != "" && r.FullID == "") {
			t.Fatalf("inconsistent ref %+v", r)
		}
		FromCgroups(splitLines(s))
	})
}

func TestSysdigCgroups(t *testing.T) {
	id := "cbb540c881101da65c0691ac7c9392b5903aa6b845df97263e8e648c5e1e8c4a"
	for _, c := range []struct {
		in   []string
		want []string
	}{
		// podman's cgroupfs manager: sysdig needs the scope form.
		{[]string{"cpu=/libpod_parent/libpod-" + id, "pids=/libpod_parent/libpod-" + id},
			[]string{"cpu=/libpod_parent/libpod-" + id, "pids=/libpod_parent/libpod-" + id, "libpod=/libpod-" + id + ".scope"}},
		// systemd's scope is already what sysdig reads.
		{[]string{"cpu=/machine.slice/libpod-" + id + ".scope"}, nil},
		{[]string{"=/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id + ".scope/container"}, nil},
		// other engines and host processes are left alone.
		{[]string{"cpu=/docker/" + id}, nil},
		{[]string{"cpu=/user.slice"}, nil},
		{nil, nil},
	} {
		got, changed := SysdigCgroups(c.in)
		if c.want == nil {
			if changed || !reflect.DeepEqual(got, c.in) {
				t.Errorf("%q: changed to %q", c.in, got)
			}
			continue
		}
		if !changed || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
		if r := FromCgroups(got); r.FullID != id || r.Type != TypePodman {
			t.Errorf("%q: read back as %+v", got, r)
		}
	}
}
