// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/ferret-observability/ferret/internal/event"
)

// Layout chooses the block types and versions a capture is written with:
// the ones older and newer libscap versions wrote that sysdig 0.29.3 reads.
type Layout struct {
	Major, Minor uint16 // section header version
	NoMI         bool   // leave out the machine info block
	IL           int    // interface list: 0 none, 1 V1, 2 V2
	UL           int    // user list: 0 none, 1 V1, 2 V2
	PL           int    // process list version 1..9 (0 none)
	FDL          int    // fd lists: 0 none, 1 V1, 2 V2
	EV           int    // event records: 1 EV/EVF (v1 header), 2 EV_V2/EVF_V2
	Large        bool   // write every event in an _LARGE block (V2 only)
	IntIDs       bool   // use the legacy _INT block ids where they exist
}

func randomLayout(r *rand.Rand) Layout {
	l := Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}
	if r.IntN(3) != 0 {
		return l // most files as sysdig 0.29.3 writes them
	}
	l.Minor = uint16([]int{0, 1, 2, 3}[r.IntN(4)])
	l.Major = uint16(r.IntN(2))
	l.NoMI = r.IntN(4) == 0
	l.IL = r.IntN(3)
	l.UL = r.IntN(3)
	l.PL = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 9}[r.IntN(10)]
	l.FDL = 1 + r.IntN(2)
	if r.IntN(8) == 0 {
		l.FDL = 0
	}
	l.EV = 1 + r.IntN(2)
	l.Large = l.EV == 2 && r.IntN(4) == 0
	l.IntIDs = r.IntN(5) == 0
	return l
}

// block ids
const (
	bSHB      = 0x0A0D0D0A
	bMI       = 0x201
	bMIInt    = 0x8002ABCD
	bIL       = 0x205
	bILInt    = 0x8011ABCD
	bILV2     = 0x219
	bUL       = 0x206
	bULInt    = 0x8012ABCD
	bULV2     = 0x220
	bFDL      = 0x203
	bFDLInt   = 0x8001ABCD
	bFDLV2    = 0x218
	bEV       = 0x204
	bEVInt    = 0x8010ABCD
	bEVF      = 0x208
	bEVV2     = 0x216
	bEVFV2    = 0x217
	bEVV2L    = 0x221
	bEVFV2L   = 0x222
	bPLV1Int  = 0x8000ABCD
	bPLV2Int  = 0x8013ABCD
	bPLV3Int  = 0x8014ABCD
	maxSmall  = 65536
	limPath   = 1024
	limList   = 4096
	limName   = 255
	limFDName = 1023
)

var plIDs = [...]uint32{1: 0x202, 0x207, 0x209, 0x210, 0x211, 0x212, 0x213, 0x214, 0x215}

type enc struct{ b []byte }

func (e *enc) u8(v uint8)   { e.b = append(e.b, v) }
func (e *enc) u16(v uint16) { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *enc) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *enc) str(s string, lim int) {
	if len(s) > lim {
		s = s[:lim]
	}
	e.u16(uint16(len(s)))
	e.b = append(e.b, s...)
}
func (e *enc) addr(a []byte, n int) {
	for i := 0; i < n; i++ {
		if i < len(a) {
			e.u8(a[i])
		} else {
			e.u8(0)
		}
	}
}
func (e *enc) begin(t uint32) int {
	at := len(e.b)
	e.u32(t)
	e.u32(0)
	return at
}
func (e *enc) end(at int) {
	for (len(e.b)-at)%4 != 0 {
		e.u8(0)
	}
	total := uint32(len(e.b) - at + 4)
	binary.LittleEndian.PutUint32(e.b[at+4:], total)
	e.u32(total)
}
func (e *enc) patch(at int) { binary.LittleEndian.PutUint32(e.b[at:], uint32(len(e.b)-at)) }

func nul(list []string, lim int) string {
	var s []byte
	for _, x := range list {
		s = append(s, x...)
		s = append(s, 0)
	}
	if len(s) > lim {
		s = s[:lim]
	}
	return string(s)
}

