// SPDX-License-Identifier: Apache-2.0

package file

import (
	"encoding/binary"
	"errors"
	"github.com/ferret-observability/ferret/internal/testutil"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/event"
)

// writeBig writes a capture of about size bytes made of the events of a
// reference trace repeated with shifted timestamps, and returns its event
// count.
func writeBig(t *testing.T, src, dst string, size int64, gz bool) int {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rd, err := capfile.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	var evs []*event.Event
	var ev event.Event
	for {
		err := rd.Next(&ev)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev.Clone())
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w, err := capfile.NewWriter(out, rd.Snapshot(), capfile.WriterOptions{Compress: gz})
	if err != nil {
		t.Fatal(err)
	}
	span := evs[len(evs)-1].TS - evs[0].TS + 1
	n := 0
	for rep := uint64(0); w.Written() < size; rep++ {
		for _, e := range evs {
			binary.LittleEndian.PutUint64(e.Raw, e.TS+span)
			e.TS += span
			if err := w.WriteEvent(e); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReadSpeedAgainstSysdig compares reading a large capture with ferret's
// file source and with `sysdig -r FILE -q` (which also runs its state
// machine). It only reports figures; run it with FERRET_SPEED=1.
func TestReadSpeedAgainstSysdig(t *testing.T) {
	if os.Getenv("FERRET_SPEED") == "" {
		t.Skip("set FERRET_SPEED=1 to compare read speed with sysdig")
	}
	bin, err := exec.LookPath("sysdig")
	if err != nil {
		t.Skip("sysdig not installed")
	}
	src := filepath.Join(testutil.Reference(t, "traces"), "curl_google.scap")
	for _, gz := range []bool{false, true} {
		big := filepath.Join(t.TempDir(), "big.scap")
		n := writeBig(t, src, big, 64<<20, gz)
		st, _ := os.Stat(big)

		start := time.Now()
		s, err := Open(big)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for {
			_, err := s.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got++
		}
		raw := s.Stats().Bytes
		s.Close()
		ferret := time.Since(start)
		if got != n {
			t.Fatalf("read %d events, wrote %d", got, n)
		}

		start = time.Now()
		if out, err := exec.Command(bin, "-r", big, "-q").CombinedOutput(); err != nil {
			t.Fatalf("sysdig: %v: %s", err, out)
		}
		sd := time.Since(start)
		t.Logf("gzip=%v: %d events, %.1f MB on disk, %.1f MB uncompressed", gz, n, float64(st.Size())/1e6, float64(raw)/1e6)
		t.Logf("  ferret file source: %v (%.2f M events/s, %.0f MB/s)", ferret.Round(time.Millisecond), float64(n)/ferret.Seconds()/1e6, float64(raw)/ferret.Seconds()/1e6)
		t.Logf("  sysdig -r -q:       %v (%.2f M events/s, %.0f MB/s)", sd.Round(time.Millisecond), float64(n)/sd.Seconds()/1e6, float64(raw)/sd.Seconds()/1e6)
	}
}
