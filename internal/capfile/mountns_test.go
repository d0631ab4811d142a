// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

func nsSnap() *event.Snapshot {
	return &event.Snapshot{
		Machine: event.Machine{NumCPUs: 1, Hostname: "h"},
		Mounts:  []event.Mount{{ID: 1, Point: "/", FSType: "ext4", Source: "/dev/sda1", Dev: "8:1", Root: "/", Options: "rw"}},
		MountNS: 4026531841,
		MountTables: []event.MountTable{
			{NS: 4026532500, Mounts: []event.Mount{{ID: 90, Point: "/", FSType: "overlay", Source: "overlay"},
				{ID: 91, Parent: 90, Point: "/scratch dir", FSType: "tmpfs", Source: "tmpfs", SuperOpts: "rw,size=64k"}}},
			{NS: 4026532600, Mounts: []event.Mount{}},
		},
		Threads: []event.Thread{
			{TID: 10, PID: 10, Comm: "host", MntNS: 4026531841},
			{TID: 20, PID: 20, Comm: "ctr", MntNS: 4026532500},
			{TID: 21, PID: 20, Comm: "ctr", MntNS: 4026532500},
			{TID: 30, PID: 30, Comm: "moved", MntNS: event.MntNSPending},
			{TID: 40, PID: 40, Comm: "old"},
		},
	}
}

// TestMountNamespacesBlock writes the mount namespaces block and reads it
// back; a file without it (older writers) leaves every thread in the
// mount list's namespace.
func TestMountNamespacesBlock(t *testing.T) {
	snap := nsSnap()
	data := rewrite(t, snap, nil, WriterOptions{})
	got, _, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if got.MountNS != snap.MountNS || !reflect.DeepEqual(got.MountTables, snap.MountTables) || !reflect.DeepEqual(got.Mounts, snap.Mounts) {
		t.Errorf("tables read back:\n%+v\n%+v\nwant\n%+v\n%+v", got.MountNS, got.MountTables, snap.MountNS, snap.MountTables)
	}
	want := map[int64]uint64{10: 0, 20: 4026532500, 21: 4026532500, 30: event.MntNSPending, 40: 0}
	for _, th := range got.Threads {
		if th.MntNS != want[th.TID] {
			t.Errorf("thread %d in namespace %d, want %d", th.TID, th.MntNS, want[th.TID])
		}
	}
	// without the block (as older ferret wrote): one table, no namespaces
	old := dropBlock(t, data, BlockMNS)
	if len(old) == len(data) {
		t.Fatal("no mount namespaces block written")
	}
	got, _, err = readAll(t, old)
	if err != nil {
		t.Fatal(err)
	}
	if got.MountNS != 0 || got.MountTables != nil || !reflect.DeepEqual(got.Mounts, snap.Mounts) {
		t.Errorf("old file: %+v %+v %+v", got.MountNS, got.MountTables, got.Mounts)
	}
	for _, th := range got.Threads {
		if th.MntNS != 0 {
			t.Errorf("old file: thread %d in namespace %d", th.TID, th.MntNS)
		}
	}
	// a snapshot without namespaces writes no block
	plain := nsSnap()
	plain.MountNS, plain.MountTables = 0, nil
	for i := range plain.Threads {
		plain.Threads[i].MntNS = 0
	}
	if d := rewrite(t, plain, nil, WriterOptions{}); len(dropBlock(t, d, BlockMNS)) != len(d) {
		t.Error("a mount namespaces block without namespaces")
	}
}

// TestMountNamespacesBlockDamage: a block whose counts do not fit is an
// error naming it.
func TestMountNamespacesBlockDamage(t *testing.T) {
	for _, body := range [][]byte{
		binary.LittleEndian.AppendUint32(make([]byte, 8), 1000),
		append(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(make([]byte, 8), 1), 5), 3), 1, 2, 3, 4),
		binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(make([]byte, 8), 0), 99),
	} {
		s := newSection()
		err := s.parse(BlockMNS, body)
		if err == nil || !strings.Contains(err.Error(), "fit") && !strings.Contains(err.Error(), "mount") {
			t.Errorf("body %x: error %v", body, err)
		}
	}
}

