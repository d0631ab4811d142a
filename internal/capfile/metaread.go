// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// Strings in metadata blocks are str16, so 65535 bytes at most. sysdig
// refuses some longer than its own limits; ferret reads them all.
const anyLen = 1 << 16

// section accumulates the metadata of one section into a snapshot.
type section struct {
	snap  *event.Snapshot
	index map[int64]int // tid -> position in snap.Threads
	// threadNS holds the mount namespaces of the mount namespaces block,
	// given to the threads once every block is read.
	threadNS map[int64]uint64
}

func newSection() *section {
	return &section{snap: &event.Snapshot{}, index: map[int64]int{}}
}

// finish completes the snapshot once every metadata block is read.
func (s *section) finish() {
	if s.threadNS == nil {
		return
	}
	for i := range s.snap.Threads {
		if ns, ok := s.threadNS[s.snap.Threads[i].TID]; ok {
			s.snap.Threads[i].MntNS = ns
		}
	}
}

func (s *section) parse(typ uint32, body []byte) error {
	switch typ {
	case BlockMI, BlockMIInt:
		return s.parseMI(body)
	case BlockML:
		return s.parseML(body)
	case BlockMNS:
		return s.parseMNS(body)
	case BlockIL, BlockILInt:
		return s.parseIL(body, false)
	case BlockILV2:
		return s.parseIL(body, true)
	case BlockUL, BlockULInt:
		return s.parseUL(body, false)
	case BlockULV2:
		return s.parseUL(body, true)
	case BlockPLV1, BlockPLV1Int:
		return s.parsePL(body, 1)
	case BlockPLV2, BlockPLV2Int:
		return s.parsePL(body, 2)
	case BlockPLV3, BlockPLV3Int:
		return s.parsePL(body, 3)
	case BlockPLV4:
		return s.parsePL(body, 4)
	case BlockPLV5:
		return s.parsePL(body, 5)
	case BlockPLV6:
		return s.parsePL(body, 6)
	case BlockPLV7:
		return s.parsePL(body, 7)
	case BlockPLV8:
		return s.parsePL(body, 8)
	case BlockPLV9:
		return s.parsePL(body, 9)
	case BlockFDL, BlockFDLInt:
		return s.parseFDL(body, false)
	case BlockFDLV2:
		return s.parseFDL(body, true)
	}
	return nil
}

// parseML reads a mount list: mount entries (mountEntry) to the end of
// the block.
func (s *section) parseML(body []byte) error {
	c := cursor{b: body}
	s.snap.Mounts = []event.Mount{}
	for c.left() >= 4 && c.err == nil { // the block pads to 4 bytes
		m, err := mountEntry(&c)
		if err != nil {
			return err
		}
		if c.err != nil {
			break
		}
		s.snap.Mounts = append(s.snap.Mounts, m)
	}
	return c.err
}

// mountEntry reads one mount entry: a u32 entry length, the u32 mount and
// parent ids and seven u16-length strings (dev, root, mount point,
// options, type, source, superblock options).
func mountEntry(c *cursor) (event.Mount, error) {
	var m event.Mount
	l := int(c.u32("mount entry length"))
	if c.err != nil {
		return m, nil
	}
	if l < 4 || l-4 > c.left() {
		return m, fmt.Errorf("mount entry length %d does not fit the %d bytes left", l, c.left())
	}
	end := c.p + l - 4
	m.ID = int(c.u32("mount id"))
	m.Parent = int(c.u32("parent mount id"))
	m.Dev = c.str16(limPath, "mount device")
	m.Root = c.str16(limPath, "mount root")
	m.Point = c.str16(limPath, "mount point")
	m.Options = c.str16(limList, "mount options")
	m.FSType = c.str16(limPath, "mount type")
	m.Source = c.str16(limPath, "mount source")
	m.SuperOpts = c.str16(limList, "superblock options")
	if c.err == nil && c.p > end {
		return m, fmt.Errorf("mount entry longer than its length %d", l)
	}
	c.p = end
	return m, nil
}

