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
