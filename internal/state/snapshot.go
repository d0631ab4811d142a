// SPDX-License-Identifier: Apache-2.0

package state

import (
	"sort"

	"github.com/ferret-observability/ferret/internal/event"
)

// Snapshot exports the current tables in the form a capture starts from,
// so that a capture file begun mid-run (a rotated file) is self-contained:
// replaying it alone resolves process and fd names as the live run did.
// It is the inverse of Load and allocates a fresh snapshot.
func (s *State) Snapshot() *event.Snapshot {
	snap := &event.Snapshot{Machine: s.machine}
	snap.Interfaces = append(snap.Interfaces, s.ifaces...)
	s.snapshotMounts(snap)
	for _, u := range s.users {
		snap.Users = append(snap.Users, *u)
	}
	sort.Slice(snap.Users, func(i, j int) bool { return snap.Users[i].UID < snap.Users[j].UID })
	for _, g := range s.groups {
		snap.Groups = append(snap.Groups, *g)
	}
	sort.Slice(snap.Groups, func(i, j int) bool { return snap.Groups[i].GID < snap.Groups[j].GID })
	s.Containers(func(c *Container) bool {
		snap.Containers = append(snap.Containers, ContainerJSON(c))
		return true
	})
	for _, t := range s.SortedThreads() {
		if t.exited {
			continue
		}
		et := event.Thread{
			TID: t.TID, PID: t.PID, PTID: t.PTID, SID: t.SID, VPGID: t.VPGID,
			Comm: t.Comm, Exe: t.Exe, ExePath: t.ExePath,
			Args: append([]string(nil), t.Args...), Env: append([]string(nil), t.Env...),
			Cgroups: append([]string(nil), t.Cgroups...),
			Cwd:     t.Cwd, Root: t.Root, FDLimit: t.FDLimit, Flags: t.Flags,
			UID: t.UID, GID: t.GID, LoginUID: t.LoginUID, ExeWritable: t.ExeWritable,
			VMSizeKB: t.VMSizeKB, VMRSSKB: t.VMRSSKB, VMSwapKB: t.VMSwapKB,
			PFMajor: t.PFMajor, PFMinor: t.PFMinor, VTID: t.VTID, VPID: t.VPID, MntNS: t.MntNS,
		}
		// Threads sharing a process's fd table list it once, on the
		// thread that owns it in the table (the main thread when present).
		if t.fds != nil && (t.TID == t.PID || s.threads[t.PID] == nil || s.threads[t.PID].fds != t.fds) {
			for _, fd := range t.fds.Sorted() {
				et.FDs = append(et.FDs, exportFD(fd))
			}
		}
		snap.Threads = append(snap.Threads, et)
	}
	return snap
}

func exportFD(fd *FD) event.FD {
	out := event.FD{Num: fd.Num, Ino: fd.Ino, Type: fd.Type, Name: fd.Name, OpenFlags: fd.OpenFlags, Dev: fd.Dev,
		SPort: fd.SPort, DPort: fd.DPort, L4Proto: fd.L4Proto, UnixSrc: fd.UnixSrc, UnixDst: fd.UnixDst}
	switch fd.Type {
	case event.FDIPv4Sock, event.FDIPv4ServSock:
		out.SrcIP, out.DstIP = append([]byte(nil), fd.SIP[:4]...), append([]byte(nil), fd.DIP[:4]...)
	case event.FDIPv6Sock, event.FDIPv6ServSock:
		out.SrcIP, out.DstIP = append([]byte(nil), fd.SIP[:]...), append([]byte(nil), fd.DIP[:]...)
	}
	return out
}

// ContainerJSON returns c as the JSON of a container event: the metadata as
// a capture file carried it, or as read from the machine.
func ContainerJSON(c *Container) string {
	if c.JSON != "" {
		return c.JSON
	}
	return c.EventJSON()
}
