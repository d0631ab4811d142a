// SPDX-License-Identifier: Apache-2.0

package container

import (
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"testing"
)

const (
	dockerID     = "3f1a5e0b9c7d42e8a6b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9"
	containerdID = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"
	podmanID     = "5a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273747576777879"
	crioID       = "8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f"
	// The pods' sandbox (pause) containers.
	crioSandboxID       = "4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d"
	containerdSandboxID = "5ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab05ab0"
)

func recorded() *Resolver { return &Resolver{Root: "testdata/root", Sockets: []string{}} }

func TestLookupOnDisk(t *testing.T) {
	r := recorded()
	for _, tc := range []struct {
		path string
		want Info
	}{
		{"/docker/" + dockerID, Info{ID: dockerID[:12], FullID: dockerID, Name: "web1", Image: "nginx:1.25",
			ImageID: "9b2a5c1e0f3d4a6b8c7e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e", ImageRepo: "nginx", ImageTag: "1.25",
			Type: TypeDocker, Privileged: true, IP: "172.17.0.2", Labels: map[string]string{"maintainer": "ops"},
			Mounts: []Mount{{Source: "/srv/data", Dest: "/data", RW: true, Propagation: "rprivate"},
				{Source: "/etc/web", Dest: "/etc/cfg", Mode: "ro", Propagation: "rprivate"}}}},
		{"/libpod_parent/libpod-" + podmanID, Info{ID: podmanID[:12], FullID: podmanID, Name: "db1", Image: "localhost/busybox:latest",
			ImageID: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", ImageRepo: "localhost/busybox", ImageTag: "latest",
			ImageDigest: "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", Type: TypePodman,
			Mounts: []Mount{{Source: "/tmp/srv", Dest: "/srv", RW: true, Propagation: "rprivate"}}}},
		// CRI-O and containerd's CRI plugin: named as the CRI names them
		// (the Kubernetes container name, the kubelet's labels), from the
		// OCI spec's annotations; the mounts the kubelet asked for.
		{"/kubepods.slice/kubepods-pod1.slice/crio-" + crioID + ".scope", Info{ID: crioID[:12], FullID: crioID, Name: "web",
			Image: "quay.io/prod/web:7", ImageID: "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", ImageRepo: "quay.io/prod/web", ImageTag: "7",
			ImageDigest: "sha256:1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef", Type: TypeCRIO, IP: "10.85.0.7",
			Labels: map[string]string{LabelPodName: "web-0", LabelPodNamespace: "prod", LabelPodUID: "uid-1234", LabelContainerName: "web"},
			Mounts: []Mount{{Source: "/var/lib/kubelet/pods/uid-1234/etc-hosts", Dest: "/etc/hosts", RW: true, Propagation: "private"},
				{Source: "/var/lib/kubelet/pods/uid-1234/containers/web/0a1b2c3d", Dest: "/dev/termination-log", RW: true, Propagation: "private"},
				{Source: "/var/lib/kubelet/pods/uid-1234/volumes/kubernetes.io~empty-dir/data", Dest: "/data", RW: true, Propagation: "rshared"},
				{Source: "/var/lib/kubelet/pods/uid-1234/volumes/kubernetes.io~projected/kube-api-access-q9z8w", Dest: "/var/run/secrets/kubernetes.io/serviceaccount", Propagation: "private"}}}},
		{"/kubepods.slice/kubepods-pod1.slice/crio-" + crioSandboxID + ".scope", Info{ID: crioSandboxID[:12], FullID: crioSandboxID, Type: TypeCRIO}},
		{"/kubepods/besteffort/pod0e1f/" + containerdID, Info{ID: containerdID[:12], FullID: containerdID, Name: "api",
			Image: "registry.example/shop/api:2.3", ImageRepo: "registry.example/shop/api", ImageTag: "2.3", Type: TypeContainerd,
			Labels: map[string]string{LabelPodName: "api-7d9f-xk2lq", LabelPodNamespace: "shop", LabelPodUID: "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7", LabelContainerName: "api"},
			Mounts: []Mount{{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/etc-hosts", Dest: "/etc/hosts", RW: true, Propagation: "private"},
				{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/containers/api/7c1d2e3f", Dest: "/dev/termination-log", RW: true, Propagation: "private"},
				{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/volumes/kubernetes.io~empty-dir/cache", Dest: "/cache", RW: true, Propagation: "rslave"},
				{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/volumes/kubernetes.io~projected/kube-api-access-x7k2p", Dest: "/var/run/secrets/kubernetes.io/serviceaccount", Propagation: "private"}}}},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0e1f.slice/cri-containerd-" + containerdID + ".scope", Info{ID: containerdID[:12], FullID: containerdID, Name: "api",
			Image: "registry.example/shop/api:2.3", ImageRepo: "registry.example/shop/api", ImageTag: "2.3", Type: TypeContainerd,
			Labels: map[string]string{LabelPodName: "api-7d9f-xk2lq", LabelPodNamespace: "shop", LabelPodUID: "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7", LabelContainerName: "api"},
			Mounts: []Mount{{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/etc-hosts", Dest: "/etc/hosts", RW: true, Propagation: "private"},
				{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/containers/api/7c1d2e3f", Dest: "/dev/termination-log", RW: true, Propagation: "private"},
				{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/volumes/kubernetes.io~empty-dir/cache", Dest: "/cache", RW: true, Propagation: "rslave"},
				{Source: "/var/lib/kubelet/pods/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/volumes/kubernetes.io~projected/kube-api-access-x7k2p", Dest: "/var/run/secrets/kubernetes.io/serviceaccount", Propagation: "private"}}}},
		{"/kubepods/besteffort/pod0e1f/" + containerdSandboxID, Info{ID: containerdSandboxID[:12], FullID: containerdSandboxID, Type: TypeContainerd}},
		{"/lxc.payload.web02", Info{ID: "web02", FullID: "web02", Name: "web02", Type: TypeLXC}},
		{"/docker/" + crioID[:60] + "0000", Info{ID: crioID[:12], FullID: crioID[:60] + "0000", Type: TypeDocker}},
	} {
		got := r.Lookup(FromPath(tc.path))
		tc.want.Cgroup = FromPath(tc.path).Path
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.path, *got, tc.want)
		}
	}
	if p := r.Lookup(FromPath("/kubepods/x/" + containerdID)); p.PodName() != "api-7d9f-xk2lq" || p.PodNamespace() != "shop" {
		t.Errorf("pod names: %q %q", p.PodName(), p.PodNamespace())
	}
}

// TestLookupSocket serves a docker-compatible inspect answer on a unix
// socket for a container the disk knows nothing about.
func TestLookupSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "podman.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	const id = "0000111122223333444455556666777788889999aaaabbbbccccddddeeeeffff"
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/containers/"+id+"/json" {
			http.NotFound(w, req)
			return
		}
		w.Write([]byte(`{"Id":"` + id + `","Name":"/cache","Image":"sha256:77","Config":{"Image":"redis:7","Labels":{"tier":"db"}},"HostConfig":{"Privileged":false},"Mounts":[{"Source":"/v","Destination":"/data","Mode":"z","RW":true,"Propagation":"rprivate"}],"NetworkSettings":{"IPAddress":"10.88.0.5"}}`))
	})}
	go srv.Serve(l)
	defer srv.Close()
	r := &Resolver{Root: "testdata/root", Sockets: []string{sock}}
	r.Root = ""
	r.StorageRoots = []string{dir}
	got := r.Lookup(FromPath("/libpod_parent/libpod-" + id))
	want := Info{ID: id[:12], FullID: id, Name: "cache", Image: "redis:7", ImageID: "77", ImageRepo: "redis", ImageTag: "7",
		Type: TypePodman, IP: "10.88.0.5", Labels: map[string]string{"tier": "db"},
		Mounts: []Mount{{Source: "/v", Dest: "/data", Mode: "z", RW: true, Propagation: "rprivate"}},
		Cgroup: "/libpod_parent/libpod-" + id}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("socket lookup:\n got %+v\nwant %+v", *got, want)
	}
	// An unknown container: the socket answers 404, only id and type stay.
	other := "1111111111111111111111111111111111111111111111111111111111111111"
	if got := r.Lookup(FromPath("/docker/" + other)); got.Name != "" || got.ID != other[:12] {
		t.Errorf("unknown container: %+v", got)
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	in := &Info{ID: "0123456789ab", FullID: "0123456789ab", Name: "web1", Image: "localhost/bb:latest", ImageID: "ab",
		ImageRepo: "localhost/bb", ImageTag: "latest", ImageDigest: "sha256:cd", Type: TypePodman, Privileged: true,
		IP: "10.88.0.2", Labels: map[string]string{LabelPodName: "p", "a": "b"},
		Mounts: []Mount{{Source: "/s", Dest: "/d", Mode: "ro", Propagation: "rprivate"}}}
	raw := in.EventJSON()
	out, err := ParseJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	out.JSON = ""
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip:\n got %+v\nwant %+v\njson %s", out, in, raw)
	}
	if _, err := ParseJSON(`{"container":{"name":"x"}}`); err != ErrNoID {
		t.Errorf("no id: %v", err)
	}
	if _, err := ParseJSON(`{"container":`); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func TestSetImage(t *testing.T) {
	for _, tc := range []struct{ ref, repo, tag, digest string }{
		{"nginx", "nginx", "latest", ""},
		{"nginx:1.25", "nginx", "1.25", ""},
		{"localhost:5000/team/app:v2", "localhost:5000/team/app", "v2", ""},
		{"localhost:5000/team/app", "localhost:5000/team/app", "latest", ""},
		{"mateobur/lbticket@sha256:23", "mateobur/lbticket", "", "sha256:23"},
		{"sha256:37ab", "", "", ""},
	} {
		var c Info
		c.SetImage(tc.ref)
		if c.ImageRepo != tc.repo || c.ImageTag != tc.tag || c.ImageDigest != tc.digest {
			t.Errorf("%s: repo %q tag %q digest %q", tc.ref, c.ImageRepo, c.ImageTag, c.ImageDigest)
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	f.Add(`{"container":{"id":"b9e761606676","name":"n","type":0,"Mounts":[{"Source":"/a","Destination":"/b","RW":true}],"Healthcheck":{"Test":["CMD-SHELL","true"]}}}`)
	f.Add(`{"container":{"id":"x","type":99,"labels":{"a":"b"}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseJSON(s)
		if err != nil {
			return
		}
		if c.ID == "" {
			t.Fatal("container without id accepted")
		}
		c2, err := ParseJSON(c.EventJSON())
		if err != nil || c2.ID != c.ID || c2.Name != c.Name || len(c2.Mounts) != len(c.Mounts) {
			t.Fatalf("re-encoded metadata does not read back: %v", err)
		}
	})
}

// TestSetCRIImage splits image names as sysdig splits a CRI runtime's:
// no default tag, the digest from the image reference.
func TestSetCRIImage(t *testing.T) {
	for _, tc := range []struct{ image, ref, repo, tag, digest string }{
		{"nginx", "", "nginx", "", ""},
		{"nginx:1.25", "docker.io/library/nginx@sha256:ab", "nginx", "1.25", "sha256:ab"},
		{"localhost:5000/team/app:v2", "", "localhost:5000/team/app", "v2", ""},
		{"quay.io/x/y@sha256:cd", "", "quay.io/x/y", "", "sha256:cd"},
		{"busybox:1", "sha256:ef", "busybox", "1", "sha256:ef"},
		{"busybox:1", "busybox-sha256:ef", "busybox", "1", ""},
	} {
		var c Info
		c.setCRIImage(tc.image, tc.ref)
		if c.Image != tc.image || c.ImageRepo != tc.repo || c.ImageTag != tc.tag || c.ImageDigest != tc.digest {
			t.Errorf("%s %s: repo %q tag %q digest %q", tc.image, tc.ref, c.ImageRepo, c.ImageTag, c.ImageDigest)
		}
	}
}