// Encode writes the capture in its layout.
func (c *Capture) Encode() []byte {
	l := c.Layout
	e := &enc{}
	at := e.begin(bSHB)
	e.u32(0x1A2B3C4D)
	e.u16(l.Major)
	e.u16(l.Minor)
	e.u64(^uint64(0))
	e.end(at)
	s := c.Snap
	if !l.NoMI {
		id := uint32(bMI)
		if l.IntIDs {
			id = bMIInt
		}
		at = e.begin(id)
		e.u32(s.Machine.NumCPUs)
		e.u64(s.Machine.MemBytes)
		e.u64(s.Machine.MaxPID)
		var host [128]byte
		copy(host[:127], s.Machine.Hostname)
		e.b = append(e.b, host[:]...)
		e.u64(s.Machine.BootTime)
		e.u64(0)
		e.u64(0)
		e.u64(0)
		e.end(at)
	}
	if l.IL > 0 {
		id := map[bool]uint32{false: bIL, true: bILInt}[l.IntIDs]
		if l.IL == 2 {
			id = bILV2
		}
		at = e.begin(id)
		for _, it := range s.Interfaces {
			n, typ := 4, uint16(1)
			if it.IPv6 {
				n, typ = 16, 2
			}
			if l.IL == 2 {
				e.u32(uint32(2 + 2 + 3*n + 8 + len(it.Name)))
			}
			e.u16(typ)
			e.u16(uint16(len(it.Name)))
			e.addr(it.Addr, n)
			e.addr(it.Netmask, n)
			e.addr(it.Broadcast, n)
			e.u64(it.LinkSpeed)
			e.b = append(e.b, it.Name...)
		}
		e.end(at)
	}
	if l.UL > 0 {
		id := map[bool]uint32{false: bUL, true: bULInt}[l.IntIDs]
		if l.UL == 2 {
			id = bULV2
		}
		at = e.begin(id)
		for _, u := range s.Users {
			p := len(e.b)
			if l.UL == 2 {
				e.u32(0)
			}
			e.u8(0)
			e.u32(u.UID)
			e.u32(u.GID)
			e.str(u.Name, limName)
			e.str(u.HomeDir, limName)
			e.str(u.Shell, limName)
			if l.UL == 2 {
				e.patch(p)
			}
		}
		for _, g := range s.Groups {
			p := len(e.b)
			if l.UL == 2 {
				e.u32(0)
			}
			e.u8(1)
			e.u32(g.GID)
			e.str(g.Name, limName)
			if l.UL == 2 {
				e.patch(p)
			}
		}
		e.end(at)
	}
	if l.PL > 0 {
		id := plIDs[l.PL]
		if l.IntIDs {
			switch l.PL {
			case 1:
				id = bPLV1Int
			case 2:
				id = bPLV2Int
			case 3:
				id = bPLV3Int
			}
		}
		at = e.begin(id)
		v := l.PL
		for i := range s.Threads {
			t := &s.Threads[i]
			p := len(e.b)
			if v == 9 {
				e.u32(0)
			}
			e.u64(uint64(t.TID))
			e.u64(uint64(t.PID))
			e.u64(uint64(t.PTID))
			if v >= 6 {
				e.u64(uint64(t.SID))
			}
			if v >= 8 {
				e.u64(uint64(t.VPGID))
			}
			e.str(t.Comm, limPath)
			e.str(t.Exe, limPath)
			if v >= 7 {
				e.str(t.ExePath, limPath)
			}
			e.str(nul(t.Args, limList), limList)
			e.str(t.Cwd, limPath)
			e.u64(uint64(t.FDLimit))
			e.u32(t.Flags)
			e.u32(t.UID)
			e.u32(t.GID)
			if v >= 2 {
				e.u32(t.VMSizeKB)
				e.u32(t.VMRSSKB)
				e.u32(t.VMSwapKB)
				e.u64(t.PFMajor)
				e.u64(t.PFMinor)
			}
			if v >= 3 {
				e.str(nul(t.Env, limList), limList)
			}
			if v >= 4 {
				e.u64(uint64(t.VTID))
				e.u64(uint64(t.VPID))
				e.str(nul(t.Cgroups, limList), limList)
			}
			if v >= 5 {
				e.str(t.Root, limPath)
			}
			if v == 9 {
				e.u32(uint32(t.LoginUID))
				if t.ExeWritable {
					e.u8(1)
				} else {
					e.u8(0)
				}
				e.patch(p)
			}
		}
		e.end(at)
	}
	if l.FDL > 0 {
		id := map[bool]uint32{false: bFDL, true: bFDLInt}[l.IntIDs]
		if l.FDL == 2 {
			id = bFDLV2
		}
		for i := range s.Threads {
			t := &s.Threads[i]
			at = e.begin(id)
			e.u64(uint64(t.TID))
			for k := range t.FDs {
				writeFD(e, &t.FDs[k], l.FDL == 2)
			}
			e.end(at)
		}
	}
	for _, ev := range c.Events {
		writeEvent(e, ev, l)
	}
	return e.b
}

