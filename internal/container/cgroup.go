// SPDX-License-Identifier: Apache-2.0

package container

import (
	"strings"
)

// Container types, named as sysdig's container.type shows them.
const (
	TypeDocker     = "docker"
	TypeLXC        = "lxc"
	TypeLibvirtLXC = "libvirt-lxc"
	TypeCRI        = "cri"
	TypeContainerd = "containerd"
	TypeCRIO       = "cri-o"
	TypePodman     = "podman"
	TypeNspawn     = "systemd-nspawn"
)

// typeCodes are the numbers sysdig's container JSON uses for "type".
var typeCodes = [...]string{TypeDocker, TypeLXC, TypeLibvirtLXC, "mesos", "rkt", "custom", TypeCRI, TypeContainerd, TypeCRIO, "bpm", "static", TypePodman}

// TypeName returns the type name of sysdig's numeric container type, "" if
// unknown.
func TypeName(code int) string {
	if code >= 0 && code < len(typeCodes) {
		return typeCodes[code]
	}
	return ""
}

// Named reports whether sysdig 0.29.3 has a name for container type t in
// its container.type field and its chisel API: podman, systemd-nspawn
// (written as "custom") and "static" containers have none. For those
// container.type repeats whatever the same field showed last (initially
// "") and the chisel API's container table says "unknown".
func Named(t string) bool {
	switch t {
	case TypeDocker, TypeLXC, TypeLibvirtLXC, "mesos", "rkt", TypeCRI, TypeContainerd, TypeCRIO, "bpm":
		return true
	}
	return false
}

// DockerCompatible reports whether sysdig 0.29.3 counts container type t
// as docker-compatible (docker, podman and the CRI runtimes): only those
// have a container.privileged value.
func DockerCompatible(t string) bool {
	switch t {
	case TypeDocker, TypePodman, TypeCRI, TypeContainerd, TypeCRIO:
		return true
	}
	return false
}

// TypeCode returns sysdig's number for a container type. Types sysdig has
// no number for (systemd-nspawn) are written as "custom".
func TypeCode(name string) int {
	for i, n := range typeCodes {
		if n == name {
			return i
		}
	}
	return 5
}

// Ref is what a cgroup path says about a container.
type Ref struct {
	// ID is the container id as sysdig shows it: the first 12 hex digits
	// of a 64-digit id, or the name for LXC and machine containers.
	ID string
	// FullID is the id as found in the path (64 hex digits, or the name).
	FullID string
	// Type is the engine the path layout belongs to.
	Type string
	// Path is the cgroup path (below the hierarchy root) the id was found
	// in, up to and including the container's own directory.
	Path string
}

// Host reports whether r names no container.
func (r Ref) Host() bool { return r.ID == "" }

// FromCgroups identifies the container of a process from its cgroups, given
// as "controller=path" entries (ferret's and sysdig's thread.cgroups form),
// as raw /proc/PID/cgroup lines ("4:memory:/path", "0::/path") or as bare
// paths. The first entry that names a container wins. Processes outside
// containers give the zero Ref.
func FromCgroups(cgroups []string) Ref {
	for _, cg := range cgroups {
		if r := FromPath(cgroupPath(cg)); !r.Host() {
			return r
		}
	}
	return Ref{}
}

// cgroupPath strips the controller part of a cgroup entry.
func cgroupPath(cg string) string {
	if strings.HasPrefix(cg, "/") {
		return cg
	}
	// "id:controllers:path" (the path may itself contain ':').
	if i := strings.IndexByte(cg, ':'); i >= 0 && isDigits(cg[:i]) {
		if j := strings.IndexByte(cg[i+1:], ':'); j >= 0 {
			return cg[i+1+j+1:]
		}
	}
	// "controller=path"; the controller may hold '=' too (name=systemd).
	if i := strings.Index(cg, "=/"); i >= 0 {
		return cg[i+1:]
	}
	return cg
}

// ParseProcCgroup splits the text of /proc/PID/cgroup into
// "controller=path" entries (the v2 line gives "=path").
func ParseProcCgroup(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		i := strings.IndexByte(line, ':')
		if i < 0 {
			continue
		}
		rest := line[i+1:]
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			continue
		}
		out = append(out, rest[:j]+"="+rest[j+1:])
	}
	return out
}

// FromPath identifies the container a single cgroup path belongs to. The
// deepest component that names a container wins, so nested cgroups (a
// systemd inside a container, a pod's init.scope) keep their container.
func FromPath(path string) Ref {
	comps := strings.Split(strings.Trim(path, "/"), "/")
	for i := len(comps) - 1; i >= 0; i-- {
		if r, ok := fromComponent(comps, i); ok {
			r.Path = "/" + strings.Join(comps[:i+1], "/")
			return r
		}
	}
	return Ref{}
}

