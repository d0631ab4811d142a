// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/netfs"
	"github.com/ferret-observability/ferret/internal/state"
)

// The fd.mnt.* fields say which mount the file of the current fd lives on.
// They are resolved against the mount table of the event thread's mount
// namespace, part of the state (from the capture's snapshot and its
// mount-namespace records, following its mount and umount calls): a
// containerized process sees its container's mounts. For a capture that
// carries no table (files of other writers) the capture's own namespace
// is this machine's (/proc/self/mountinfo, re-read when mounts change).

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

// mountCache holds the lookup tables built from a state's mount tables,
// by namespace key (state.MountsOf), for one generation of them.
type mountCache struct {
	of   *state.State
	gen  uint64
	tabs map[uint64]*netfs.Table
}

// fdMount returns the mount of the current fd's file in the mount
// namespace of the event's thread, or nil (also for sockets, pipes and fds
// without a known path, and for threads whose namespace is not known).
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
	ms, key, known := c.State.MountsOf(c.Thread())
	if !known {
		return nil
	}
	if ms == nil {
		return netfs.Lookup(fd.Name)
	}
	mc := c.mounts
	if mc == nil {
		mc = &mountCache{}
		c.mounts = mc
	}
	if gen := c.State.MountGen(); mc.of != c.State || mc.gen != gen || mc.tabs == nil {
		mc.of, mc.gen, mc.tabs = c.State, gen, make(map[uint64]*netfs.Table)
	}
	tab := mc.tabs[key]
	if tab == nil {
		tab = netfs.TableOf(ms)
		mc.tabs[key] = tab
	}
	return tab.Lookup(fd.Name)
}
