// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// FuzzReader reads arbitrary bytes as a capture. It must not panic; whatever
// it reads must survive a write and a second read unchanged.
func FuzzReader(f *testing.F) {
	f.Add(shb(1, 2))
	f.Add(append(shb(1, 2), evBlock(closeRecord(1, 2, 3))...))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		snap := rd.Snapshot()
		var evs []*event.Event
		var ev event.Event
		for len(evs) < 1000 {
			err := rd.Next(&ev)
			if err != nil {
				break
			}
			if rd.NewSection() {
				break
			}
			evs = append(evs, ev.Clone())
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, snap, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if err := w.WriteEvent(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rd2, err := NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("rewrite unreadable: %v", err)
		}
		if n, m := len(rd2.Snapshot().Threads), len(snap.Threads); n != m {
			t.Fatalf("rewrite has %d threads, original %d", n, m)
		}
		for i := 0; ; i++ {
			err := rd2.Next(&ev)
			if errors.Is(err, io.EOF) {
				if i != len(evs) {
					t.Fatalf("rewrite has %d events, original %d", i, len(evs))
				}
				return
			}
			if err != nil {
				t.Fatalf("rewrite event %d: %v", i+1, err)
			}
			o := evs[i]
			if !bytes.Equal(ev.Raw[:16], o.Raw[:16]) || !bytes.Equal(ev.Raw[20:], o.Raw[20:]) || ev.CPU != o.CPU || ev.DumpFlags != o.DumpFlags {
				t.Fatalf("event %d changed in the rewrite", i+1)
			}
		}
	})
}

// FuzzBlocks feeds arbitrary bodies to the metadata block parsers.
func FuzzBlocks(f *testing.F) {
	f.Add(uint32(BlockPLV9), []byte{})
	f.Add(uint32(BlockMI), make([]byte, miBody))
	f.Fuzz(func(t *testing.T, typ uint32, body []byte) {
		s := newSection()
		// a thread for fd lists to attach to
		s.index[int64(binary.LittleEndian.Uint64(append(body, make([]byte, 8)...)))] = 0
		s.snap.Threads = append(s.snap.Threads, event.Thread{})
		for _, bt := range []uint32{typ, BlockMI, BlockIL, BlockILV2, BlockUL, BlockULV2, BlockPLV1, BlockPLV2,
			BlockPLV3, BlockPLV4, BlockPLV5, BlockPLV6, BlockPLV7, BlockPLV8, BlockPLV9, BlockFDL, BlockFDLV2} {
			_ = s.parse(bt, body)
		}
	})
}

// FuzzEventDecode decodes arbitrary event records (v1 and v2) and checks that
// a decoded record survives a write and a read.
func FuzzEventDecode(f *testing.F) {
	f.Add(false, closeRecord(1, 2, 3))
	f.Fuzz(func(t *testing.T, v1 bool, rec []byte) {
		var r Reader
		var ev event.Event
		var err error
		if v1 {
			err = r.decodeV1(&ev, rec)
		} else {
			err = ev.Decode(rec)
		}
		if err != nil || !ev.Type.Known() {
			return
		}
		for i := 0; i < ev.NParams; i++ {
			_ = ev.Param(i)
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, nil, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteEvent(&ev); err != nil {
			return // records too large for a block are refused, not written
		}
		w.Close()
		rd, err := NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var back event.Event
		if err := rd.Next(&back); err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if back.NParams != ev.NParams || !bytes.Equal(back.Raw[20:], ev.Raw[20:]) {
			t.Fatal("record changed")
		}
	})
}
