// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/klauspost/compress/gzip"
)

// block frames a body as a block of type typ (padded, with trailer).
func block(typ uint32, body []byte) []byte {
	total := pad4(8+len(body)) + 4
	b := binary.LittleEndian.AppendUint32(nil, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(total))
	b = append(b, body...)
	for len(b) < total-4 {
		b = append(b, 0)
	}
	return binary.LittleEndian.AppendUint32(b, uint32(total))
}

func shb(major, minor uint16) []byte {
	body := binary.LittleEndian.AppendUint32(nil, ByteOrderMagic)
	body = binary.LittleEndian.AppendUint16(body, major)
	body = binary.LittleEndian.AppendUint16(body, minor)
	body = binary.LittleEndian.AppendUint64(body, ^uint64(0))
	return block(BlockSHB, body)
}

// evBlock frames a v2 record as an EV_V2 block on cpu 0.
func evBlock(rec []byte) []byte {
	return block(BlockEVV2, append([]byte{0, 0}, rec...))
}

func closeRecord(ts uint64, tid int64, fd int64) []byte {
	var b event.Builder
	b.Reset(4).I64(fd)
	return append([]byte(nil), b.Bytes(ts, tid)...)
}

// readCount reads every event and returns how many came before the error.
func readCount(data []byte) (int, *Reader, error) {
	rd, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	var ev event.Event
	n := 0
	for {
		err := rd.Next(&ev)
		if errors.Is(err, io.EOF) {
			return n, rd, nil
		}
		if err != nil {
			return n, rd, err
		}
		n++
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	snap := testSnapshot()
	data := rewrite(t, snap, nil, WriterOptions{})
	got, _, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, snap) {
		t.Fatalf("snapshot changed:\n got %+v\nwant %+v", got, snap)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	evs := scenario().Events()
	for _, gz := range []bool{false, true} {
		data := rewrite(t, testSnapshot(), evs, WriterOptions{Compress: gz, BufferSize: 4096})
		if gz && (data[0] != 0x1f || data[1] != 0x8b) {
			t.Fatal("gzip output does not start with the gzip magic")
		}
		_, got, err := readAll(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(evs) {
			t.Fatalf("gzip=%v: read %d events, wrote %d", gz, len(got), len(evs))
		}
		for i := range evs {
			a, b := evs[i], got[i]
			if !bytes.Equal(a.Raw, b.Raw) || a.CPU != b.CPU || a.DumpFlags != b.DumpFlags || b.Num != uint64(i+1) {
				t.Fatalf("gzip=%v: event %d differs: cpu %d/%d flags %d/%d num %d", gz, i, a.CPU, b.CPU, a.DumpFlags, b.DumpFlags, b.Num)
			}
		}
	}
}

func TestBlockTypesChosen(t *testing.T) {
	var g synth.Gen
	small := g.Emit(4, 1, int64(3))
	g.Flags = event.DumpStateOnly
	flagged := g.Emit(4, 1, int64(3))
	g.Flags = 0
	plugin := g.Emit(322, 1, uint32(1), []byte("x"))
	g.Flags = event.DumpTracer
	pluginF := g.Emit(322, 1, uint32(1), []byte("x"))
	g.Flags = 0
	big := g.Emit(9, 1, int64(1), bytes.Repeat([]byte{'a'}, 65535)) // 65535 data + header: over the non-large limit
	tests := []struct {
		name string
		ev   *event.Event
		want uint32
	}{
		{"plain", small, BlockEVV2},
		{"flags", flagged, BlockEVFV2},
		{"large payload type", plugin, BlockEVV2Large},
		{"large with flags", pluginF, BlockEVFV2Lrg},
		{"oversized record", big, BlockEVV2Large},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, nil, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			meta := buf.Len()
			if err := w.WriteEvent(tc.ev); err != nil {
				t.Fatal(err)
			}
			w.Close()
			b := buf.Bytes()[meta:]
			if typ := binary.LittleEndian.Uint32(b); typ != tc.want {
				t.Fatalf("block type 0x%x, want 0x%x", typ, tc.want)
			}
			total := binary.LittleEndian.Uint32(b[4:])
			if int(total) != len(b) || total%4 != 0 || binary.LittleEndian.Uint32(b[total-4:]) != total {
				t.Fatalf("bad framing: total %d, block %d bytes", total, len(b))
			}
		})
	}
}

