// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// plEntry encodes one process-list entry of the given version straight from
// the field table of the format description.
func plEntry(ver int, tail []byte) []byte {
	var b []byte
	u16 := func(v uint16) { b = binary.LittleEndian.AppendUint16(b, v) }
	u32 := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	u64 := func(v uint64) { b = binary.LittleEndian.AppendUint64(b, v) }
	str := func(s string) { u16(uint16(len(s))); b = append(b, s...) }
	u64(42) // tid
	u64(40) // pid
	u64(1)  // ptid
	if ver >= 6 {
		u64(40) // sid
	}
	if ver >= 8 {
		u64(39) // vpgid
	}
	str("comm")
	str("/bin/exe")
	if ver >= 7 {
		str("/usr/bin/exe")
	}
	str("-a\x00-b\x00")
	str("/cwd")
	u64(1024) // fdlimit
	u32(7)    // flags
	u32(1000) // uid
	u32(100)  // gid
	if ver >= 2 {
		u32(11)
		u32(12)
		u32(13)
		u64(14)
		u64(15)
	}
	if ver >= 3 {
		str("A=1\x00B=2\x00")
	}
	if ver >= 4 {
		u64(2)
		u64(3)
		str("cpu=/docker/abc\x00")
	}
	if ver >= 5 {
		str("/root")
	}
	b = append(b, tail...)
	if ver >= 9 {
		b = append(binary.LittleEndian.AppendUint32(nil, uint32(len(b)+4)), b...)
	}
	return b
}

func TestProcessListVersions(t *testing.T) {
	full := event.Thread{TID: 42, PID: 40, PTID: 1, SID: 40, VPGID: 39, Comm: "comm", Exe: "/bin/exe", ExePath: "/usr/bin/exe",
		Args: []string{"-a", "-b"}, Cwd: "/cwd", FDLimit: 1024, Flags: 7, UID: 1000, GID: 100,
		VMSizeKB: 11, VMRSSKB: 12, VMSwapKB: 13, PFMajor: 14, PFMinor: 15, Env: []string{"A=1", "B=2"},
		VTID: 2, VPID: 3, Cgroups: []string{"cpu=/docker/abc"}, Root: "/root", LoginUID: -1}
	tests := []struct {
		typ  uint32
		ver  int
		tail []byte
		want func(*event.Thread)
	}{
		{BlockPLV1, 1, nil, func(t *event.Thread) {
			t.SID, t.VPGID, t.ExePath, t.VMSizeKB, t.VMRSSKB, t.VMSwapKB, t.PFMajor, t.PFMinor = 0, 0, "", 0, 0, 0, 0, 0
			t.Env, t.Cgroups, t.Root, t.VTID, t.VPID = nil, nil, "", 42, 40
		}},
		{BlockPLV1Int, 1, nil, func(t *event.Thread) {
			t.SID, t.VPGID, t.ExePath, t.VMSizeKB, t.VMRSSKB, t.VMSwapKB, t.PFMajor, t.PFMinor = 0, 0, "", 0, 0, 0, 0, 0
			t.Env, t.Cgroups, t.Root, t.VTID, t.VPID = nil, nil, "", 42, 40
		}},
		{BlockPLV2, 2, nil, func(t *event.Thread) {
			t.SID, t.VPGID, t.ExePath, t.Env, t.Cgroups, t.Root, t.VTID, t.VPID = 0, 0, "", nil, nil, "", 42, 40
		}},
		{BlockPLV3Int, 3, nil, func(t *event.Thread) {
			t.SID, t.VPGID, t.ExePath, t.Cgroups, t.Root, t.VTID, t.VPID = 0, 0, "", nil, "", 42, 40
		}},
		{BlockPLV4, 4, nil, func(t *event.Thread) { t.SID, t.VPGID, t.ExePath, t.Root = 0, 0, "", "" }},
		{BlockPLV5, 5, nil, func(t *event.Thread) { t.SID, t.VPGID, t.ExePath = 0, 0, "" }},
		{BlockPLV6, 6, nil, func(t *event.Thread) { t.VPGID, t.ExePath = 0, "" }},
		{BlockPLV7, 7, nil, func(t *event.Thread) { t.VPGID = 0 }},
		{BlockPLV8, 8, nil, func(t *event.Thread) {}},
		{BlockPLV9, 9, nil, func(t *event.Thread) {}},
		{BlockPLV9, 9, []byte{0xe9, 3, 0, 0, 1}, func(t *event.Thread) { t.LoginUID, t.ExeWritable = 1001, true }},
		{BlockPLV9, 9, []byte{0xe9, 3, 0, 0, 0, 9, 9, 9}, func(t *event.Thread) { t.LoginUID = 1001 }},
		{BlockPLV9, 9, []byte{0xe9, 3}, func(t *event.Thread) {}},
	}
	for _, tc := range tests {
		t.Run(BlockName(tc.typ)+"/"+itoa(tc.ver)+"/tail"+itoa(len(tc.tail)), func(t *testing.T) {
			s := newSection()
			body := append(plEntry(tc.ver, tc.tail), plEntry(tc.ver, tc.tail)...) // duplicate tid: later wins
			if err := s.parse(tc.typ, body); err != nil {
				t.Fatal(err)
			}
			want := full
			tc.want(&want)
			if len(s.snap.Threads) != 1 {
				t.Fatalf("%d threads", len(s.snap.Threads))
			}
			if !reflect.DeepEqual(s.snap.Threads[0], want) {
				t.Fatalf("got  %+v\nwant %+v", s.snap.Threads[0], want)
			}
		})
	}
	// V9 entry length shorter than the mandatory fields is an error.
	e := plEntry(9, nil)
	binary.LittleEndian.PutUint32(e, 20)
	if err := newSection().parse(BlockPLV9, e); err == nil {
		t.Fatal("short entry length accepted")
	}
}