// TestMountNSRecordsReadBySysdig: records queued with AddMountNS are
// written as infrastructure events ahead of the next event; ferret reads
// them back, and sysdig reads the file (the block before the events and
// the records among them) and shows the same events.
func TestMountNSRecordsReadBySysdig(t *testing.T) {
	tr := trace(t, "sample.scap")
	raw, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	snap, evs, err := readAll(t, raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) > 300 {
		evs = evs[:300]
	}
	snap.MountNS = 4026531841
	snap.MountTables = nsSnap().MountTables
	if len(snap.Threads) > 0 {
		snap.Threads[0].MntNS = 4026532500
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, snap, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var big []event.Mount
	for i := 0; i < 1500; i++ {
		big = append(big, event.Mount{ID: i, Point: "/srv/a/rather/long/mount/point/name/" + strings.Repeat("x", i%40), FSType: "tmpfs", Source: "tmpfs", Options: "rw"})
	}
	for i, ev := range evs {
		switch i {
		case 10:
			w.AddMountNS(event.MountNSRecord{TID: ev.TID, NS: 4026532700, Mounts: big})
		case 20:
			w.AddMountNS(event.MountNSRecord{TID: ev.TID, NS: 4026532700})
		}
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, back, err := readAll(t, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var parts []event.MountNSPart
	for _, ev := range back {
		if p, ok, err := event.ParseMountNSEvent(ev); ok {
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, p)
		}
	}
	var mounts []event.Mount
	for _, p := range parts[:len(parts)-1] {
		mounts = append(mounts, p.Mounts...)
	}
	if len(parts) < 3 || parts[0].Parts != len(parts)-1 || !reflect.DeepEqual(mounts, big) || parts[len(parts)-1].Parts != 0 {
		t.Fatalf("%d records read back (%d mounts)", len(parts), len(mounts))
	}
	if len(back) != len(evs)+len(parts) {
		t.Fatalf("%d events read back, want %d", len(back), len(evs)+len(parts))
	}
	path := filepath.Join(t.TempDir(), "ns.scap")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	gotSysdig, err := sysdigRead(t, path, "-p", "%evt.num %evt.type %proc.name")
	if err != nil {
		t.Fatal(err)
	}
	orig := filepath.Join(t.TempDir(), "orig.scap")
	if err := os.WriteFile(orig, rewrite(t, snap, evs, WriterOptions{}), 0o600); err != nil {
		t.Fatal(err)
	}
	wantSysdig, err := sysdigRead(t, orig, "-p", "%evt.type %proc.name")
	if err != nil {
		t.Fatal(err)
	}
	// the records take event numbers and are not shown
	var shown []string
	for _, l := range strings.Split(strings.TrimSpace(gotSysdig), "\n") {
		_, rest, _ := strings.Cut(l, " ")
		shown = append(shown, rest)
	}
	if strings.Join(shown, "\n") != strings.TrimSpace(wantSysdig) || strings.Contains(gotSysdig, "infra") {
		t.Errorf("sysdig shows, with the records:\n%.600s\nwithout:\n%.600s", gotSysdig, wantSysdig)
	}
}

// dropBlock returns data without its blocks of type typ.
func dropBlock(t *testing.T, data []byte, typ uint32) []byte {
	t.Helper()
	var out []byte
	for p := 0; p+8 <= len(data); {
		bt := binary.LittleEndian.Uint32(data[p:])
		l := int(binary.LittleEndian.Uint32(data[p+4:]))
		if bt == BlockSHB && p == 0 {
			l = int(binary.LittleEndian.Uint32(data[p+4:]))
		}
		if l < 12 || p+l > len(data) {
			t.Fatalf("block at %d: length %d", p, l)
		}
		if bt != typ {
			out = append(out, data[p:p+l]...)
		}
		p += l
	}
	return out
}