// parseMNS reads the mount namespaces block (see Writer.appendMountNS).
// The threads' namespaces are kept until the process list is read
// (threadNS), whichever block comes first.
func (s *section) parseMNS(body []byte) error {
	c := cursor{b: body}
	s.snap.MountNS = c.u64("mount namespace")
	n := int(c.u32("mount namespace count"))
	if c.err == nil && n > c.left()/12 {
		return fmt.Errorf("%d mount namespaces do not fit the %d bytes left", n, c.left())
	}
	s.snap.MountTables = nil
	for i := 0; i < n && c.err == nil; i++ {
		mt := event.MountTable{NS: c.u64("mount namespace id"), Mounts: []event.Mount{}}
		k := int(c.u32("mount count"))
		if c.err == nil && k > c.left()/4 {
			return fmt.Errorf("%d mounts of namespace %d do not fit the %d bytes left", k, mt.NS, c.left())
		}
		for j := 0; j < k && c.err == nil; j++ {
			m, err := mountEntry(&c)
			if err != nil {
				return fmt.Errorf("namespace %d: %w", mt.NS, err)
			}
			mt.Mounts = append(mt.Mounts, m)
		}
		s.snap.MountTables = append(s.snap.MountTables, mt)
	}
	k := int(c.u32("thread count"))
	if c.err == nil && k > c.left()/16 {
		return fmt.Errorf("%d thread namespaces do not fit the %d bytes left", k, c.left())
	}
	if s.threadNS == nil {
		s.threadNS = make(map[int64]uint64, k)
	}
	for j := 0; j < k && c.err == nil; j++ {
		tid := int64(c.u64("thread id"))
		s.threadNS[tid] = c.u64("thread mount namespace")
	}
	return c.err
}

func (s *section) parseMI(body []byte) error {
	if len(body) < miBody {
		return fmt.Errorf("machine info body is %d bytes, want %d", len(body), miBody)
	}
	c := cursor{b: body}
	m := &s.snap.Machine
	m.NumCPUs = c.u32("num_cpus")
	m.MemBytes = c.u64("memory")
	m.MaxPID = c.u64("max_pid")
	h := c.bytes(128, "hostname")
	if i := indexNul(h); i >= 0 {
		h = h[:i]
	}
	m.Hostname = string(h)
	m.BootTime = c.u64("boot time")
	return c.err
}

func indexNul(b []byte) int {
	for i, x := range b {
		if x == 0 {
			return i
		}
	}
	return -1
}

func (s *section) parseIL(body []byte, v2 bool) error {
	c := cursor{b: body}
	for c.left() >= 4 && c.err == nil {
		end := -1
		if v2 {
			l := int(c.u32("interface entry length"))
			end = c.p + l
			if l > c.left() {
				return fmt.Errorf("interface entry length %d exceeds the %d bytes left", l, c.left())
			}
		}
		typ := c.u16("interface type")
		nameLen := int(c.u16("interface name length"))
		if nameLen >= 1024 {
			return fmt.Errorf("interface name length %d too long", nameLen)
		}
		var it event.Interface
		alen, speed := 0, false
		switch typ {
		case 1:
			alen, speed = 4, true
		case 2:
			alen, speed, it.IPv6 = 16, true, true
		case 3:
			alen = 4
		case 4:
			alen, it.IPv6 = 16, true
		default:
			return fmt.Errorf("unknown interface entry type %d", typ)
		}
		it.Addr = c.ip(alen, "interface address")
		it.Netmask = c.ip(alen, "interface netmask")
		it.Broadcast = c.ip(alen, "interface broadcast")
		if speed {
			it.LinkSpeed = c.u64("interface link speed")
		}
		it.Name = string(c.bytes(nameLen, "interface name"))
		if c.err != nil {
			break
		}
		if end >= 0 {
			if c.p > end {
				return fmt.Errorf("interface entry longer than its length field")
			}
			c.p = end
		}
		s.snap.Interfaces = append(s.snap.Interfaces, it)
	}
	return c.err
}

