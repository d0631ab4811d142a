// SPDX-License-Identifier: Apache-2.0

// Package netfs knows which mount a path lives on and whether that mount is a
// network (or remote FUSE) file system: it parses /proc/<pid>/mountinfo into a
// mount Table (longest mount-point prefix lookup, later mounts shadowing
// earlier ones), keeps a Live table current when mounts change, classifies
// file-system types (nfs, nfs4, cifs, smb3, fuse.sshfs, ...) and aggregates
// per-process, per-mount operation counts, bytes and slow operations for
// "ferret netfs", whose mount and umount calls it decodes (MountCalls).
//
// netfs is a layer-1 package: it imports internal/event only (plus the
// standard library and x/sys). It must not import state, fields or anything
// above; the fd.mnt.* fields that use it live in internal/fields.
package netfs