// fromComponent tries to read a container from component i of a split
// path; the earlier components give context (kubepods, lxc, machine.slice).
func fromComponent(comps []string, i int) (Ref, bool) {
	c := comps[i]
	parent := ""
	if i > 0 {
		parent = comps[i-1]
	}
	under := func(name string) bool {
		for _, p := range comps[:i] {
			if p == name || strings.HasPrefix(p, name+".") || strings.HasPrefix(p, name+"-") {
				return true
			}
		}
		return false
	}
	scope := strings.TrimSuffix(c, ".scope")
	// Engines that wrap the id: docker-<id>.scope, libpod-<id>[.scope],
	// crio-<id>[.scope], cri-containerd-<id>.scope. Their helper scopes
	// (libpod-conmon-<id>, crio-conmon-<id>) are not the container.
	for _, w := range [...]struct{ prefix, typ string }{
		{"docker-", TypeDocker},
		{"libpod-", TypePodman},
		{"crio-", TypeCRIO},
		{"cri-containerd-", TypeContainerd},
		{"containerd-", TypeContainerd},
	} {
		if id, ok := strings.CutPrefix(scope, w.prefix); ok && isHexID(id) {
			return hexRef(id, w.typ), true
		}
	}
	// containerd's CRI plugin on the systemd cgroup driver without
	// SystemdCgroup: "<pod slice>:cri-containerd:<id>".
	if i := strings.Index(c, ":cri-containerd:"); i >= 0 && isHexID(c[i+len(":cri-containerd:"):]) {
		return hexRef(c[i+len(":cri-containerd:"):], TypeContainerd), true
	}
	if isHexID(c) {
		switch {
		case parent == "crio" || under("crio"):
			return hexRef(c, TypeCRIO), true
		case under("libpod_parent") || strings.HasPrefix(parent, "libpod-"):
			return hexRef(c, TypePodman), true
		default:
			// /docker/<id>, the kubelet's cgroupfs layout under kubepods,
			// containerd's "/<namespace>/<id>" and plain runc: like
			// sysdig, any 64-hex-digit component reads as docker until
			// the engine's metadata says otherwise.
			return hexRef(c, TypeDocker), true
		}
	}
	// LXC and LXD: /lxc/<name>, /lxc.payload/<name>, /lxc.payload.<name>;
	// the monitor (lxc.monitor.<name>) is not the container.
	if name, ok := strings.CutPrefix(c, "lxc.payload."); ok && name != "" {
		return nameRef(name, TypeLXC), true
	}
	if (parent == "lxc" || parent == "lxc.payload") && c != "" && !strings.HasPrefix(c, "lxc.") {
		return nameRef(c, TypeLXC), true
	}
	// systemd machines: machine-<name>.scope under machine.slice;
	// libvirt's LXC driver names them machine-lxc\x2d<id>\x2d<name>.scope.
	if parent == "machine.slice" && strings.HasSuffix(c, ".scope") {
		if m, ok := strings.CutPrefix(scope, "machine-"); ok && m != "" {
			if rest, ok := strings.CutPrefix(m, `lxc\x2d`); ok && rest != "" {
				name := unescapeUnit(rest)
				if i := strings.IndexByte(name, '-'); i > 0 && isDigits(name[:i]) {
					name = name[i+1:]
				}
				return nameRef(name, TypeLibvirtLXC), true
			}
			if strings.HasPrefix(m, "libpod-") {
				return Ref{}, false
			}
			return nameRef(unescapeUnit(m), TypeNspawn), true
		}
	}
	return Ref{}, false
}

func hexRef(id, typ string) Ref { return Ref{ID: id[:12], FullID: id, Type: typ} }

func nameRef(name, typ string) Ref { return Ref{ID: name, FullID: name, Type: typ} }

// unescapeUnit undoes systemd's unit-name escaping (\x2d for '-', ...).
func unescapeUnit(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' && isHex(s[i+2:i+4]) {
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	if c >= 'A' {
		return c - 'A' + 10
	}
	return c - '0'
}

func isHexID(s string) bool { return len(s) == 64 && isHex(s) }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// SysdigCgroups returns a thread's cgroups as capture files carry them:
// with what sysdig 0.29.3 needs to tell the thread's container. sysdig
// knows a podman container only by the systemd form of its cgroup,
// ".../libpod-<id>.scope"; a container of the cgroupfs manager
// (/libpod_parent/libpod-<id>) would be a host process there. For it an
// entry "libpod=/libpod-<id>.scope" is added: a pseudo-hierarchy named
// after the engine that gives the container's scope name. Other cgroups
// are returned as they are (same slice, changed false).
func SysdigCgroups(cgroups []string) (out []string, changed bool) {
	r := FromCgroups(cgroups)
	if r.Type != TypePodman || len(r.FullID) != 64 {
		return cgroups, false
	}
	scope := "/libpod-" + r.FullID + ".scope"
	for _, cg := range cgroups {
		if strings.Contains(cg, scope) {
			return cgroups, false
		}
	}
	out = make([]string, len(cgroups), len(cgroups)+1)
	copy(out, cgroups)
	return append(out, "libpod="+scope), true
}
