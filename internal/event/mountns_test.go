// SPDX-License-Identifier: Apache-2.0

package event

import (
	"reflect"
	"strings"
	"testing"
)

func TestMountLineRoundTrip(t *testing.T) {
	for _, m := range []Mount{
		{ID: 36, Parent: 35, Dev: "98:0", Root: "/mnt1", Point: "/mnt2", Options: "rw,noatime", FSType: "ext3", Source: "/dev/root", SuperOpts: "rw,errors=continue"},
		{ID: 1, Point: "/with space/tab\there/back\\slash/new\nline", FSType: "fuse.sshfs", Source: "u@h:/a b"},
		{Point: "/"},
		{ID: 7, Parent: 1, Dev: "-", Root: "-", Point: "/-", Options: "-", FSType: "-", Source: "-", SuperOpts: "-"},
	} {
		line := string(AppendMountLine(nil, &m))
		if strings.ContainsAny(line, "\t\n") {
			t.Errorf("line %q is not one line", line)
		}
		got, err := ParseMountLine(line)
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Errorf("%+v\nwritten %q\nread %+v (%v)", m, line, got, err)
		}
	}
	// the kernel's own lines
	got, err := ParseMountLine(`36 35 98:0 /mnt1 /mnt\0402 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`)
	if err != nil || got.Point != "/mnt 2" || got.FSType != "ext3" || got.SuperOpts != "rw,errors=continue" {
		t.Errorf("%+v %v", got, err)
	}
}

func TestParseMountNSEventErrors(t *testing.T) {
	var b Builder
	mk := func(src, name, desc, scope string) *Event {
		ev := &Event{}
		if err := ev.Decode(append([]byte(nil), b.Reset(EvInfraE).Str(src).Str(name).Str(desc).Str(scope).Bytes(1, 1)...)); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	if _, ok, _ := ParseMountNSEvent(mk("k8s", "pod", "", "")); ok {
		t.Error("another infrastructure event taken for a mount namespace record")
	}
	for _, tc := range []struct{ desc, scope, want string }{
		{"", "tid=1", "lacks"},
		{"", "tid=x ns=2", "bad"},
		{"", "tid=1 ns=2 part=3/2", "bad"},
		{"garbage\n", "tid=1 ns=2 part=1/1", "line 1"},
	} {
		_, ok, err := ParseMountNSEvent(mk(MountNSSource, MountNSName, tc.desc, tc.scope))
		if !ok || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: ok %v, error %v", tc.desc, tc.scope, ok, err)
		}
	}
}

func FuzzParseMountNSEvent(f *testing.F) {
	f.Add("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n", "tid=1 ns=2 part=1/1")
	f.Add("", "tid=1 ns=2")
	f.Fuzz(func(t *testing.T, desc, scope string) {
		if len(desc) > 60000 || len(scope) > 1000 {
			return
		}
		var b Builder
		ev := &Event{}
		if err := ev.Decode(append([]byte(nil), b.Reset(EvInfraE).Str(MountNSSource).Str(MountNSName).Str(desc).Str(scope).Bytes(1, 1)...)); err != nil {
			return
		}
		p, ok, err := ParseMountNSEvent(ev)
		if !ok {
			t.Fatal("not taken for a record")
		}
		if err == nil && (p.NS == 0 || p.Part > p.Parts) {
			t.Fatalf("accepted %+v", p)
		}
	})
}
