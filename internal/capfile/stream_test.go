// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/ferret-observability/ferret/internal/event"
)

// manyThreads is a snapshot of n threads with strings and lists around
// the field limits.
func manyThreads(n int) *event.Snapshot {
	s := &event.Snapshot{Machine: event.Machine{NumCPUs: 2, Hostname: "h"}}
	for i := 0; i < n; i++ {
		t := event.Thread{TID: int64(1000 + i), PID: int64(1000 + i - i%7), PTID: 1, VTID: int64(i), VPID: int64(i - i%7),
			Comm: strings.Repeat("c", i%20), Exe: "/bin/x", ExePath: strings.Repeat("p", (i*37)%1500),
			Cwd: "/tmp/", Root: "/", LoginUID: -1, FDLimit: 1024, UID: uint32(i)}
		switch i % 5 {
		case 0:
			t.Args = []string{"a", strings.Repeat("b", 4094)} // joined: exactly the limit
		case 1:
			t.Args = []string{strings.Repeat("b", 4095)} // item exactly at the limit
		case 2:
			t.Args = []string{strings.Repeat("b", 3000), strings.Repeat("d", 3000)}
		case 3:
			t.Args = []string{"", "", "x"}
		}
		for k := 0; k < i%40; k++ {
			t.Env = append(t.Env, strings.Repeat("E", k*10)+"=v")
		}
		if i%3 == 0 {
			t.Cgroups = []string{"cpu=/a", "memory=/b/c"}
		}
		if i%11 == 0 {
			t.FDs = []event.FD{{Num: 3, Type: event.FDFileV2, Name: "/etc/passwd", OpenFlags: 1}}
		}
		s.Threads = append(s.Threads, t)
	}
	return s
}

// joined is the list as the capture holds it: each item and a NUL, cut.
func joined(list []string, limit int) string {
	var b strings.Builder
	for _, s := range list {
		b.WriteString(s)
		b.WriteByte(0)
	}
	return b.String()[:min(b.Len(), limit)]
}

func TestList16(t *testing.T) {
	for _, list := range [][]string{nil, {""}, {"a", "b"}, {strings.Repeat("x", 9)}, {strings.Repeat("x", 10)},
		{strings.Repeat("x", 11)}, {"abcd", "efgh"}, {"abcd", "efg"}, {"abcd", "ef", "g"}, {"", "", "", "", "", "", "", "", "", "", "", ""}} {
		w := &Writer{}
		w.list16(list, 10)
		var want Writer
		want.str16(joined(list, 10), 10)
		if !bytes.Equal(w.buf, want.buf) {
			t.Errorf("list16(%q) = %q, want %q", list, w.buf, want.buf)
		}
		if got := listLen(list, 10); got != len(w.buf)-2 {
			t.Errorf("listLen(%q) = %d, wrote %d", list, got, len(w.buf)-2)
		}
	}
}

// TestThreadListPieces: the thread list written in buffer-sized pieces
// is the same stream as when the buffer holds it whole, compressed or
// not, and reads back.
func TestThreadListPieces(t *testing.T) {
	snap := manyThreads(500)
	whole := rewrite(t, snap, nil, WriterOptions{BufferSize: 1 << 28})
	pieces := rewrite(t, snap, nil, WriterOptions{BufferSize: 512})
	if !bytes.Equal(whole, pieces) {
		t.Fatalf("streams differ: %d and %d bytes", len(whole), len(pieces))
	}
	gz := rewrite(t, snap, nil, WriterOptions{BufferSize: 4096, Compress: true})
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole, plain) {
		t.Fatalf("compressed stream differs: %d and %d bytes", len(whole), len(plain))
	}
	got, _, err := readAll(t, pieces)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Threads) != len(snap.Threads) {
		t.Fatalf("%d threads read back, want %d", len(got.Threads), len(snap.Threads))
	}
	for i := range snap.Threads {
		w, g := &snap.Threads[i], &got.Threads[i]
		if g.TID != w.TID || g.Comm != w.Comm || g.ExePath != w.ExePath[:min(len(w.ExePath), limPath)] ||
			g.UID != w.UID || len(g.FDs) != len(w.FDs) {
			t.Fatalf("thread %d read back as %+v, want %+v", i, g, w)
		}
	}
}
