// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"github.com/ferret-observability/ferret/internal/testutil"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// bigCapture writes copies of the curl trace one after the other in time
// (each copy shifted past the end of the previous one) into one capture
// file, and returns its path and event count.
func bigCapture(b *testing.B, copies int) (string, uint64) {
	b.Helper()
	src := testutil.Reference(b, "traces", "curl_google.scap")
	in, err := os.Open(src)
	if err != nil {
		b.Skip(err)
	}
	defer in.Close()
	rd, err := capfile.NewReader(in)
	if err != nil {
		b.Fatal(err)
	}
	var recs [][]byte
	var flags []uint32
	var cpus []uint16
	var first, last uint64
	var ev event.Event
	for {
		if err := rd.Next(&ev); err != nil {
			if err == io.EOF {
				break
			}
			b.Fatal(err)
		}
		if first == 0 {
			first = ev.TS
		}
		last = ev.TS
		recs = append(recs, append([]byte(nil), ev.Raw...))
		flags = append(flags, ev.DumpFlags)
		cpus = append(cpus, ev.CPU)
	}
	path := filepath.Join(b.TempDir(), "big.scap")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	w, err := capfile.NewWriter(bw, rd.Snapshot(), capfile.WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	span := last - first + 1e9
	var n uint64
	for c := 0; c < copies; c++ {
		for i, r := range recs {
			// Only the first copy carries the state-only records.
			if c > 0 && flags[i]&event.DumpStateOnly != 0 {
				continue
			}
			rec := append([]byte(nil), r...)
			ts := binary.LittleEndian.Uint64(rec)
			binary.LittleEndian.PutUint64(rec, ts+uint64(c)*span)
			var e event.Event
			if err := e.Decode(rec); err != nil {
				b.Fatal(err)
			}
			e.DumpFlags, e.CPU = flags[i], cpus[i]
			if err := w.WriteEvent(&e); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	out.Close()
	return path, n
}

// runTopFiles runs topfiles_bytes (built-in or sysdig's) over path.
func runTopFiles(b *testing.B, path string, dirs []string) {
	c, _, err := Load("topfiles_bytes", nil, Options{Stdout: io.Discard, Dirs: dirs})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Init(); err != nil {
		b.Fatal(err)
	}
	src, err := file.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	r := engine.New(src, engine.Options{Ctx: func(c *fields.Ctx) { c.SetUTCOffset(0) }}, c)
	if err := r.Loop(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTopFilesBytes measures `-c topfiles_bytes` over a large capture
// with ferret's built-in chisel, with sysdig's Lua chisel run by ferret, and
// with sysdig itself, reporting events per second for each.
func BenchmarkTopFilesBytes(b *testing.B) {
	path, n := bigCapture(b, 200)
	b.Run("ferret-builtin", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			runTopFiles(b, path, []string{})
		}
		b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "events/s")
	})
	if _, err := os.Stat(sysdigDir); err == nil {
		b.Run("ferret-sysdig-lua", func(b *testing.B) {
			start := time.Now()
			for i := 0; i < b.N; i++ {
				runTopFiles(b, path, []string{sysdigDir})
			}
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
	if bin, err := exec.LookPath("sysdig"); err == nil {
		// Both tools must agree on the result before their speed is compared.
		want, err := exec.Command(bin, "-r", path, "-c", "topfiles_bytes").Output()
		if err != nil {
			b.Fatalf("sysdig: %v", err)
		}
		var got bytes.Buffer
		c, _, err := Load("topfiles_bytes", nil, Options{Stdout: &got, Dirs: []string{}})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Init(); err != nil {
			b.Fatal(err)
		}
		src, err := file.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := engine.New(src, engine.Options{}, c).Loop(); err != nil {
			b.Fatal(err)
		}
		src.Close()
		c.Close()
		if _, tol := sameOutput(got.String(), string(want)); !tol {
			b.Fatalf("outputs differ:\n%s", firstDiff(got.String(), string(want)))
		}
		b.Run("sysdig", func(b *testing.B) {
			start := time.Now()
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(bin, "-r", path, "-c", "topfiles_bytes")
				cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}