func TestReaderErrors(t *testing.T) {
	ev1 := evBlock(closeRecord(1, 1, 3))
	ev2 := evBlock(closeRecord(2, 1, 4))
	unknownEv := func() []byte {
		rec := closeRecord(3, 1, 5)
		binary.LittleEndian.PutUint16(rec[20:], 400)
		return evBlock(rec)
	}()
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name   string
		data   []byte
		events int
		errSub string // "" = clean end
	}{
		{"minimal", cat(shb(1, 2), ev1), 1, ""},
		{"version 0.0", cat(shb(0, 0), ev1), 1, ""},
		{"version 1.99", cat(shb(1, 99), ev1), 1, ""},
		{"version 2", cat(shb(2, 0), ev1), 0, "version 2.0 is not supported (ferret reads versions 0.x and 1.x)"},
		{"big endian magic", func() []byte { b := cat(shb(1, 2), ev1); copy(b[8:], []byte{0x1a, 0x2b, 0x3c, 0x4d}); return b }(), 0, "invalid byte-order magic"},
		{"not a capture", []byte("hello world, this is not a capture file"), 0, "does not start with a section header"},
		{"empty", nil, 0, "empty capture file"},
		{"tiny non-capture", []byte("abc"), 0, "not a capture file: it does not start with a section header"},
		{"one byte", []byte("x"), 0, "not a capture file"},
		{"truncated section header", cat(shb(1, 2))[:3], 0, "reading block header at offset 0: expecting 8 bytes, got 3 (file truncated?)"},
		{"xz", []byte("\xfd7zXZ\x00\x00\x04rest of an xz file"), 0, "the file is xz-compressed; capture files can be plain or gzip only"},
		{"zstd", []byte("\x28\xb5\x2f\xfd\x00\x00\x00\x00zstd"), 0, "zstd-compressed"},
		{"no events", cat(shb(1, 2)), 0, ""},
		{"many empty sections", cat(bytes.Repeat(shb(1, 2), 100000), ev1), 1, ""},
		{"unknown block among metadata", cat(shb(1, 2), block(0x300, []byte("abcdef")), ev1), 1, ""},
		{"unknown block after events", cat(shb(1, 2), ev1, block(0x300, nil), ev2), 1, "unexpected unknown (0x300) block after events"},
		{"metadata block after events", cat(shb(1, 2), ev1, block(BlockPLV9, nil), ev2), 1, "unexpected process list block after events"},
		{"unknown event type skipped", cat(shb(1, 2), ev1, unknownEv, ev2), 2, ""},
		{"stray bytes at end", cat(shb(1, 2), ev1, []byte{1, 2, 3}), 1, "reading block header at offset 80: expecting 8 bytes, got 3 (file truncated?)"},
		{"truncated event", cat(shb(1, 2), ev1, ev2[:20]), 1, "reading event block at offset 80: expecting 52 bytes, got 20 (file truncated?)"},
		{"bad metadata trailer", func() []byte { b := block(BlockPLV9, nil); b[len(b)-1] = 9; return cat(shb(1, 2), b, ev1) }(), 0, "wrong block total length, header=12, trailer=150994956"},
		{"machine info wrong size", cat(shb(1, 2), block(BlockMI, make([]byte, 100)), ev1), 0, "body is 100 bytes, want 180"},
		{"fd list before process list", cat(shb(1, 2), block(BlockFDLV2, make([]byte, 8)), ev1), 0, "fd list references tid 0, which is not in the process list"},
		{"huge metadata length", func() []byte {
			b := binary.LittleEndian.AppendUint32(nil, BlockPLV9)
			b = binary.LittleEndian.AppendUint32(b, 200<<20)
			return cat(shb(1, 2), b, make([]byte, 64))
		}(), 0, "expecting 209715200 bytes, got 72 (file truncated?)"},
		{"metadata length over the limit", func() []byte {
			b := binary.LittleEndian.AppendUint32(nil, BlockPLV9)
			b = binary.LittleEndian.AppendUint32(b, 900<<20)
			return cat(shb(1, 2), b, make([]byte, 64))
		}(), 0, "process list block at offset 28: bad block length 943718400"},
		{"event block over non-large limit", cat(shb(1, 2), block(BlockEVV2, append([]byte{0, 0}, append(closeRecord(1, 1, 3), make([]byte, 65536-2-36)...)...))), 0, "block length 65540 greater than the non-large limit 65536"},
		{"event block at non-large limit", cat(shb(1, 2), block(BlockEVV2, append([]byte{0, 0}, append(closeRecord(1, 1, 3), make([]byte, 65532-2-36)...)...))), 1, ""},
		{"event shorter than header", cat(shb(1, 2), block(BlockEVV2, make([]byte, 10))), 0, "too short for an event"},
		{"parameter lengths past the record", func() []byte {
			rec := closeRecord(1, 1, 3)
			binary.LittleEndian.PutUint16(rec[26:], 200)
			return cat(shb(1, 2), evBlock(rec), ev1)
		}(), 1, ""}, // skipped, as sysdig reads on (see TestMalformedEventSkipped)
		{"shb with options", func() []byte {
			body := binary.LittleEndian.AppendUint32(nil, ByteOrderMagic)
			body = binary.LittleEndian.AppendUint16(body, 1)
			body = binary.LittleEndian.AppendUint16(body, 0)
			body = binary.LittleEndian.AppendUint64(body, ^uint64(0))
			body = append(body, 1, 0, 4, 0, 'a', 'b', 'c', 'd', 0, 0, 0, 0)
			return cat(block(BlockSHB, body), ev1)
		}(), 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, _, err := readCount(tc.data)
			if n != tc.events {
				t.Errorf("read %d events, want %d", n, tc.events)
			}
			switch {
			case tc.errSub == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.errSub != "" && err == nil:
				t.Errorf("no error, want one containing %q", tc.errSub)
			case tc.errSub != "" && !strings.Contains(err.Error(), tc.errSub):
				t.Errorf("error %q does not contain %q", err, tc.errSub)
			}
		})
	}
}

