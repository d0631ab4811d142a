// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/netfs"
)

// The fd.mnt.* fields say which mount the file of the current fd lives on.
// They are resolved against the capturing machine's mount table, part of
// the state (from the capture's snapshot, following its mount and umount
// calls); for a capture that carries none (files of other writers) against
// this machine's (/proc/self/mountinfo, re-read when mounts change).

func init() {
	Register(&Class{Name: "fd.mnt", Order: 75,
		Desc: "Mount of the file an event's fd refers to (ferret extension), resolved from the mount table; useful to single out network file systems.",
		Fields: []Field{
			strField("fd.mnt.type", "CHARBUF", "file-system type of the mount holding the fd's file, e.g. ext4, nfs4, cifs, fuse.sshfs.", func(c *Ctx, b []byte) ([]byte, bool) {
				if m := fdMount(c); m != nil {
					return append(b, m.FSType...), true
				}
				return b, false
			}),
			strField("fd.mnt.point", "CHARBUF", "mount point of the mount holding the fd's file.", func(c *Ctx, b []byte) ([]byte, bool) {
				if m := fdMount(c); m != nil {
					return append(b, m.Point...), true
				}
				return b, false
			}),
			strField("fd.mnt.source", "CHARBUF", "source of the mount holding the fd's file (server:/export, //host/share, /dev/sda1).", func(c *Ctx, b []byte) ([]byte, bool) {
				if m := fdMount(c); m != nil {
					return append(b, m.Source...), true
				}
				return b, false
			}),
			simple("fd.mnt.isnet", "BOOL", "'true' if the fd's file is on a network file system (NFS, CIFS/SMB, sshfs, ...).", func(c *Ctx, v *Value) bool {
				m := fdMount(c)
				return m != nil && setBool(v, m.IsNet())
			}),
		}})
}

// fdMount returns the mount of the current fd's file, or nil (also for
// sockets, pipes and fds without a known path).
func fdMount(c *Ctx) *netfs.Mount {
	if c.State == nil {
		return nil
	}
	fd := c.CurFD()
	if fd == nil || len(fd.Name) == 0 || fd.Name[0] != '/' {
		return nil
	}
	switch fd.Type {
	case event.FDFile, event.FDFileV2, event.FDDirectory:
	default:
		return nil
	}
	ms, gen := c.State.Mounts()
	if ms == nil {
		return netfs.Lookup(fd.Name)
	}
	if c.mountsOf != c.State || c.mountsGen != gen || c.mounts == nil {
		c.mounts, c.mountsOf, c.mountsGen = netfs.TableOf(ms), c.State, gen
	}
	return c.mounts.Lookup(fd.Name)
}