func TestLegacyLists(t *testing.T) {
	// IL V1 with the legacy types 3 and 4 (no link speed).
	var il []byte
	il = binary.LittleEndian.AppendUint16(il, 3)
	il = binary.LittleEndian.AppendUint16(il, 2)
	il = append(il, 10, 0, 0, 1, 255, 0, 0, 0, 10, 255, 255, 255)
	il = append(il, "e0"...)
	il = binary.LittleEndian.AppendUint16(il, 4)
	il = binary.LittleEndian.AppendUint16(il, 2)
	il = append(il, make([]byte, 48)...)
	il = append(il, "e1"...)
	s := newSection()
	if err := s.parse(BlockILInt, il); err != nil {
		t.Fatal(err)
	}
	want := []event.Interface{
		{Name: "e0", Addr: []byte{10, 0, 0, 1}, Netmask: []byte{255, 0, 0, 0}, Broadcast: []byte{10, 255, 255, 255}},
		{Name: "e1", IPv6: true, Addr: make([]byte, 16), Netmask: make([]byte, 16), Broadcast: make([]byte, 16)},
	}
	if !reflect.DeepEqual(s.snap.Interfaces, want) {
		t.Fatalf("interfaces %+v", s.snap.Interfaces)
	}
	// UL V1: a user and a group.
	var ul []byte
	ul = append(ul, 0)
	ul = binary.LittleEndian.AppendUint32(ul, 1000)
	ul = binary.LittleEndian.AppendUint32(ul, 100)
	for _, x := range []string{"bob", "/home/bob", "/bin/sh"} {
		ul = binary.LittleEndian.AppendUint16(ul, uint16(len(x)))
		ul = append(ul, x...)
	}
	ul = append(ul, 1)
	ul = binary.LittleEndian.AppendUint32(ul, 100)
	ul = binary.LittleEndian.AppendUint16(ul, 5)
	ul = append(ul, "users"...)
	if err := s.parse(BlockULInt, ul); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.snap.Users, []event.User{{UID: 1000, GID: 100, Name: "bob", HomeDir: "/home/bob", Shell: "/bin/sh"}}) ||
		!reflect.DeepEqual(s.snap.Groups, []event.Group{{GID: 100, Name: "users"}}) {
		t.Fatalf("users %+v groups %+v", s.snap.Users, s.snap.Groups)
	}
	// FDL V1 with a FILE_V2 entry (no dev in V1) and a type above 16.
	if err := s.parse(BlockPLV9, plEntry(9, nil)); err != nil {
		t.Fatal(err)
	}
	fdl := binary.LittleEndian.AppendUint64(nil, 42)
	fdl = binary.LittleEndian.AppendUint64(fdl, 3)
	fdl = binary.LittleEndian.AppendUint64(fdl, 77)
	fdl = append(fdl, byte(event.FDFileV2))
	fdl = binary.LittleEndian.AppendUint32(fdl, 1)
	fdl = binary.LittleEndian.AppendUint16(fdl, 4)
	fdl = append(fdl, "/etc"...)
	if err := s.parse(BlockFDLInt, fdl); err != nil {
		t.Fatal(err)
	}
	if got := s.snap.Threads[0].FDs; !reflect.DeepEqual(got, []event.FD{{Num: 3, Ino: 77, Type: event.FDFileV2, OpenFlags: 1, Name: "/etc"}}) {
		t.Fatalf("fds %+v", got)
	}
	bad := binary.LittleEndian.AppendUint64(nil, 42)
	bad = binary.LittleEndian.AppendUint64(bad, 3)
	bad = binary.LittleEndian.AppendUint64(bad, 0)
	bad = append(bad, 17, 0, 0, 0)
	if err := s.parse(BlockFDL, bad); err == nil {
		t.Fatal("fd type 17 accepted")
	}
}