func (s *section) parseUL(body []byte, v2 bool) error {
	c := cursor{b: body}
	for c.left() >= 4 && c.err == nil {
		start, end := c.p, -1
		if v2 {
			l := int(c.u32("user entry length"))
			end = start + l
			if l > c.left()+4 {
				return fmt.Errorf("user entry length %d exceeds the %d bytes left", l, c.left()+4)
			}
		}
		typ := c.u8("user entry type")
		if typ == 0 {
			var u event.User
			u.UID = c.u32("uid")
			u.GID = c.u32("gid")
			u.Name = c.cstr16(anyLen, "user name")
			u.HomeDir = c.cstr16(anyLen, "home directory")
			u.Shell = c.cstr16(anyLen, "shell")
			if c.err == nil {
				s.snap.Users = append(s.snap.Users, u)
			}
		} else {
			var g event.Group
			g.GID = c.u32("gid")
			g.Name = c.cstr16(anyLen, "group name")
			if c.err == nil {
				s.snap.Groups = append(s.snap.Groups, g)
			}
		}
		if c.err != nil {
			break
		}
		if end >= 0 {
			if c.p > end {
				return fmt.Errorf("user entry: read %d bytes, but its length is %d", c.p-start, end-start)
			}
			c.p = end
		}
	}
	return c.err
}

// splitNul splits a NUL-separated list; a trailing NUL does not add an empty
// element.
func splitNul(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\x00")
	return strings.Split(s, "\x00")
}

func (s *section) parsePL(body []byte, ver int) error {
	c := cursor{b: body}
	for c.left() >= 4 && c.err == nil {
		start, entryLen := c.p, 0
		if ver >= 9 {
			entryLen = int(c.u32("process entry length"))
			if entryLen > c.left()+4 {
				return fmt.Errorf("process entry length %d exceeds the %d bytes left", entryLen, c.left()+4)
			}
		}
		var t event.Thread
		t.TID = int64(c.u64("tid"))
		t.PID = int64(c.u64("pid"))
		t.PTID = int64(c.u64("ptid"))
		if ver >= 6 {
			t.SID = int64(c.u64("sid"))
		}
		if ver >= 8 {
			t.VPGID = int64(c.u64("vpgid"))
		}
		t.Comm = c.cstr16(anyLen, "comm")
		t.Exe = c.cstr16(anyLen, "exe")
		if ver >= 7 {
			t.ExePath = c.cstr16(anyLen, "exepath")
		}
		t.Args = splitNul(c.str16(anyLen, "args"))
		t.Cwd = c.cstr16(anyLen, "cwd")
		t.FDLimit = int64(c.u64("fdlimit"))
		t.Flags = c.u32("flags")
		t.UID = c.u32("uid")
		t.GID = c.u32("gid")
		if ver >= 2 {
			t.VMSizeKB = c.u32("vmsize")
			t.VMRSSKB = c.u32("vmrss")
			t.VMSwapKB = c.u32("vmswap")
			t.PFMajor = c.u64("pfmajor")
			t.PFMinor = c.u64("pfminor")
		}
		if ver >= 3 {
			t.Env = splitNul(c.str16(anyLen, "env"))
		}
		if ver >= 4 {
			t.VTID = int64(c.u64("vtid"))
			t.VPID = int64(c.u64("vpid"))
			t.Cgroups = splitNul(c.str16(anyLen, "cgroups"))
		} else {
			t.VTID, t.VPID = t.TID, t.PID
		}
		if ver >= 5 {
			t.Root = c.cstr16(anyLen, "root")
		}
		t.LoginUID = -1
		if c.err != nil {
			break
		}
		if ver >= 9 && entryLen != 0 {
			read := c.p - start
			if read > entryLen {
				return fmt.Errorf("process entry of tid %d: read %d bytes, but the entry length is %d", t.TID, read, entryLen)
			}
			tail := entryLen - read
			if tail >= 4 {
				t.LoginUID = int32(c.u32("loginuid"))
				tail -= 4
				if tail >= 1 {
					t.ExeWritable = c.u8("exe_writable") != 0
					tail--
				}
			}
			c.skip(tail, "process entry tail")
		}
		if i, ok := s.index[t.TID]; ok {
			s.snap.Threads[i] = t
		} else {
			s.index[t.TID] = len(s.snap.Threads)
			s.snap.Threads = append(s.snap.Threads, t)
		}
	}
	return c.err
}