func TestSections(t *testing.T) {
	s1 := &event.Snapshot{Machine: event.Machine{Hostname: "one"}}
	s2 := &event.Snapshot{Machine: event.Machine{Hostname: "two"}}
	var g synth.Gen
	g.Close(1, 3, 0)
	a := rewrite(t, s1, g.Events(), WriterOptions{})
	b := rewrite(t, s2, g.Events(), WriterOptions{})
	rd, err := NewReader(bytes.NewReader(append(append([]byte(nil), a...), b...)))
	if err != nil {
		t.Fatal(err)
	}
	var ev event.Event
	var hosts []string
	var news []bool
	for {
		err := rd.Next(&ev)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		hosts = append(hosts, rd.Snapshot().Machine.Hostname)
		news = append(news, rd.NewSection())
	}
	if want := []string{"one", "one", "two", "two"}; !reflect.DeepEqual(hosts, want) {
		t.Fatalf("hosts %v, want %v", hosts, want)
	}
	if want := []bool{false, false, true, false}; !reflect.DeepEqual(news, want) {
		t.Fatalf("new-section flags %v, want %v", news, want)
	}
	if ev.Num != 4 {
		t.Fatalf("last event numbered %d, want 4", ev.Num)
	}
}

func TestGzipMultiMember(t *testing.T) {
	var g synth.Gen
	for i := 0; i < 10; i++ {
		g.Close(1, int64(i), 0)
	}
	plain := rewrite(t, nil, g.Events(), WriterOptions{})
	var z bytes.Buffer
	half := len(plain) / 2
	for _, part := range [][]byte{plain[:half], plain[half:]} {
		zw := gzip.NewWriter(&z)
		zw.Write(part)
		zw.Close()
	}
	n, rd, err := readCount(z.Bytes())
	if err != nil || n != 20 || !rd.Compressed() {
		t.Fatalf("read %d events, err %v", n, err)
	}
	// A truncated gzip stream delivers the complete events, then an error.
	n, _, err = readCount(z.Bytes()[:z.Len()-10])
	if err == nil || n == 0 || n > 20 {
		t.Fatalf("truncated gzip: %d events, err %v", n, err)
	}
}

// TestTruncationEverywhere cuts a capture at every offset: reading never
// panics, delivers exactly the events whose blocks are complete, and names
// the offset in its error.
func TestTruncationEverywhere(t *testing.T) {
	var evs []*event.Event
	for _, ev := range scenario().Events() {
		if ev.Type != 322 { // leave out the 100 kB plugin event to keep this quick
			evs = append(evs, ev)
		}
	}
	data := rewrite(t, testSnapshot(), evs, WriterOptions{})
	// block end offsets of the event blocks
	meta := metaEnd(t, data)
	var ends []int
	for p := meta; p < len(data); {
		p += int(binary.LittleEndian.Uint32(data[p+4:]))
		ends = append(ends, p)
	}
	for cut := 0; cut < len(data); cut++ {
		if cut < meta && cut%7 != 0 {
			continue // sample the metadata; every offset of the events
		}
		n, _, err := readCount(data[:cut])
		complete := 0
		for _, e := range ends {
			if e <= cut {
				complete++
			}
		}
		atBoundary := cut == meta || (complete > 0 && ends[complete-1] == cut)
		if cut < meta {
			// Inside the metadata: an error, or a valid capture without
			// events when the cut falls between two blocks.
			if n != 0 {
				t.Fatalf("cut at %d: %d events from metadata only", cut, n)
			}
			continue
		}
		if n != complete {
			t.Fatalf("cut at %d: %d events, want %d", cut, n, complete)
		}
		if atBoundary != (err == nil) {
			t.Fatalf("cut at %d: err %v (at block boundary: %v)", cut, err, atBoundary)
		}
		if err != nil && !strings.Contains(err.Error(), "offset") {
			t.Fatalf("cut at %d: error does not name the offset: %v", cut, err)
		}
	}
}

// metaEnd returns the offset of the first event block.
func metaEnd(t *testing.T, data []byte) int {
	p := 0
	for p < len(data) {
		if isEventBlock(binary.LittleEndian.Uint32(data[p:])) {
			return p
		}
		p += int(binary.LittleEndian.Uint32(data[p+4:]))
	}
	t.Fatal("no event block")
	return 0
}

func TestBoundedAllocation(t *testing.T) {
	// A block header claiming ~1 GiB on a tiny input must not allocate it.
	b := binary.LittleEndian.AppendUint32(nil, BlockPLV9)
	b = binary.LittleEndian.AppendUint32(b, maxBlock-4)
	data := append(shb(1, 2), b...)
	data = append(data, make([]byte, 100)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := readCount(data)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("no error")
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 16<<20 {
		t.Fatalf("allocated %d bytes for a 140-byte input", d)
	}
}
