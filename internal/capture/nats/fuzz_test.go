// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	gonats "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// fuzzMessages decodes the fuzzer's input as a run of messages a stream
// could hold: per message a flag byte (bit 0: scap format, bit 1: new
// section, bit 2: a sequence that is not a number, bit 3: no writer), the
// writer (one of four), Ferret-Seq and Ferret-Prev, a 16-bit length and
// the payload.
func fuzzMessages(b []byte) []struct {
	h    gonats.Header
	data []byte
} {
	var out []struct {
		h    gonats.Header
		data []byte
	}
	for len(b) >= 6 {
		fl, w, seq, prev := b[0], b[1]%4, b[2], b[3]
		n := int(binary.LittleEndian.Uint16(b[4:6]))
		b = b[6:]
		n = min(n, len(b))
		h := gonats.Header{}
		if fl&1 != 0 {
			h.Set(HdrFormat, "scap")
		} else {
			h.Set(HdrFormat, "json")
		}
		if fl&2 != 0 {
			h.Set(HdrSection, "1")
		}
		if fl&8 == 0 {
			h.Set(HdrWriter, "w"+strconv.Itoa(int(w)))
		}
		if fl&4 != 0 {
			h.Set(HdrSeq, "x"+strconv.Itoa(int(seq)))
		} else {
			h.Set(HdrSeq, strconv.Itoa(int(seq)))
		}
		h.Set(HdrPrev, strconv.Itoa(int(prev)))
		h.Set(HdrHost, "host"+strconv.Itoa(int(w)))
		out = append(out, struct {
			h    gonats.Header
			data []byte
		}{h, b[:n]})
		b = b[n:]
	}
	return out
}

// encodeMessages is fuzzMessages' inverse for well-formed scap messages of
// one writer (the seeds): chunk i of a capture is message i+1, sent in the
// order given (every chunk when order is empty).
func encodeMessages(chunks [][]byte, order ...int) []byte {
	if len(order) == 0 {
		for i := range chunks {
			order = append(order, i)
		}
	}
	var b []byte
	for _, i := range order {
		c := chunks[i]
		fl := byte(1)
		if i == 0 {
			fl |= 2
		}
		b = append(b, fl, 0, byte(i+1), byte(i))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(c)))
		b = append(b, c...)
	}
	return b
}

// seedCapture is a small capture file split into three messages.
func seedCapture(t testing.TB) [][]byte {
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 1000}
	g.Open(100, "/etc/hosts", synth.ORdonly, 0, 3)
	g.Read(100, 3, 10, []byte("127.0.0.1 localhost"))
	g.Close(100, 3, 0)
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1, Hostname: "h"},
		Threads: []event.Thread{{TID: 100, PID: 100, Comm: "cat", Exe: "/bin/cat", FDLimit: 1024}}}
	var buf bytes.Buffer
	w, err := capfile.NewWriter(&buf, snap, capfile.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range g.Events() {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	return [][]byte{b[:len(b)/3], b[len(b)/3 : 2*len(b)/3], b[2*len(b)/3:]}
}

// FuzzFeed hands a run of hostile messages (any headers, any order,
// duplicates, writers that change, payloads that are not captures) to a
// subject's feed and reads the events back: no panic, no hang, an error
// or the end of the read.
func FuzzFeed(f *testing.F) {
	chunks := seedCapture(f)
	f.Add(encodeMessages(chunks))
	f.Add(encodeMessages(chunks, 0, 2, 1))
	f.Add(encodeMessages(chunks, 2, 1, 1, 0))
	f.Add(encodeMessages([][]byte{bytes.Join(chunks, nil)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := &Source{ctx: ctx, cancel: cancel, feeds: map[string]*feed{}}
		fd := &feed{src: s, subject: "ferret.h", old: map[string]bool{}, held: map[uint64]*heldMsg{},
			first: true, msgs: make(chan jetstream.Msg)}
		close(fd.msgs)
		s.feeds[fd.subject] = fd
		s.order = []*feed{fd}
		for _, m := range fuzzMessages(b) {
			fd.dispatch(m.h, m.data)
		}
		for i := 0; i < 1<<16; i++ {
			ev, err := s.Next()
			if err != nil {
				return
			}
			if ev == nil || s.Snapshot() == nil {
				t.Fatalf("event %d: %v with snapshot %v", i, ev, s.Snapshot())
			}
		}
		t.Fatal("more events than the input can hold")
	})
}

// TestFeedSeeds reads the seed capture back through the feed, in order and
// with its messages out of order, duplicated and interleaved with others.
func TestFeedSeeds(t *testing.T) {
	chunks := seedCapture(t)
	for name, in := range map[string][]byte{
		"in order":  encodeMessages(chunks),
		"reordered": encodeMessages(chunks, 0, 2, 1, 1),
	} {
		ctx, cancel := context.WithCancel(context.Background())
		s := &Source{ctx: ctx, cancel: cancel, feeds: map[string]*feed{}}
		fd := &feed{src: s, subject: "ferret.h", old: map[string]bool{}, held: map[uint64]*heldMsg{},
			first: true, msgs: make(chan jetstream.Msg)}
		close(fd.msgs)
		s.order = []*feed{fd}
		for _, m := range fuzzMessages(in) {
			fd.dispatch(m.h, m.data)
		}
		n := 0
		for {
			_, err := s.Next()
			if err != nil {
				break
			}
			n++
		}
		cancel()
		if n != 6 {
			t.Errorf("%s: %d events read back, want 6", name, n)
		}
	}
	// the seeds of FuzzFeed's corpus in testdata
	if os.Getenv("FERRET_WRITE_SEEDS") != "" {
		dir := filepath.Join("testdata", "fuzz", "FuzzFeed")
		os.MkdirAll(dir, 0o755)
		for i, in := range [][]byte{encodeMessages(chunks), encodeMessages(chunks, 0, 2, 1, 1)} {
			os.WriteFile(filepath.Join(dir, "seed"+strconv.Itoa(i+1)), []byte("go test fuzz v1\n[]byte("+strconv.Quote(string(in))+")\n"), 0o644)
		}
	}
}
