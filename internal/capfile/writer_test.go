// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// diskFile is an in-memory file that runs out of space after limit bytes
// (writing what fits, like a real short write) and can be truncated.
type diskFile struct {
	data  []byte
	limit int
}

func (d *diskFile) Write(p []byte) (int, error) {
	room := d.limit - len(d.data)
	if room >= len(p) {
		d.data = append(d.data, p...)
		return len(p), nil
	}
	if room > 0 {
		d.data = append(d.data, p[:room]...)
	} else {
		room = 0
	}
	return room, syscall.ENOSPC
}

func (d *diskFile) Seek(off int64, whence int) (int64, error) {
	if off == 0 && whence == io.SeekCurrent {
		return int64(len(d.data)), nil
	}
	return 0, errors.New("unsupported seek")
}

func (d *diskFile) Truncate(n int64) error {
	d.data = d.data[:n]
	return nil
}

func manyEvents(n int) []*event.Event {
	g := &synth.Gen{TS: 1e18}
	for i := 0; i < n; i++ {
		g.Read(100, 4, 100, []byte(strings.Repeat("x", i%200)))
	}
	return g.Events()
}

// TestDiskFull fills the disk at many points: the writer reports a clear
// error and what is on disk reads back as a valid capture of whole events.
func TestDiskFull(t *testing.T) {
	evs := manyEvents(2000)
	snap := testSnapshot()
	for _, gz := range []bool{false, true} {
		for _, limit := range []int{100, 3000, 20000, 70000, 150000, 400000} {
			d := &diskFile{limit: limit}
			w, err := NewWriter(d, snap, WriterOptions{Compress: gz, BufferSize: 16 << 10})
			written := 0
			if err == nil {
				for _, ev := range evs {
					if err = w.WriteEvent(ev); err != nil {
						break
					}
					written++
				}
				if err == nil {
					err = w.Close()
				}
			}
			if err == nil {
				if len(d.data) > limit {
					t.Fatalf("gzip=%v limit %d: wrote past the limit", gz, limit)
				}
				continue
			}
			if !strings.Contains(err.Error(), "no space left on device") {
				t.Fatalf("gzip=%v limit %d: error %q does not give the cause", gz, limit, err)
			}
			if w != nil {
				if err2 := w.WriteEvent(evs[0]); err2 == nil || err2.Error() != err.Error() {
					t.Fatalf("gzip=%v limit %d: writer did not stop: %v", gz, limit, err2)
				}
			}
			if len(d.data) == 0 {
				continue
			}
			n, _, rerr := readCount(d.data)
			if rerr != nil {
				t.Fatalf("gzip=%v limit %d: file left unreadable (%d bytes): %v", gz, limit, len(d.data), rerr)
			}
			if n > written {
				t.Fatalf("gzip=%v limit %d: %d events on disk, only %d accepted", gz, limit, n, written)
			}
		}
	}
}

func TestWriteToDevFull(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("/dev/full not available")
	}
	defer f.Close()
	_, err = NewWriter(f, testSnapshot(), WriterOptions{})
	if err == nil || !strings.Contains(err.Error(), "writing capture data") || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("error %v", err)
	}
}

func TestGzipLevels(t *testing.T) {
	evs := manyEvents(500)
	for _, level := range []int{0, 1, 9} {
		data := rewrite(t, testSnapshot(), evs, WriterOptions{Compress: true, Level: level})
		n, rd, err := readCount(data)
		if err != nil || n != len(evs) || !rd.Compressed() {
			t.Fatalf("level %d: %d events, err %v", level, n, err)
		}
	}
	var buf bytes.Buffer
	if _, err := NewWriter(&buf, nil, WriterOptions{Compress: true, Level: 42}); err == nil {
		t.Fatal("gzip level 42 accepted")
	}
}
