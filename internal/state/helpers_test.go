// SPDX-License-Identifier: Apache-2.0

package state

import (
	"encoding/binary"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// lastType returns the newest event type called name in direction enter.
func lastType(t testing.TB, name string, enter bool) event.Type {
	t.Helper()
	var found event.Type
	ok := false
	for _, typ := range event.ByName(name) {
		if typ.IsEnter() == enter {
			found, ok = typ, true
		}
	}
	if !ok {
		t.Fatalf("no event %s", name)
	}
	return found
}

// mkEvent encodes an event of the newest layout of name; args follow the
// table's parameter order and are encoded with the table's widths (int64
// or uint64 for numbers, string for text, []byte for raw values).
func mkEvent(t testing.TB, name string, enter bool, ts uint64, tid int64, args ...any) *event.Event {
	t.Helper()
	typ := lastType(t, name, enter)
	return mkTyped(t, typ, ts, tid, args...)
}

func mkTyped(t testing.TB, typ event.Type, ts uint64, tid int64, args ...any) *event.Event {
	t.Helper()
	info := typ.Info()
	var b event.Builder
	b.Reset(typ)
	for i, a := range args {
		if i >= len(info.Params) {
			t.Fatalf("%s: too many arguments", info.Name)
		}
		pt := info.Params[i].Type
		switch v := a.(type) {
		case []byte:
			b.Raw(v)
		case string:
			if pt == event.PTByteBuf {
				b.Raw([]byte(v))
			} else {
				b.Str(v)
			}
		default:
			var u uint64
			switch n := v.(type) {
			case int:
				u = uint64(n)
			case int64:
				u = uint64(n)
			case uint64:
				u = n
			case uint32:
				u = uint64(n)
			default:
				t.Fatalf("unsupported argument %T", a)
			}
			switch pt {
			case event.PTUint8, event.PTInt8, event.PTFlags8, event.PTL4Proto, event.PTSockFamily, event.PTBool, event.PTSigType:
				b.U8(uint8(u))
			case event.PTUint16, event.PTInt16, event.PTFlags16, event.PTSyscallID, event.PTPort:
				b.U16(uint16(u))
			case event.PTUint32, event.PTInt32, event.PTFlags32, event.PTUID, event.PTGID, event.PTMode:
				b.U32(uint32(u))
			default:
				b.U64(u)
			}
		}
	}
	rec := append([]byte(nil), b.Bytes(ts, tid)...)
	ev := &event.Event{}
	if err := ev.Decode(rec); err != nil {
		t.Fatal(err)
	}
	return ev
}

// tuple4 encodes an IPv4 PT_SOCKTUPLE.
func tuple4(sip [4]byte, sport uint16, dip [4]byte, dport uint16) []byte {
	b := []byte{afInet}
	b = append(b, sip[:]...)
	b = binary.LittleEndian.AppendUint16(b, sport)
	b = append(b, dip[:]...)
	return binary.LittleEndian.AppendUint16(b, dport)
}

// addr4 encodes an IPv4 PT_SOCKADDR.
func addr4(ip [4]byte, port uint16) []byte {
	b := []byte{afInet}
	b = append(b, ip[:]...)
	return binary.LittleEndian.AppendUint16(b, port)
}

// baseSnapshot has a shell (100) with a child process (200, two threads)
// and a few fds.
func baseSnapshot() *event.Snapshot {
	return &event.Snapshot{
		Users:  []event.User{{UID: 0, Name: "root"}, {UID: 1000, Name: "alice", HomeDir: "/home/alice"}},
		Groups: []event.Group{{GID: 0, Name: "root"}},
		Interfaces: []event.Interface{
			{Name: "eth0", Addr: []byte{10, 0, 0, 5}},
		},
		Threads: []event.Thread{
			{TID: 100, PID: 100, PTID: 1, Comm: "bash", Exe: "bash", Cwd: "/home/alice", UID: 1000,
				FDs: []event.FD{{Num: 0, Type: event.FDFile, Name: "/dev/pts/0"}}},
			{TID: 200, PID: 200, PTID: 100, Comm: "app", Exe: "./app", Cwd: "/srv/", UID: 1000,
				Cgroups: []string{"cpu=/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
				FDs: []event.FD{{Num: 3, Type: event.FDFile, Name: "/srv/data"},
					{Num: 7, Type: event.FDDirectory, Name: "/srv/sub"}}},
			{TID: 201, PID: 200, PTID: 100, Comm: "app", Flags: clFiles | clThread},
		},
	}
}
