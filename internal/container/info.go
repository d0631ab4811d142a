// SPDX-License-Identifier: Apache-2.0

package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Mount is one mount of a container.
type Mount struct {
	Source      string
	Dest        string
	Mode        string
	RW          bool
	Propagation string
}

// String gives the mount as sysdig's container.mount shows it:
// source:dest:mode:rdwr:propagation.
func (m Mount) String() string {
	rw := "false"
	if m.RW {
		rw = "true"
	}
	return m.Source + ":" + m.Dest + ":" + m.Mode + ":" + rw + ":" + m.Propagation
}

// Info describes one container.
type Info struct {
	ID          string // short id (12 hex digits) or name, as Ref.ID
	FullID      string
	Name        string
	Image       string // as the user named it (repo:tag or repo@digest)
	ImageID     string
	ImageRepo   string
	ImageTag    string
	ImageDigest string
	Type        string
	Privileged  bool
	Mounts      []Mount
	IP          string
	// Labels are the container's labels (OCI annotations for CRI
	// runtimes); Kubernetes names come from the io.kubernetes.* ones.
	Labels map[string]string
	// Healthcheck is the command of the container's health check, "" if
	// it has none.
	Healthcheck string
	// JSON is the metadata as received from a capture file, "" when the
	// Info was read from the machine.
	JSON string
	// Cgroup is the container's cgroup path (below a hierarchy's root)
	// when it was looked up on the machine.
	Cgroup string
}

// Matches reports whether s names the container: its short or full id or
// its name.
func (c *Info) Matches(s string) bool {
	return s != "" && (s == c.ID || s == c.FullID || s == c.Name)
}

// CRI label keys that carry Kubernetes names.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
)

// MatchesAny reports whether one of names designates c (see Matches).
func (c *Info) MatchesAny(names []string) bool {
	for _, n := range names {
		if c.Matches(n) {
			return true
		}
	}
	return false
}

// PodName returns the Kubernetes pod name, "" outside Kubernetes.
func (c *Info) PodName() string { return c.Labels[LabelPodName] }

// PodNamespace returns the Kubernetes namespace, "" outside Kubernetes.
func (c *Info) PodNamespace() string { return c.Labels[LabelPodNamespace] }

// PodUID returns the Kubernetes pod uid, "" outside Kubernetes.
func (c *Info) PodUID() string { return c.Labels[LabelPodUID] }

// SetImage fills Image and derives ImageRepo, ImageTag and ImageDigest from
// a reference such as "docker.io/library/nginx:1.25" or "repo@sha256:...".
func (c *Info) SetImage(ref string) {
	c.Image = ref
	if strings.HasPrefix(ref, "sha256:") {
		// A bare image id names no repository.
		c.ImageRepo, c.ImageTag = "", ""
		return
	}
	repo, digest, _ := strings.Cut(ref, "@")
	tag := ""
	if i := strings.LastIndexByte(repo, ':'); i >= 0 && !strings.Contains(repo[i:], "/") {
		repo, tag = repo[:i], repo[i+1:]
	}
	if tag == "" && digest == "" && repo != "" {
		tag = "latest"
	}
	c.ImageRepo, c.ImageTag = repo, tag
	if digest != "" {
		c.ImageDigest = digest
	}
}

// wire is sysdig's container JSON ({"container":{...}}).
type wire struct {
	Container wireInfo `json:"container"`
}

type wireInfo struct {
	Healthcheck *struct {
		Test []string `json:"Test"`
	} `json:"Healthcheck,omitempty"`
	Mounts      []wireMount       `json:"Mounts"`
	FullID      string            `json:"full_id,omitempty"`
	ID          string            `json:"id"`
	Image       string            `json:"image"`
	ImageDigest string            `json:"imagedigest"`
	ImageID     string            `json:"imageid"`
	ImageRepo   string            `json:"imagerepo"`
	ImageTag    string            `json:"imagetag"`
	IP          string            `json:"ip"`
	Labels      map[string]string `json:"labels,omitempty"`
	Name        string            `json:"name"`
	Privileged  bool              `json:"privileged"`
	Type        int               `json:"type"`
}

