// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/netfs"
	"github.com/ferret-observability/ferret/internal/state"
)

func TestNetfsFieldsRegistered(t *testing.T) {
	for _, name := range []string{"fd.mnt.type", "fd.mnt.point", "fd.mnt.source", "fd.mnt.isnet"} {
		if _, ok := Default.Field(name); !ok {
			t.Errorf("%s not registered", name)
			continue
		}
		ex, err := Compile(name, "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var v Value
		if ex.Extract(&Ctx{}, &v) {
			t.Errorf("%s has a value without an fd", name)
		}
		if got, _, n, ok := Lookup(name + "=x"); !ok || got != name || n != len(name) {
			t.Errorf("Lookup(%s) = %s %d %v", name, got, n, ok)
		}
	}
}

// TestNetfsFieldsExtract resolves the mount of a file fd and of a socket fd
// against this machine's mount table.
func TestNetfsFieldsExtract(t *testing.T) {
	root := netfs.Lookup("/etc/hostname")
	if root == nil {
		t.Skip("no mount table")
	}
	st := state.New(state.Options{})
	st.Load(&event.Snapshot{Threads: []event.Thread{{TID: 10, PID: 10, Comm: "cat", FDs: []event.FD{
		{Num: 3, Type: event.FDFile, Name: "/etc/hostname"},
		{Num: 4, Type: event.FDIPv4Sock, Name: "127.0.0.1:1->127.0.0.1:2"},
	}}}})
	var b event.Builder
	tests := []struct {
		fd   int64
		want map[string]string // field -> text; nil: no value
	}{
		{3, map[string]string{"fd.mnt.type": root.FSType, "fd.mnt.point": root.Point, "fd.mnt.source": root.Source}},
		{4, nil},
	}
	for _, tc := range tests {
		b.Reset(event.ByName("read")[0]).I64(tc.fd).U32(10)
		var ev event.Event
		if err := ev.Decode(append([]byte(nil), b.Bytes(1, 10)...)); err != nil {
			t.Fatal(err)
		}
		st.Update(&ev)
		c := NewCtx(st)
		c.Ev = &ev
		for _, name := range []string{"fd.mnt.type", "fd.mnt.point", "fd.mnt.source", "fd.mnt.isnet"} {
			ex, _ := Compile(name, "")
			var v Value
			ok := ex.Extract(c, &v)
			if tc.want == nil {
				if ok {
					t.Errorf("fd %d: %s = %q, want no value", tc.fd, name, v.Str)
				}
				continue
			}
			if !ok {
				t.Errorf("fd %d: %s has no value", tc.fd, name)
				continue
			}
			if w, has := tc.want[name]; has && v.Str != w {
				t.Errorf("fd %d: %s = %q, want %q", tc.fd, name, v.Str, w)
			}
			if name == "fd.mnt.isnet" && (v.Kind != KindBool || (v.Uint == 1) != root.IsNet()) {
				t.Errorf("fd %d: isnet = %+v", tc.fd, v)
			}
		}
	}
}

// TestNetfsFieldsPerNamespace resolves the same path against the mount
// table of each thread's mount namespace.
func TestNetfsFieldsPerNamespace(t *testing.T) {
	fds := []event.FD{{Num: 3, Type: event.FDFile, Name: "/scratch/f"}}
	st := state.New(state.Options{})
	st.Load(&event.Snapshot{
		Mounts:      []event.Mount{{ID: 1, Point: "/", FSType: "ext4", Source: "/dev/sda1"}},
		MountNS:     1,
		MountTables: []event.MountTable{{NS: 2, Mounts: []event.Mount{{ID: 5, Point: "/", FSType: "overlay"}, {ID: 6, Point: "/scratch", FSType: "tmpfs", Source: "tmpfs"}}}},
		Threads: []event.Thread{
			{TID: 10, PID: 10, Comm: "host", MntNS: 1, FDs: fds},
			{TID: 20, PID: 20, Comm: "ctr", MntNS: 2, FDs: fds},
			{TID: 30, PID: 30, Comm: "moved", MntNS: event.MntNSPending, FDs: fds},
		},
	})
	ex, err := Compile("fd.mnt.point", "")
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := Compile("fd.mnt.type", "")
	c := NewCtx(st)
	var b event.Builder
	for _, tc := range []struct {
		tid        int64
		point, typ string // "" no value
	}{{10, "/", "ext4"}, {20, "/scratch", "tmpfs"}, {30, "", ""}, {10, "/", "ext4"}, {20, "/scratch", "tmpfs"}} {
		var ev event.Event
		if err := ev.Decode(append([]byte(nil), b.Reset(event.ByName("read")[0]).I64(3).U32(10).Bytes(1, tc.tid)...)); err != nil {
			t.Fatal(err)
		}
		st.Update(&ev)
		c.Ev = &ev
		var v, w Value
		okP, okT := ex.Extract(c, &v), typ.Extract(c, &w)
		if tc.point == "" {
			if okP || okT {
				t.Errorf("thread %d: %q %q, want no value", tc.tid, v.Str, w.Str)
			}
			continue
		}
		if !okP || v.Str != tc.point || !okT || w.Str != tc.typ {
			t.Errorf("thread %d: %q %q, want %q %q", tc.tid, v.Str, w.Str, tc.point, tc.typ)
		}
	}
}
