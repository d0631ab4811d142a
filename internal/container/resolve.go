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
	defaultRunRoot      = "/run/containers/storage"
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
			// The spec is in the graph root (podman) or only in the run
			// root (CRI-O's bundles).
			if read, _ := r.fromSpec(c, r.path(filepath.Join(root, "overlay-containers", sc.ID, "userdata", "config.json"))); !read {
				r.fromSpec(c, r.path(filepath.Join(defaultRunRoot, "overlay-containers", sc.ID, "userdata", "config.json")))
			}
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

// fromSpec reads an OCI config.json: mounts, annotations and privilege;
// the specs the CRI runtimes write (containerd's CRI plugin, CRI-O) give
// the container as the CRI describes it (fromCRI). It reports whether the
// file was read and whether a CRI runtime wrote it.
func (r *Resolver) fromSpec(c *Info, path string) (read, cri bool) {
	var spec ociSpec
	if !readJSON(path, &spec) {
		return false, false
	}
	an := spec.Annotations
	if criType(an) != "" {
		fromCRI(c, &spec)
		return true, true
	}
	if v := an["io.podman.annotations.privileged"]; v != "" {
		c.Privileged = strings.EqualFold(v, "true")
	} else if spec.Process != nil && spec.Process.Capabilities != nil {
		c.Privileged = len(spec.Process.Capabilities.Effective) >= 38
	}
	c.Mounts = c.Mounts[:0]
	for _, m := range spec.Mounts {
		if !isBind(m.Type, m.Options) {
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
	return true, false
}

func isBind(typ string, opts []string) bool {
	return typ == "bind" || contains(opts, "bind") || contains(opts, "rbind")
}

// Annotations of the OCI specs the CRI runtimes write.
const (
	// containerd's CRI plugin.
	annCtrdType      = "io.kubernetes.cri.container-type" // "container" or "sandbox"
	annCtrdName      = "io.kubernetes.cri.container-name"
	annCtrdImage     = "io.kubernetes.cri.image-name"
	annCtrdImageRef  = "io.kubernetes.cri.image-ref"
	annCtrdPod       = "io.kubernetes.cri.sandbox-name"
	annCtrdNamespace = "io.kubernetes.cri.sandbox-namespace"
	annCtrdPodUID    = "io.kubernetes.cri.sandbox-uid"
	// CRI-O.
	annCrioType     = "io.kubernetes.cri-o.ContainerType"
	annCrioMetadata = "io.kubernetes.cri-o.Metadata" // {"name":...,"attempt":...}
	annCrioLabels   = "io.kubernetes.cri-o.Labels"   // the CRI labels as JSON
	annCrioImage    = "io.kubernetes.cri-o.ImageName"
	annCrioImageRef = "io.kubernetes.cri-o.ImageRef"
)

// criType tells the runtime that wrote a spec from its annotations:
// TypeContainerd, TypeCRIO or "" (not a CRI container).
func criType(an map[string]string) string {
	switch {
	case an[annCrioType] != "" || an[annCrioMetadata] != "" || an["io.kubernetes.cri-o.Name"] != "":
		return TypeCRIO
	case an[annCtrdType] != "":
		return TypeContainerd
	}
	return ""
}

// fromCRI describes a container from the OCI spec a CRI runtime wrote, as
// sysdig 0.29.3 describes it from the runtime's CRI answer: the name is the
// Kubernetes container name (the CRI metadata name, not the runtime's own
// k8s_... name), the labels are the CRI labels the kubelet set (pod name,
// namespace and uid, container name), the image is the one the container
// was created from, split into repository and tag without a default tag,
// its digest taken from the image reference, and the mounts are those the
// kubelet asked for (the runtime's own files left out), with the CRI's
// propagation names. A pod's sandbox (pause) container is known by id and
// type only, as sysdig knows it.
func fromCRI(c *Info, spec *ociSpec) {
	an := spec.Annotations
	c.Type = criType(an)
	sandbox := an[annCtrdType] == "sandbox" || an[annCrioType] == "sandbox"
	stored := c.Image // CRI-O's storage metadata may name the image too
	c.Name, c.Image, c.ImageRepo, c.ImageTag, c.ImageDigest, c.Labels, c.Mounts, c.IP = "", "", "", "", "", nil, nil, ""
	if sandbox {
		c.ImageID = ""
		return
	}
	labels := make(map[string]string)
	set := func(k, v string) {
		if v != "" {
			labels[k] = v
		}
	}
	var image, imageRef string
	if c.Type == TypeCRIO {
		var meta struct {
			Name string `json:"name"`
		}
		json.Unmarshal([]byte(an[annCrioMetadata]), &meta)
		c.Name = first(meta.Name, an[LabelContainerName])
		var l map[string]string
		if json.Unmarshal([]byte(an[annCrioLabels]), &l) == nil {
			for k, v := range l {
				set(k, v)
			}
		} else {
			for _, k := range []string{LabelContainerName, LabelPodName, LabelPodNamespace, LabelPodUID} {
				set(k, an[k])
			}
		}
		image, imageRef = an[annCrioImage], an[annCrioImageRef]
		// The pod's address (sysdig asks the CRI for the sandbox's).
		if ip := net.ParseIP(an["io.kubernetes.cri-o.IP.0"]); ip != nil && ip.To4() != nil {
			c.IP = ip.String()
		}
	} else {
		c.Name = an[annCtrdName]
		set(LabelContainerName, an[annCtrdName])
		set(LabelPodName, an[annCtrdPod])
		set(LabelPodNamespace, an[annCtrdNamespace])
		set(LabelPodUID, an[annCtrdPodUID])
		image, imageRef = an[annCtrdImage], an[annCtrdImageRef]
	}
	if len(labels) > 0 {
		c.Labels = labels
	}
	c.Privileged = spec.Process != nil && spec.Process.Capabilities != nil && len(spec.Process.Capabilities.Effective) >= 38
	c.setCRIImage(first(image, stored), imageRef)
	for _, m := range spec.Mounts {
		if !isBind(m.Type, m.Options) || runtimeFile(m.Source) {
			continue
		}
		mt := Mount{Source: m.Source, Dest: m.Destination, RW: !contains(m.Options, "ro"), Propagation: "private"}
		for _, o := range m.Options {
			switch o {
			case "slave", "rslave":
				mt.Propagation = "rslave"
			case "shared", "rshared":
				mt.Propagation = "rshared"
			}
		}
		c.Mounts = append(c.Mounts, mt)
	}
}

// runtimeFile reports whether a bind mount source is a file the CRI
// runtime made itself (the sandbox's hostname, resolv.conf and shm), not a
// mount the kubelet asked for.
func runtimeFile(src string) bool {
	return strings.Contains(src, "/io.containerd.grpc.v1.cri/sandboxes/") ||
		strings.Contains(src, "/overlay-containers/") && strings.Contains(src, "/userdata/")
}

// setCRIImage sets the image as sysdig reads a CRI image name: the
// repository keeps the registry host, the tag follows the first ':' after
// it (none when absent), and the digest comes from the image reference when
// it is "sha256:..." or "...@sha256:...", else from the name's "@...".
func (c *Info) setCRIImage(image, ref string) {
	c.Image = image
	repo, rest := "", image
	if i := strings.IndexByte(image, '/'); i >= 0 {
		repo, rest = image[:i+1], image[i+1:]
	}
	name, digest, _ := strings.Cut(rest, "@")
	name, tag, _ := strings.Cut(name, ":")
	c.ImageRepo, c.ImageTag = repo+name, tag
	if i := strings.Index(ref, "sha256:"); i == 0 || i > 0 && ref[i-1] == '@' {
		digest = ref[i:]
	}
	c.ImageDigest = digest
}

func (r *Resolver) fromBundle(c *Info) bool {
	dirs, _ := filepath.Glob(r.path("/run/containerd/io.containerd.runtime.v2.task/*/" + c.FullID + "/config.json"))
	sort.Strings(dirs)
	for _, p := range dirs {
		if c.Type == TypeDocker {
			c.Type = TypeContainerd
		}
		if read, cri := r.fromSpec(c, p); read {
			if !cri && c.Name == "" {
				// A bundle of containerd's own (ctr, nerdctl), not the
				// CRI's: named after its id.
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
