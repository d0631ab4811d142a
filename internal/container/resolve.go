// SPDX-License-Identifier: Apache-2.0

package container

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Resolver finds the metadata of containers on the machine. Lookups read
// the engines' state on disk first and ask an engine's API socket only when
// the disk has nothing. It is not safe for concurrent use.
type Resolver struct {
	// Root is prepended to every path the resolver reads ("" reads the
	// machine itself); tests point it at a recorded tree.
	Root string
	// StorageRoots are containers/storage graph roots (podman, CRI-O);
	// nil means the default root's.
	StorageRoots []string
	// Sockets are docker-compatible API sockets tried in order after the
	// disk (docker's, podman's); nil means the usual paths.
	Sockets []string
	// Timeout bounds one socket request (default 300 ms).
	Timeout time.Duration

	images map[string]*imageEntry // containers/storage images by id, per root
}

// Default locations.
var (
	defaultStorageRoots = []string{"/var/lib/containers/storage"}
	defaultSockets      = []string{"/var/run/docker.sock", "/run/podman/podman.sock"}
)

// NewResolver returns a resolver for the running machine.
func NewResolver() *Resolver { return &Resolver{} }

func (r *Resolver) path(p string) string {
	if r.Root == "" {
		return p
	}
	return filepath.Join(r.Root, p)
}

// Lookup returns what can be found about the container ref names. The
// result always carries the id and type; fields the engine's state does
// not give stay empty.
func (r *Resolver) Lookup(ref Ref) *Info {
	c := &Info{ID: ref.ID, FullID: ref.FullID, Type: ref.Type, Cgroup: ref.Path}
	switch ref.Type {
	case TypeLXC, TypeLibvirtLXC, TypeNspawn:
		c.Name = ref.ID
		return c
	}
	if r.fromStorage(c) || r.fromDocker(c) || r.fromBundle(c) || r.fromRunc(c) || r.fromSocket(c) {
		return c
	}
	return c
}

// ---- containers/storage (podman, CRI-O) ----

type storageContainer struct {
	ID       string   `json:"id"`
	Names    []string `json:"names"`
	Image    string   `json:"image"`
	Metadata string   `json:"metadata"`
}

type storageMeta struct {
	ImageName string `json:"image-name"`
	Name      string `json:"name"`
	Pod       bool   `json:"pod"`
}

type imageEntry struct {
	ID     string   `json:"id"`
	Names  []string `json:"names"`
	Digest string   `json:"digest"`
}

func (r *Resolver) storageRoots() []string {
	if r.StorageRoots != nil {
		return r.StorageRoots
	}
	return defaultStorageRoots
}

func (r *Resolver) fromStorage(c *Info) bool {
	for _, root := range r.storageRoots() {
		var list []storageContainer
		if !readJSON(r.path(filepath.Join(root, "overlay-containers", "containers.json")), &list) {
			continue
		}
		for _, sc := range list {
			if sc.ID != c.FullID {
				continue
			}
			var meta storageMeta
			json.Unmarshal([]byte(sc.Metadata), &meta)
			c.Name = meta.Name
			if c.Name == "" && len(sc.Names) > 0 {
				c.Name = sc.Names[0]
			}
			c.ImageID = sc.Image
			img := r.image(root, sc.Image)
			ref := meta.ImageName
			if ref == "" && img != nil && len(img.Names) > 0 {
				ref = img.Names[0]
			}
			if ref != "" {
				c.SetImage(ref)
			}
			if img != nil && img.Digest != "" {
				c.ImageDigest = img.Digest
			}
			if c.Type == TypeDocker {
				c.Type = TypePodman
			}
			r.fromSpec(c, r.path(filepath.Join(root, "overlay-containers", sc.ID, "userdata", "config.json")))
			return true
		}
	}
	return false
}

func (r *Resolver) image(root, id string) *imageEntry {
	if id == "" {
		return nil
	}
	key := root + "\x00" + id
	if img, ok := r.images[key]; ok {
		return img
	}
	var list []imageEntry
	readJSON(r.path(filepath.Join(root, "overlay-images", "images.json")), &list)
	if r.images == nil {
		r.images = make(map[string]*imageEntry)
	}
	r.images[key] = nil
	for i := range list {
		if list[i].ID == id {
			r.images[key] = &list[i]
		}
	}
	return r.images[key]
}

// ---- OCI runtime spec (podman/CRI-O userdata, containerd bundles) ----

