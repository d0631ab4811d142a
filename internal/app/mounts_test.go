// SPDX-License-Identifier: Apache-2.0

package app

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestMountTableTravels writes a capture whose snapshot holds a mount
// table no machine here has, with a mount and an umount call in it, and
// checks that fd.mnt.* on replay describe the capturing machine: its
// table, then the mount the capture saw, then its removal.
func TestMountTableTravels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mounts.scap")
	snap := &event.Snapshot{
		Machine: event.Machine{NumCPUs: 1, Hostname: "elsewhere"},
		Mounts: []event.Mount{
			{ID: 1, Point: "/", FSType: "ext4", Source: "/dev/vda1"},
			{ID: 2, Parent: 1, Point: "/srv/data", FSType: "nfs4", Source: "filer:/export/data"},
		},
		Threads: []event.Thread{{TID: 10, PID: 10, Comm: "cat", FDs: []event.FD{
			{Num: 3, Type: event.FDFile, Name: "/srv/data/a"},
			{Num: 4, Type: event.FDFile, Name: "/mnt/x/b"},
		}}},
	}
	fw, err := capfile.Create(path, snap, capfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	ts := uint64(1_700_000_000_000_000_000)
	write := func(rec []byte) {
		t.Helper()
		var ev event.Event
		if err := ev.Decode(slices.Clone(rec)); err != nil {
			t.Fatal(err)
		}
		if err := fw.WriteEvent(&ev); err != nil {
			t.Fatal(err)
		}
		ts += 1000
	}
	read := func(fd int64) { write(b.Reset(event.ByName("read")[0]).I64(fd).U32(10).Bytes(ts, 10)) }
	read(3)
	read(4)
	write(b.Reset(event.ByName("mount")[0]).U32(0).Bytes(ts, 10))
	write(b.Reset(event.ByName("mount")[1]).I64(0).Str("host:/dir").Str("/mnt/x").Str("fuse.sshfs").Bytes(ts, 10))
	read(4)
	write(b.Reset(event.ByName("umount")[0]).U32(0).Bytes(ts, 10))
	write(b.Reset(event.ByName("umount")[1]).I64(0).Str("/mnt/x").Bytes(ts, 10))
	read(4)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	got, rc := runCLI(t, ".", []string{"-r", path, "-p", "%fd.name %fd.mnt.type %fd.mnt.source %fd.mnt.isnet", "evt.type=read"})
	want := "/srv/data/a nfs4 filer:/export/data true\n" +
		"/mnt/x/b ext4 /dev/vda1 false\n" +
		"/mnt/x/b fuse.sshfs host:/dir true\n" +
		"/mnt/x/b ext4 /dev/vda1 false\n"
	if rc != 0 || got != want {
		t.Errorf("got (rc %d)\n%s\nwant\n%s", rc, got, want)
	}
}

// TestMountNamespaceRecordsUnderFilter replays a capture whose mount
// namespaces move with a capture filter that refuses the events that
// move them: a namespace record (an internal event) and an unshare are
// parsed all the same, as they were live.
func TestMountNamespaceRecordsUnderFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ns.scap")
	fds := []event.FD{{Num: 3, Type: event.FDFile, Name: "/scratch/f"}}
	snap := &event.Snapshot{
		Machine: event.Machine{NumCPUs: 1, Hostname: "elsewhere"},
		Mounts:  []event.Mount{{ID: 1, Point: "/", FSType: "ext4", Source: "/dev/vda1"}},
		MountNS: 1,
		Threads: []event.Thread{{TID: 10, PID: 10, Comm: "sh", FDs: fds}, {TID: 20, PID: 20, Comm: "sh", FDs: fds}},
	}
	fw, err := capfile.Create(path, snap, capfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	ts := uint64(1_700_000_000_000_000_000)
	write := func(rec []byte) {
		t.Helper()
		var ev event.Event
		if err := ev.Decode(slices.Clone(rec)); err != nil {
			t.Fatal(err)
		}
		if err := fw.WriteEvent(&ev); err != nil {
			t.Fatal(err)
		}
		ts += 1000
	}
	read := func(tid int64) { write(b.Reset(event.ByName("read")[0]).I64(3).U32(10).Bytes(ts, tid)) }
	read(10)
	fw.AddMountNS(event.MountNSRecord{TID: 10, NS: 2, Mounts: []event.Mount{{ID: 5, Point: "/", FSType: "overlay"}, {ID: 6, Parent: 5, Point: "/scratch", FSType: "tmpfs"}}})
	read(10)
	write(b.Reset(event.ByName("unshare")[0]).U32(0x20).Bytes(ts, 20))
	write(b.Reset(event.ByName("unshare")[1]).I64(0).Bytes(ts, 20))
	read(20)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	got, rc := runCLI(t, ".", []string{"-r", path, "-p", "*%thread.tid %fd.mnt.point %fd.mnt.type", "evt.type=read"})
	want := "10 / ext4\n10 /scratch tmpfs\n20 <NA> <NA>\n"
	if rc != 0 || got != want {
		t.Errorf("got (rc %d)\n%s\nwant\n%s", rc, got, want)
	}
}
