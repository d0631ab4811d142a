// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// containerJS is the JSON of a container event for a docker container.
func containerJS(id, name string) string {
	return fmt.Sprintf(`{"container":{"Mounts":[],"id":"%s","image":"busybox:latest","imagedigest":"","imageid":"","imagerepo":"busybox","imagetag":"latest","ip":"172.17.0.2","name":"%s","privileged":false,"type":0}}`, id, name)
}

// TestContainerEventsMatchSysdig replays captures with container metadata
// events at the start, in the middle, in both layouts (JSON and the old
// id/type/name/image one), flagged state-only, carried by a real thread,
// for several containers and for containers known only from the cgroups
// of the thread table (docker, LXC and libvirt-lxc layouts, CRI ones sysdig
// does not describe), and compares what both tools show of them.
func TestContainerEventsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	const (
		idA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		idB = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		idC = "deadbeef00000000deadbeef00000000deadbeef00000000deadbeef00000000"
	)
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Users: []event.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/sh"}},
		Threads: []event.Thread{
			{TID: 100, PID: 100, PTID: 1, Comm: "h", Exe: "h", Cwd: "/", VTID: 100, VPID: 100},
			{TID: 200, PID: 200, PTID: 1, Comm: "a", Exe: "a", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/docker/" + idA, "memory=/docker/" + idA}},
			{TID: 300, PID: 300, PTID: 1, Comm: "b", Exe: "b", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/system.slice/docker-" + idB + ".scope"}},
			{TID: 400, PID: 400, PTID: 1, Comm: "c", Exe: "c", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"=/kubepods/besteffort/pod12/" + idC}},
			{TID: 500, PID: 500, PTID: 1, Comm: "l", Exe: "l", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/lxc/box1"}},
			{TID: 600, PID: 600, PTID: 1, Comm: "v", Exe: "v", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{`cpu=/machine.slice/machine-lxc\x2dvm1.scope`}},
			{TID: 700, PID: 700, PTID: 1, Comm: "k", Exe: "k", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/kubepods/pod9/crio-" + idA + ".scope"}},
		}}
	writes := func(g *synth.Gen, tids ...int64) {
		for _, tid := range tids {
			g.Write(tid, 1, []byte("x"))
		}
	}
	old := func(g *synth.Gen, tid int64, id, name string) {
		g.Emit(event.EvContainerE, tid, id, uint32(0), name, "busybox")
	}
	stateOnly := func(g *synth.Gen, js string) {
		g.Flags = event.DumpStateOnly
		g.Container(js)
		g.Flags = 0
	}
	captures := map[string]func(g *synth.Gen){
		"at-start": func(g *synth.Gen) {
			g.Container(containerJS(idA[:12], "web"))
			g.Container(containerJS(idB[:12], "db"))
			writes(g, 100, 200)
			g.Container(containerJS(idC[:12], "late"))
			writes(g, 300, 400, 500)
		},
		"in-middle": func(g *synth.Gen) {
			writes(g, 100)
			g.Container(containerJS(idA[:12], "web"))
			writes(g, 200)
			g.Container(containerJS(idB[:12], "db"))
			writes(g, 300, 600)
			g.Container(containerJS(idA[:12], "web2")) // replaced
			writes(g, 200)
		},
		"cgroups-only": func(g *synth.Gen) { writes(g, 100, 200, 300, 400, 500, 600, 700) },
		"state-only": func(g *synth.Gen) {
			stateOnly(g, containerJS(idA[:12], "web"))
			writes(g, 100)
			stateOnly(g, containerJS(idC[:12], "late"))
			writes(g, 400)
		},
		"after-state-event": func(g *synth.Gen) {
			g.Flags = event.DumpStateOnly
			writes(g, 100)
			g.Flags = 0
			g.Container(containerJS(idA[:12], "web"))
			writes(g, 200)
		},
		"old-layout": func(g *synth.Gen) {
			old(g, -1, idA[:12], "web")
			g.Emit(event.EvContainerE272, -1, containerJS(idB[:12], "db"))
			g.Container(containerJS(idC[:12], "c1"))
			writes(g, 555, 200, 300, 400)
			old(g, -1, idB[:12], "db2")
			writes(g, 300)
			old(g, 100, idC[:12], "c2")
			writes(g, 400, 100)
		},
		"thread-carried": func(g *synth.Gen) {
			writes(g, 100)
			g.Emit(event.Container2E, 100, containerJS(idA[:12], "web"))
			writes(g, 100, 200)
		},
	}
	modes := []Mode{
		{Group: "default"}, {Group: "-j", Args: []string{"-j"}}, {Group: "-pc", Args: []string{"-pc"}},
		{Group: "-D", Args: []string{"-D"}}, {Group: "-n", Args: []string{"-n", "3"}},
		{Group: "-tr", Args: []string{"-tr"}}, {Group: "-M", Args: []string{"-M", "0"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %evt.reltime %evt.deltatime %evt.latency %evt.type"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %container.id|%container.name|%container.image|%container.image.id|%container.type|%container.privileged|%container.mounts|%container.image.repository|%container.image.tag|%container.image.digest|%container.healthcheck|%container.liveness_probe|%container.readiness_probe|%k8s.pod.name|%k8s.ns.name|%container.mount[0]"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %proc.name|%proc.pid|%thread.tid|%proc.vpid|%thread.vtid|%proc.ppid|%proc.exe|%proc.exepath|%proc.cmdline|%proc.args|%proc.cwd|%thread.ismain|%user.uid|%user.name|%group.gid|%proc.pname|%proc.sid|%proc.vpgid|%proc.fdlimit|%user.loginuid|%thread.cgroups|%proc.nthreads|%proc.nchilds|%proc.tty|%fd.num|%fd.name"}},
		{Group: "filter", Args: []string{"evt.type=container"}}, {Group: "filter", Args: []string{"container.name=web"}},
		{Group: "filter", Args: []string{"proc.name contains container"}}, {Group: "filter", Args: []string{"container.id!=host"}},
		{Group: "chisel:lscontainers", Args: []string{"-c", "lscontainers"}, Cmp: RowSet},
		{Group: "chisel:ps", Args: []string{"-c", "ps"}, Cmp: RowSet},
		{Group: "chisel:topscalls", Args: []string{"-c", "topscalls"}, Cmp: Ties},
	}
	for _, c := range []string{"cpu", "error", "file", "net"} {
		modes = append(modes, Mode{Group: "chisel:topcontainers_" + c, Args: []string{"-c", "topcontainers_" + c}, Cmp: Ties})
	}
	dir := t.TempDir()
	var cases []Case
	for name, build := range captures {
		g := &synth.Gen{TS: 1_600_000_000_000_000_000, Step: 1000}
		build(g)
		c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
		p := filepath.Join(dir, name+".scap")
		if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, casesOf(p, modes)...)
	}
	for i, v := range r.CheckAll(cases, *flagJobs) {
		name := strings.TrimSuffix(filepath.Base(cases[i].Path), ".scap")
		if v.SysdigFailed {
			t.Errorf("%s: sysdig failed in mode %q", name, v.Mode.Name())
		} else if !v.Agree {
			t.Errorf("%s: %s", name, describe(v))
		}
	}
}

// TestContainerTypeMatchesSysdig replays events of host processes and of
// containers of types sysdig 0.29.3 has no name for (podman, and the
// "custom" type ferret writes for systemd-nspawn machines) between docker
// ones: container.type of those shows what the same occurrence of the
// field showed last, in formats (where a missing value before it stops the
// line and its evaluation), in both orders of a conjunction in filters,
// and lscontainers says "unknown".
func TestContainerTypeMatchesSysdig(t *testing.T) {
	r, _ := setup(t)
	const (
		idP = "5a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273747576777879"
		idD = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		idN = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	)
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Users: []event.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/sh"}},
		Threads: []event.Thread{
			{TID: 100, PID: 100, PTID: 1, Comm: "h", Exe: "h", Cwd: "/", VTID: 100, VPID: 100},
			{TID: 200, PID: 200, PTID: 1, Comm: "p", Exe: "p", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/machine.slice/libpod-" + idP + ".scope"}},
			{TID: 300, PID: 300, PTID: 1, Comm: "d", Exe: "d", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/docker/" + idD}},
			{TID: 400, PID: 400, PTID: 1, Comm: "n", Exe: "n", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/docker/" + idN}},
		}}
	js := func(id, name string, typ int) string {
		return fmt.Sprintf(`{"container":{"Mounts":[],"id":"%s","image":"busybox:latest","imagedigest":"","imageid":"","imagerepo":"busybox","imagetag":"latest","ip":"0.0.0.0","name":"%s","privileged":false,"type":%d}}`, id[:12], name, typ)
	}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000, Step: 1000}
	g.Container(js(idP, "pod1", 11))
	g.Container(js(idD, "dock", 0))
	g.Container(js(idN, "box", 5))
	for _, tid := range []int64{200, 100, 200, 300, 200, 400, 100, 400, 200, 300, 400} {
		g.Write(tid, 1, []byte("x"))
	}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "types.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	format := "%evt.num [%container.type] %container.id"
	modes := []Mode{
		{Group: "-p", Args: []string{"-p", format}},
		{Group: "-p", Args: []string{"-p", "%evt.num %container.image.digest %container.type"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %container.image.digest %container.type %container.type"}},
		{Group: "-p", Args: []string{"-j", "-p", format}},
		{Group: "chisel:lscontainers", Args: []string{"-c", "lscontainers"}, Cmp: RowSet},
	}
	for _, f := range []string{"container.type=host", "container.type=docker", "container.type exists",
		"container.type=host and container.id=" + idP[:12], "container.id=" + idP[:12] + " and container.type=host",
		"proc.name in (p, h) and container.type=host", "not container.type in (host, docker)", "container.type=podman"} {
		modes = append(modes, Mode{Group: "filter", Args: []string{"-p", format, f}})
	}
	for _, v := range r.CheckAll(casesOf(p, modes), *flagJobs) {
		if v.SysdigFailed {
			t.Errorf("sysdig failed in mode %q", v.Mode.Name())
		} else if !v.Agree {
			t.Errorf("%s", describe(v))
		}
	}
}

// TestCRIContainersMatchSysdig replays containers of the CRI runtimes
// (containerd, CRI-O) with their metadata as ferret writes it (the
// Kubernetes container name, the kubelet's labels) for processes in each
// of their cgroup layouts, and compares the container and Kubernetes
// fields, -pk lines and filters with sysdig.
func TestCRIContainersMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	const (
		idA = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"
		idB = "8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f"
		idC = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		idD = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		idS = "5ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab0"
		idW = "1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff"
		idP = "ffffeeeeddddccccbbbbaaaa0000999988887777666655554444333322221111"
		idO = "1212121212121212121212121212121212121212121212121212121212121212"
		idE = "3434343434343434343434343434343434343434343434343434343434343434"
	)
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Users: []event.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/sh"}},
		Threads: []event.Thread{
			{TID: 100, PID: 100, PTID: 1, Comm: "h", Exe: "h", Cwd: "/", VTID: 100, VPID: 100},
			{TID: 200, PID: 200, PTID: 1, Comm: "a", Exe: "a", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0e1f.slice/cri-containerd-" + idA + ".scope"}},
			{TID: 300, PID: 300, PTID: 1, Comm: "b", Exe: "b", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"=/kubepods.slice/kubepods-pod1.slice/crio-" + idB + ".scope"}},
			{TID: 400, PID: 400, PTID: 1, Comm: "c", Exe: "c", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/kubepods/besteffort/pod0e1f/" + idC, "memory=/kubepods/besteffort/pod0e1f/" + idC}},
			{TID: 500, PID: 500, PTID: 1, Comm: "d", Exe: "d", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"=/system.slice/containerd.service/kubepods-besteffort-pod0e1f.slice:cri-containerd:" + idD}},
			{TID: 600, PID: 600, PTID: 1, Comm: "s", Exe: "s", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/kubepods/besteffort/pod0e1f/" + idS}},
			// The kubelet's docker containers: pod labels through the sandbox.
			{TID: 700, PID: 700, PTID: 1, Comm: "w", Exe: "w", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/docker/" + idW}},
			{TID: 800, PID: 800, PTID: 1, Comm: "p", Exe: "p", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/docker/" + idP}},
			{TID: 900, PID: 900, PTID: 1, Comm: "o", Exe: "o", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/docker/" + idO}},
			{TID: 1000, PID: 1000, PTID: 1, Comm: "e", Exe: "e", Cwd: "/", VTID: 1, VPID: 1, Cgroups: []string{"cpu=/docker/" + idE}},
		}}
	js := func(id, name, pod string, typ int) string {
		labels := ""
		if pod != "" {
			labels = fmt.Sprintf(`,"labels":{"io.kubernetes.container.name":"%s","io.kubernetes.pod.name":"%s","io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":"0e1f-%s"}`, name, pod, pod)
		}
		return fmt.Sprintf(`{"container":{"Mounts":[{"Destination":"/etc/hosts","Mode":"","Propagation":"private","RW":true,"Source":"/var/lib/kubelet/pods/u/etc-hosts"}],"full_id":"%s","id":"%s","image":"registry.example/shop/%s:2.3","imagedigest":"sha256:77","imageid":"","imagerepo":"registry.example/shop/%s","imagetag":"2.3","ip":"0.0.0.0"%s,"name":"%s","privileged":false,"type":%d}}`,
			id, id[:12], name, name, labels, name, typ)
	}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000, Step: 1000}
	g.Container(js(idA, "api", "api-7d9f", 7))
	g.Container(js(idB, "web", "web-0", 8))
	g.Container(js(idC, "cache", "cache-1", 7))
	g.Container(js(idD, "db", "db-2", 7))
	g.Container(js(idS, "", "", 7))
	dock := func(id, name, labels string) string {
		return fmt.Sprintf(`{"container":{"Mounts":[],"id":"%s","image":"busybox:latest","imagedigest":"","imageid":"","imagerepo":"busybox","imagetag":"latest","ip":"172.17.0.2","labels":{%s},"name":"%s","privileged":false,"type":0}}`, id[:12], labels, name)
	}
	g.Container(dock(idW, "api-w", `"io.kubernetes.pod.name":"dock-1","io.kubernetes.pod.namespace":"shop","io.kubernetes.sandbox.id":"`+idP+`"`))
	g.Container(dock(idP, "pause-p", `"annotation.kubernetes.io/config.seen":"x","app":"web","io.kubernetes.pod.name":"dock-1","pod-template-hash":"7d9f","tier":""`))
	g.Container(dock(idO, "api-o", `"io.kubernetes.sandbox.id":"`+idE+`"`))
	g.Container(dock(idE, "pause-e", `"annotation.a":"b","io.kubernetes.docker.type":"podsandbox"`))
	for _, tid := range []int64{100, 200, 300, 400, 500, 600, 200, 700, 800, 900, 1000} {
		g.Write(tid, 1, []byte("x"))
	}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "cri.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	modes := []Mode{
		{Group: "-p", Args: []string{"-p", "*%evt.num %proc.name %container.id|%container.name|%container.image|%container.image.repository|%container.image.tag|%container.image.digest|%container.type|%container.privileged|%container.mounts"}},
		{Group: "-p", Args: []string{"-p", "*%evt.num %proc.name %k8s.pod.name|%k8s.ns.name|%k8s.pod.id|%k8s.pod.labels|%k8s.pod.label.app|%k8s.pod.label.tier|%k8s.pod.label.annotation.a"}},
		{Group: "filter", Args: []string{"k8s.pod.label.app=web"}}, {Group: "filter", Args: []string{"k8s.pod.labels exists"}},
		{Group: "-pk", Args: []string{"-pk"}}, {Group: "-pc", Args: []string{"-pc"}},
		{Group: "filter", Args: []string{"k8s.ns.name=shop"}}, {Group: "filter", Args: []string{"k8s.pod.name=web-0"}},
		{Group: "filter", Args: []string{"container.name=api"}},
		{Group: "chisel:lscontainers", Args: []string{"-c", "lscontainers"}, Cmp: RowSet},
	}
	for _, v := range r.CheckAll(casesOf(p, modes), *flagJobs) {
		if v.SysdigFailed {
			t.Errorf("sysdig failed in mode %q", v.Mode.Name())
		} else if !v.Agree {
			t.Errorf("%s", describe(v))
		}
	}
}