type ociSpec struct {
	Annotations map[string]string `json:"annotations"`
	Mounts      []struct {
		Destination string   `json:"destination"`
		Type        string   `json:"type"`
		Source      string   `json:"source"`
		Options     []string `json:"options"`
	} `json:"mounts"`
	Process *struct {
		Capabilities *struct {
			Effective []string `json:"effective"`
		} `json:"capabilities"`
	} `json:"process"`
}

// fromSpec reads an OCI config.json: mounts, annotations (CRI names and
// labels) and privilege. It reports whether the file was read.
func (r *Resolver) fromSpec(c *Info, path string) bool {
	var spec ociSpec
	if !readJSON(path, &spec) {
		return false
	}
	an := spec.Annotations
	labels := make(map[string]string)
	set := func(k, v string) {
		if v != "" {
			labels[k] = v
		}
	}
	// containerd's CRI plugin and CRI-O name the pod in annotations.
	set(LabelPodName, first(an["io.kubernetes.cri.sandbox-name"], an["io.kubernetes.pod.name"]))
	set(LabelPodNamespace, first(an["io.kubernetes.cri.sandbox-namespace"], an["io.kubernetes.pod.namespace"]))
	set(LabelPodUID, first(an["io.kubernetes.cri.sandbox-uid"], an["io.kubernetes.pod.uid"]))
	set(LabelContainerName, first(an["io.kubernetes.cri.container-name"], an["io.kubernetes.container.name"]))
	// CRI-O keeps the container's labels as one JSON annotation.
	if raw := an["io.kubernetes.cri-o.Labels"]; raw != "" {
		var l map[string]string
		if json.Unmarshal([]byte(raw), &l) == nil {
			for k, v := range l {
				set(k, v)
			}
		}
	}
	if len(labels) > 0 {
		if c.Labels == nil {
			c.Labels = labels
		} else {
			for k, v := range labels {
				c.Labels[k] = v
			}
		}
	}
	if c.Name == "" {
		c.Name = first(an["io.kubernetes.cri.container-name"], an["io.kubernetes.container.name"])
	}
	if c.Image == "" {
		if img := first(an["io.kubernetes.cri.image-name"], an["io.kubernetes.cri-o.ImageName"]); img != "" {
			c.SetImage(img)
		}
	}
	if an["io.kubernetes.cri-o.ContainerType"] != "" || an["io.kubernetes.cri-o.Name"] != "" {
		c.Type = TypeCRIO
	} else if an["io.kubernetes.cri.container-type"] != "" {
		c.Type = TypeContainerd
	}
	if v := an["io.podman.annotations.privileged"]; v != "" {
		c.Privileged = strings.EqualFold(v, "true")
	} else if spec.Process != nil && spec.Process.Capabilities != nil {
		c.Privileged = len(spec.Process.Capabilities.Effective) >= 38
	}
	c.Mounts = c.Mounts[:0]
	for _, m := range spec.Mounts {
		if m.Type != "bind" && !contains(m.Options, "bind") && !contains(m.Options, "rbind") {
			continue // proc, tmpfs, devpts, sysfs... are not volumes
		}
		if strings.Contains(m.Source, "/overlay-containers/"+c.FullID+"/userdata/") {
			continue // the engine's own files (hosts, resolv.conf, shm), not volumes
		}
		mt := Mount{Source: m.Source, Dest: m.Destination, RW: true}
		for _, o := range m.Options {
			switch o {
			case "ro":
				mt.RW, mt.Mode = false, "ro"
			case "rw":
				mt.RW = true
			case "private", "rprivate", "shared", "rshared", "slave", "rslave":
				mt.Propagation = o
			}
		}
		c.Mounts = append(c.Mounts, mt)
	}
	return true
}

func (r *Resolver) fromBundle(c *Info) bool {
	dirs, _ := filepath.Glob(r.path("/run/containerd/io.containerd.runtime.v2.task/*/" + c.FullID + "/config.json"))
	sort.Strings(dirs)
	for _, p := range dirs {
		if c.Type == TypeDocker {
			c.Type = TypeContainerd
		}
		if r.fromSpec(c, p) {
			if c.Name == "" {
				c.Name = c.ID
			}
			return true
		}
	}
	return false
}

// ---- docker's own state ----

type dockerConfig struct {
	ID     string `json:"ID"`
	Name   string `json:"Name"`
	Image  string `json:"Image"`
	Config struct {
		Image  string            `json:"Image"`
		Labels map[string]string `json:"Labels"`
	} `json:"Config"`
	MountPoints map[string]struct {
		Source      string `json:"Source"`
		Destination string `json:"Destination"`
		RW          bool   `json:"RW"`
		Mode        string `json:"Mode"`
		Propagation string `json:"Propagation"`
	} `json:"MountPoints"`
	NetworkSettings struct {
		Networks map[string]struct {
			IPAddress string `json:"IPAddress"`
		} `json:"Networks"`
	} `json:"NetworkSettings"`
}

