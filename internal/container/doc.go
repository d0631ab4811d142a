// SPDX-License-Identifier: Apache-2.0

// Package container tells which container a process runs in and what that
// container is.
//
// Identification is pure text work on the process's cgroup paths (both the
// cgroup v1 "controller=path" lists and the v2 "::path" line): FromCgroups
// recognises the layouts of docker, podman (root and rootless), containerd
// and other CRI runtimes under kubepods, CRI-O, LXC/LXD, libvirt-lxc,
// systemd-nspawn machines and 64-hex-digit runc ids.
//
// Description comes from the engines' own state on disk, so no runtime
// socket is needed: podman's containers.json and per-container OCI
// config.json, docker's config.v2.json, containerd's and CRI-O's OCI bundle
// config.json with its CRI annotations. CRI containers are described as
// sysdig describes them from the runtime's CRI answer: named with the
// Kubernetes container name, labelled with the kubelet's labels (pod name,
// namespace and uid, which the k8s.* fields show), with the kubelet's
// mounts; a pod's sandbox is known by id and type only. A Resolver looks a container up once, when its cgroup
// is first seen, and falls back to the engine's API socket when the on-disk
// state has nothing.
// It also gives the v2 cgroup ids of running containers named on the
// command line (Resolver.CgroupIDs), for the kernel-side container filter.
//
// Info is also the unit written to and read from capture files, as the JSON
// of sysdig's container events (ParseJSON, Info.EventJSON). sysdig ties a
// process to its container only through the cgroups of the file's thread
// table and process events, and knows fewer layouts: SysdigCgroups gives
// the cgroups a capture file carries so that sysdig tells the same
// container (podman's cgroupfs layout gets a "libpod=" entry in systemd's
// scope form). Stub is what a replay knows of a container met only in a
// cgroup path, as sysdig has it.
//
// container is a layer-0 package: it imports only the standard library.
package container
