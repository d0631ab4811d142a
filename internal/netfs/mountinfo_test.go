// SPDX-License-Identifier: Apache-2.0

package netfs

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const sample = `21 26 0:20 / /proc rw,relatime - proc proc rw
26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 26 0:40 / /mnt/nfs rw,relatime shared:7 - nfs4 srv:/export rw,vers=4.2
31 30 0:41 / /mnt/nfs/inner rw - tmpfs tmpfs rw
32 26 0:42 / /home/u/remote\040dir rw,nosuid - fuse.sshfs root@127.0.0.1:/srv rw,user_id=0
33 26 0:43 / /mnt/cifs rw - cifs //host/share rw
34 26 0:44 / /mnt/nfs rw - smb3 //other/share rw
`

func TestParseAndLookup(t *testing.T) {
	ms, err := ParseMountinfo(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 7 {
		t.Fatalf("got %d mounts", len(ms))
	}
	tab := NewTable(ms)
	tests := []struct {
		path, point, fstype, source string
		net                         bool
	}{
		{"/etc/passwd", "/", "ext4", "/dev/sda1", false},
		{"/proc/1/stat", "/proc", "proc", "proc", false},
		{"/procfoo", "/", "ext4", "/dev/sda1", false},
		{"/mnt/nfs/a/b", "/mnt/nfs", "smb3", "//other/share", true}, // later mount shadows
		{"/mnt/nfs/inner/x", "/mnt/nfs/inner", "tmpfs", "tmpfs", false},
		{"/home/u/remote dir/f.txt", "/home/u/remote dir", "fuse.sshfs", "root@127.0.0.1:/srv", true},
		{"/mnt/cifs", "/mnt/cifs", "cifs", "//host/share", true},
	}
	for _, tc := range tests {
		m := tab.Lookup(tc.path)
		if m == nil {
			t.Errorf("%s: no mount", tc.path)
			continue
		}
		if m.Point != tc.point || m.FSType != tc.fstype || m.Source != tc.source || m.IsNet() != tc.net {
			t.Errorf("%s: got %s %s %s %v", tc.path, m.Point, m.FSType, m.Source, m.IsNet())
		}
	}
	if tab.Lookup("relative") != nil {
		t.Error("relative path matched")
	}
}

func TestParseErrors(t *testing.T) {
	for _, line := range []string{
		"x 1 0:1 / / rw - ext4 a rw",
		"1 1 0:1 / / rw ext4 a rw",
		"1 1 0:1 / rel rw - ext4 a rw",
		"1 1 0:1 / / rw -",
	} {
		if _, err := ParseLine(line); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}

func TestIsNetwork(t *testing.T) {
	for fs, want := range map[string]bool{
		"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "fuse.sshfs": true,
		"ext4": false, "fuse": false, "fuse.gvfsd-fuse": false, "tmpfs": false, "9p": true,
	} {
		if IsNetwork(fs) != want {
			t.Errorf("IsNetwork(%s) = %v", fs, !want)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{`a\040b`: "a b", `a\134b`: `a\b`, `x\04`: `x\04`, `\011\012`: "\t\n", `\999`: `\999`} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLiveSelf(t *testing.T) {
	l, err := NewLive("/proc/self/mountinfo")
	if err != nil {
		t.Skipf("no mountinfo: %v", err)
	}
	defer l.Close()
	if m := l.Table().Lookup("/"); m == nil || m.Point != "/" {
		t.Fatalf("root mount: %+v", m)
	}
	l.Invalidate()
	if l.Table() == nil {
		t.Fatal("nil table after invalidate")
	}
}

func TestStats(t *testing.T) {
	s := NewStats(10 * time.Millisecond)
	k := Key{PID: 7, Comm: "cat", Mount: "/mnt/nfs"}
	s.Add(k, "nfs4", OpOpen, 0, 1000, 1, "/mnt/nfs/a")
	s.Add(k, "nfs4", OpRead, 4096, 2000, 2, "/mnt/nfs/a")
	if !s.Add(k, "nfs4", OpWrite, 10, uint64(20*time.Millisecond), 3, "/mnt/nfs/a") {
		t.Error("slow write not reported")
	}
	s.Add(Key{PID: 8, Comm: "ls", Mount: "/mnt/nfs"}, "nfs4", OpRead, -5, 10, 4, "/mnt/nfs/b")
	rows := s.Rows()
	if len(rows) != 2 || rows[0].PID != 7 || rows[0].BytesRead != 4096 || rows[0].BytesWritten != 10 || rows[1].Errors != 1 {
		t.Fatalf("rows: %+v", rows)
	}
	slow := s.TakeSlow()
	if len(slow) != 1 || slow[0].Op != OpWrite || len(s.TakeSlow()) != 0 {
		t.Fatalf("slow: %+v", slow)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rows); err != nil || !strings.Contains(b.String(), "/mnt/nfs") {
		t.Fatalf("table: %v %q", err, b.String())
	}
	b.Reset()
	ts := uint64(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.Local).UnixNano())
	WriteMountEvent(&b, &MountEvent{TS: ts, EnterTS: ts - 1500000, Comm: "mount", PID: 1, TID: 1, Call: "mount", Source: "srv:/x", Target: "/mnt", FSType: "nfs4", Res: -2})
	WriteMountEvent(&b, &MountEvent{TS: ts, Comm: "umount", PID: 22, TID: 22, Call: "umount", Target: "/mnt"})
	want := "TIME         COMM             PID     T BYTES      LAT(ms) TYPE       FILENAME\n" +
		"03:04:05.006 mount            1       M -             1.50 nfs4       mount(\"srv:/x\", \"/mnt\", \"nfs4\", 0) = -2 ENOENT\n" +
		"03:04:05.006 umount           22      U -                - -          umount(\"/mnt\", 0) = 0\n"
	if got := SlowHeader + b.String(); got != want {
		t.Errorf("mount events:\n%s\nwant:\n%s", got, want)
	}
	// umount's own open of the mount point is no share operation.
	st := NewStats(0)
	uk := Key{PID: 22, Comm: "umount", Mount: "/mnt"}
	st.Add(uk, "nfs4", OpOpen, 0, 10, 1, "/mnt")
	st.Add(Key{PID: 23, Comm: "ls", Mount: "/mnt"}, "nfs4", OpOpen, 0, 10, 1, "/mnt")
	st.Unmounting(22, "/mnt")
	if rows := st.Rows(); len(rows) != 1 || rows[0].PID != 23 {
		t.Errorf("rows after umount: %+v", rows)
	}
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add(sample)
	f.Add("1 2 3:4 / / rw - x y\n")
	f.Fuzz(func(t *testing.T, s string) {
		ms, _ := ParseMountinfo(strings.NewReader(s))
		tab := NewTable(ms)
		for i := range ms {
			if tab.Lookup(ms[i].Point) == nil {
				t.Fatalf("mount point %q not found", ms[i].Point)
			}
		}
	})
}
