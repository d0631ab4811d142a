// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// TestMalformedEventSkipped: a v2 record whose parameters run past its end
// is left out, keeps its number, and the read goes on.
func TestMalformedEventSkipped(t *testing.T) {
	bad := closeRecord(2, 1, 3)
	binary.LittleEndian.PutUint16(bad[26:], 200)
	data := bytes.Join([][]byte{shb(1, 2), evBlock(closeRecord(1, 1, 3)), evBlock(bad), evBlock(closeRecord(3, 1, 3))}, nil)
	rd, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var nums []uint64
	var ev event.Event
	for {
		err := rd.Next(&ev)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, ev.Num)
	}
	if len(nums) != 2 || nums[0] != 1 || nums[1] != 3 {
		t.Errorf("event numbers %v, want [1 3]", nums)
	}
	if n, err := rd.Malformed(); n != 1 || err == nil {
		t.Errorf("Malformed() = %d, %v", n, err)
	}
}

// TestGzipLikeZlib: what sysdig (zlib's gzread) makes of damaged gzip:
// trailing non-gzip bytes are ignored, a truncated stream yields all it
// decoded, and the chunk in which corruption shows is lost.
func TestGzipLikeZlib(t *testing.T) {
	var evs [][]byte
	for i := 0; i < 3000; i++ {
		evs = append(evs, evBlock(closeRecord(uint64(i+1), 1, 3)))
	}
	plain := bytes.Join(append([][]byte{shb(1, 2)}, evs...), nil)
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.NoCompression) // bytes map 1:1 to positions
	zw.Write(plain)
	zw.Close()
	g := z.Bytes()
	count := func(data []byte) (int, error) {
		n, _, err := readCount(data)
		return n, err
	}
	all := len(evs)
	if n, err := count(append(append([]byte(nil), g...), "trailing junk"...)); n != all || err != nil {
		t.Errorf("junk after the stream: %d events, %v", n, err)
	}
	if n, err := count(append(append([]byte(nil), g...), g...)); n != 2*all || err != nil {
		t.Errorf("two members: %d events, %v", n, err)
	}
	if n, err := count(g[:len(g)-8]); n != all || err == nil {
		t.Errorf("trailer cut: %d events, %v", n, err)
	}
	// A wrong checksum shows at the end: the last chunk is lost.
	x := append([]byte(nil), g...)
	x[len(x)-8] ^= 1
	n, err := count(x)
	if err == nil {
		t.Fatalf("bad checksum: no error")
	}
	evLen := len(evs[0])
	want := (len(plain)/zwindow*zwindow - 28) / evLen
	if n != want {
		t.Errorf("bad checksum: %d events, want %d (up to the last whole %d-byte chunk)", n, want, zwindow)
	}
}