func (r *Resolver) fromDocker(c *Info) bool {
	dir := r.path(filepath.Join("/var/lib/docker/containers", c.FullID))
	var dc dockerConfig
	if !readJSON(filepath.Join(dir, "config.v2.json"), &dc) {
		return false
	}
	c.Type = TypeDocker
	c.Name = strings.TrimPrefix(dc.Name, "/")
	c.SetImage(dc.Config.Image)
	c.ImageID = strings.TrimPrefix(dc.Image, "sha256:")
	c.Labels = dc.Config.Labels
	dests := make([]string, 0, len(dc.MountPoints))
	for d := range dc.MountPoints {
		dests = append(dests, d)
	}
	sort.Strings(dests)
	for _, d := range dests {
		m := dc.MountPoints[d]
		c.Mounts = append(c.Mounts, Mount{Source: m.Source, Dest: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation})
	}
	nets := make([]string, 0, len(dc.NetworkSettings.Networks))
	for n := range dc.NetworkSettings.Networks {
		nets = append(nets, n)
	}
	sort.Strings(nets)
	for _, n := range nets {
		if ip := dc.NetworkSettings.Networks[n].IPAddress; ip != "" {
			c.IP = ip
			break
		}
	}
	var hc struct {
		Privileged bool `json:"Privileged"`
	}
	if readJSON(filepath.Join(dir, "hostconfig.json"), &hc) {
		c.Privileged = hc.Privileged
	}
	return true
}

// ---- plain runc ----

func (r *Resolver) fromRunc(c *Info) bool {
	var st struct {
		ID     string `json:"id"`
		Config struct {
			Labels []string `json:"labels"`
		} `json:"config"`
	}
	for _, root := range []string{"/run/runc", "/run/containerd/runc/default", "/run/containerd/runc/k8s.io"} {
		if !readJSON(r.path(filepath.Join(root, c.FullID, "state.json")), &st) {
			continue
		}
		c.Name = st.ID
		for _, l := range st.Config.Labels {
			if b, ok := strings.CutPrefix(l, "bundle="); ok {
				r.fromSpec(c, r.path(filepath.Join(b, "config.json")))
			}
		}
		return true
	}
	return false
}

// ---- API socket fallback (docker-compatible inspect) ----

type inspect struct {
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Image  string `json:"Image"`
	Config struct {
		Image  string            `json:"Image"`
		Labels map[string]string `json:"Labels"`
	} `json:"Config"`
	HostConfig struct {
		Privileged bool `json:"Privileged"`
	} `json:"HostConfig"`
	Mounts []struct {
		Source      string `json:"Source"`
		Destination string `json:"Destination"`
		Mode        string `json:"Mode"`
		RW          bool   `json:"RW"`
		Propagation string `json:"Propagation"`
	} `json:"Mounts"`
	NetworkSettings struct {
		IPAddress string `json:"IPAddress"`
	} `json:"NetworkSettings"`
}

func (r *Resolver) fromSocket(c *Info) bool {
	socks := r.Sockets
	if socks == nil {
		socks = defaultSockets
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 300 * time.Millisecond
	}
	for _, sock := range socks {
		path := r.path(sock)
		if fi, err := os.Stat(path); err != nil || fi.Mode()&os.ModeSocket == 0 {
			continue
		}
		client := &http.Client{Timeout: timeout, Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", path)
			},
		}}
		resp, err := client.Get("http://engine/containers/" + c.FullID + "/json")
		if err != nil {
			continue
		}
		var in inspect
		err = json.NewDecoder(resp.Body).Decode(&in)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			continue
		}
		c.Name = strings.TrimPrefix(in.Name, "/")
		c.SetImage(in.Config.Image)
		c.ImageID = strings.TrimPrefix(in.Image, "sha256:")
		c.Labels = in.Config.Labels
		c.Privileged = in.HostConfig.Privileged
		c.IP = in.NetworkSettings.IPAddress
		for _, m := range in.Mounts {
			c.Mounts = append(c.Mounts, Mount{Source: m.Source, Dest: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation})
		}
		if strings.Contains(sock, "podman") && c.Type == TypeDocker {
			c.Type = TypePodman
		}
		return true
	}
	return false
}

func readJSON(path string, v any) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