func writeFD(e *enc, fd *event.FD, v2 bool) {
	p := len(e.b)
	if v2 {
		e.u32(0)
	}
	e.u64(uint64(fd.Num))
	e.u64(fd.Ino)
	e.u8(uint8(fd.Type))
	switch fd.Type {
	case event.FDUnknown:
	case event.FDIPv4Sock, event.FDIPv6Sock:
		n := 4
		if fd.Type == event.FDIPv6Sock {
			n = 16
		}
		e.addr(fd.SrcIP, n)
		e.addr(fd.DstIP, n)
		e.u16(fd.SPort)
		e.u16(fd.DPort)
		e.u8(fd.L4Proto)
	case event.FDIPv4ServSock, event.FDIPv6ServSock:
		n := 4
		if fd.Type == event.FDIPv6ServSock {
			n = 16
		}
		e.addr(fd.SrcIP, n)
		e.u16(fd.SPort)
		e.u8(fd.L4Proto)
	case event.FDUnixSock:
		e.u64(fd.UnixSrc)
		e.u64(fd.UnixDst)
		e.str(fd.Name, limFDName)
	case event.FDFileV2:
		e.u32(fd.OpenFlags)
		e.str(fd.Name, limFDName)
		if v2 {
			e.u32(fd.Dev)
		}
	default:
		e.str(fd.Name, limFDName)
	}
	if v2 {
		e.patch(p)
	}
}

func writeEvent(e *enc, ev *event.Event, l Layout) {
	rec := ev.Raw
	if l.EV == 1 {
		// v1 header: no nparams field
		v1 := make([]byte, 0, len(rec)-4)
		v1 = append(v1, rec[:20]...)
		v1 = append(v1, rec[20:22]...)
		v1 = append(v1, rec[26:]...)
		binary.LittleEndian.PutUint32(v1[16:], uint32(len(v1)))
		rec = v1
	}
	head := 2
	if ev.DumpFlags != 0 {
		head = 6
	}
	total := (8 + head + len(rec) + 4 + 3) &^ 3
	var id uint32
	large := ev.Type.LargePayload() || total-8 > maxSmall || l.Large
	switch {
	case l.EV == 1 && ev.DumpFlags != 0:
		id = bEVF
	case l.EV == 1 && l.IntIDs:
		id = bEVInt
	case l.EV == 1:
		id = bEV
	case large && ev.DumpFlags != 0:
		id = bEVFV2L
	case large:
		id = bEVV2L
	case ev.DumpFlags != 0:
		id = bEVFV2
	default:
		id = bEVV2
	}
	at := e.begin(id)
	e.u16(ev.CPU)
	if ev.DumpFlags != 0 {
		e.u32(ev.DumpFlags)
	}
	e.b = append(e.b, rec...)
	e.end(at)
}