func (s *section) parseFDL(body []byte, v2 bool) error {
	c := cursor{b: body}
	tid := int64(c.u64("fd list tid"))
	if c.err != nil {
		return c.err
	}
	ti, ok := s.index[tid]
	if !ok {
		return fmt.Errorf("fd list references tid %d, which is not in the process list", tid)
	}
	var fds []event.FD
	for c.left() >= 4 && c.err == nil {
		start, end := c.p, -1
		if v2 {
			l := int(c.u32("fd entry length"))
			end = start + l
			if l > c.left()+4 {
				return fmt.Errorf("fd entry length %d exceeds the %d bytes left", l, c.left()+4)
			}
		}
		var fd event.FD
		fd.Num = int64(c.u64("fd"))
		fd.Ino = c.u64("ino")
		fd.Type = event.FDType(c.u8("fd type"))
		switch fd.Type {
		case event.FDUnknown:
		case event.FDIPv4Sock:
			fd.SrcIP = c.ip(4, "source address")
			fd.DstIP = c.ip(4, "destination address")
			fd.SPort = c.u16("source port")
			fd.DPort = c.u16("destination port")
			fd.L4Proto = c.u8("l4 protocol")
		case event.FDIPv6Sock:
			fd.SrcIP = c.ip(16, "source address")
			fd.DstIP = c.ip(16, "destination address")
			fd.SPort = c.u16("source port")
			fd.DPort = c.u16("destination port")
			fd.L4Proto = c.u8("l4 protocol")
		case event.FDIPv4ServSock:
			fd.SrcIP = c.ip(4, "server address")
			fd.SPort = c.u16("server port")
			fd.L4Proto = c.u8("l4 protocol")
		case event.FDIPv6ServSock:
			fd.SrcIP = c.ip(16, "server address")
			fd.SPort = c.u16("server port")
			fd.L4Proto = c.u8("l4 protocol")
		case event.FDUnixSock:
			fd.UnixSrc = c.u64("unix source")
			fd.UnixDst = c.u64("unix destination")
			fd.Name = c.cstr16(anyLen, "fd name")
		case event.FDFileV2:
			fd.OpenFlags = c.u32("open flags")
			fd.Name = c.cstr16(anyLen, "fd name")
			if end >= 0 && end-c.p >= 4 {
				fd.Dev = c.u32("dev")
			}
		default:
			if fd.Type > event.FDFileV2 {
				return fmt.Errorf("fd %d of tid %d: unknown fd type %d", fd.Num, tid, fd.Type)
			}
			fd.Name = c.cstr16(anyLen, "fd name")
		}
		if c.err != nil {
			break
		}
		if end >= 0 {
			if c.p > end {
				return fmt.Errorf("fd %d of tid %d: read %d bytes, but the entry length is %d", fd.Num, tid, c.p-start, end-start)
			}
			c.p = end
		}
		fds = append(fds, fd)
	}
	if c.err != nil {
		return c.err
	}
	s.snap.Threads[ti].FDs = append(s.snap.Threads[ti].FDs, fds...)
	return nil
}

var errNoSHB = errors.New("not a capture file: it does not start with a section header block")