type wireMount struct {
	Destination string `json:"Destination"`
	Mode        string `json:"Mode"`
	Propagation string `json:"Propagation"`
	RW          bool   `json:"RW"`
	Source      string `json:"Source"`
}

// ErrNoID is returned by ParseJSON for metadata without a container id.
var ErrNoID = errors.New("container metadata without an id")

// ParseJSON reads the JSON of a sysdig container event.
func ParseJSON(raw string) (*Info, error) {
	var w wire
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		return nil, fmt.Errorf("container metadata: %w", err)
	}
	wc := &w.Container
	if wc.ID == "" {
		return nil, ErrNoID
	}
	c := &Info{ID: wc.ID, FullID: wc.FullID, Name: wc.Name, Image: wc.Image, ImageID: wc.ImageID,
		ImageRepo: wc.ImageRepo, ImageTag: wc.ImageTag, ImageDigest: wc.ImageDigest,
		Type: TypeName(wc.Type), Privileged: wc.Privileged, IP: wc.IP, Labels: wc.Labels, JSON: raw}
	if c.FullID == "" {
		c.FullID = c.ID
	}
	for _, m := range wc.Mounts {
		c.Mounts = append(c.Mounts, Mount{Source: m.Source, Dest: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation})
	}
	if wc.Healthcheck != nil && len(wc.Healthcheck.Test) > 0 {
		c.Healthcheck = probeCommand(wc.Healthcheck.Test)
	}
	return c, nil
}

// probeCommand turns a docker health check test (["CMD", exe, args...],
// ["CMD-SHELL", cmd] or ["NONE"]) into a command line.
func probeCommand(test []string) string {
	switch test[0] {
	case "CMD":
		return strings.Join(test[1:], " ")
	case "CMD-SHELL":
		return "/bin/sh -c " + strings.Join(test[1:], " ")
	}
	return strings.Join(test, " ")
}

// EventJSON returns the container as the JSON of a sysdig container event, the
// form capture files carry. Labels are written in key order.
func (c *Info) EventJSON() string {
	w := wire{Container: wireInfo{ID: c.ID, Image: c.Image, ImageDigest: c.ImageDigest,
		ImageID: c.ImageID, ImageRepo: c.ImageRepo, ImageTag: c.ImageTag, IP: c.IP,
		Labels: c.Labels, Name: c.Name, Privileged: c.Privileged, Type: TypeCode(c.Type), Mounts: []wireMount{}}}
	if c.FullID != c.ID {
		w.Container.FullID = c.FullID
	}
	if c.Healthcheck != "" {
		w.Container.Healthcheck = &struct {
			Test []string `json:"Test"`
		}{Test: []string{c.Healthcheck}}
	}
	if w.Container.IP == "" {
		w.Container.IP = "0.0.0.0"
	}
	for _, m := range c.Mounts {
		w.Container.Mounts = append(w.Container.Mounts, wireMount{Destination: m.Dest, Mode: m.Mode, Propagation: m.Propagation, RW: m.RW, Source: m.Source})
	}
	b, err := json.Marshal(w) // maps are written in key order
	if err != nil {
		return ""
	}
	return string(b)
}

// SortedLabels returns the labels as key:value pairs in key order.
func (c *Info) SortedLabels() []string {
	out := make([]string, 0, len(c.Labels))
	for k, v := range c.Labels {
		out = append(out, k+":"+v)
	}
	sort.Strings(out)
	return out
}

// Stub describes a container a capture file knows only from a cgroup path
// (no metadata event): like sysdig 0.29.3, docker and podman containers
// are known by id, LXC and libvirt-lxc ones by id and name; the others
// (CRI runtimes, machines) are not known at all (nil).
func Stub(r Ref) *Info {
	switch r.Type {
	case TypeDocker, TypePodman:
		return &Info{ID: r.ID, FullID: r.FullID, Type: r.Type}
	case TypeLXC, TypeLibvirtLXC:
		return &Info{ID: r.ID, FullID: r.FullID, Name: r.ID, Type: r.Type}
	}
	return nil
}
