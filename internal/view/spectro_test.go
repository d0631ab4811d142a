// SPDX-License-Identifier: Apache-2.0

package view

import (
	"bufio"
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/hist"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// fileSpectro runs a spectrogram view over a capture file in a session
// and returns its rows once the pass is over.
func fileSpectro(t *testing.T, trace, id string, delayMS uint64) []SpectroRow {
	t.Helper()
	s, err := NewSession(Config{Read: trace, View: id, DelayMS: delayMS, Dirs: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range s.Updated {
		sn := s.Snapshot()
		if sn.Err != "" {
			t.Fatal(sn.Err)
		}
		if sn.Progress == "" && sn.Steps > 0 {
			if len(sn.Spectro) != sn.Steps {
				t.Fatalf("%d spectrogram rows for %d intervals", len(sn.Spectro), sn.Steps)
			}
			return sn.Spectro
		}
	}
	return nil
}

// TestSpectroMatchesEvents: each row of a spectrogram view holds the
// latencies of the events of its interval, in internal/hist's buckets, as
// `ferret -r FILE -p "%evt.rawtime %evt.latency" FILTER` lists them (zero
// latencies left out, as csysdig's quantized key leaves them out); the
// totals are csysdig's counts for the same views.
func TestSpectroMatchesEvents(t *testing.T) {
	bin := testutil.FerretBinary(t)
	trace := "testdata/traces/curl_google.scap"
	const iv = 100_000_000
	for _, c := range []struct {
		view, filter string
		total        uint64 // csysdig -v VIEW --raw (testdata/golden, and run by hand for spectro_file)
	}{
		{"spectro_all", "evt.dir=<", 595},
		{"spectro_file", "evt.dir=< and fd.type=file", 194},
	} {
		t.Run(c.view, func(t *testing.T) {
			rows := fileSpectro(t, trace, c.view, iv/1_000_000)
			out, err := exec.Command(bin, "-r", trace, "-p", "%evt.rawtime %evt.latency", c.filter).Output()
			if err != nil {
				t.Fatal(err)
			}
			want := map[uint64]*hist.Hist{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) != 2 {
					continue
				}
				ts, err1 := strconv.ParseUint(f[0], 10, 64)
				lat, err2 := strconv.ParseUint(f[1], 10, 64)
				if err1 != nil || err2 != nil {
					t.Fatalf("bad line %q", sc.Text())
				}
				if lat == 0 {
					continue
				}
				// An interval ends with the events at its last nanosecond.
				start := (ts - 1) / iv * iv
				if want[start] == nil {
					want[start] = &hist.Hist{}
				}
				want[start].Add(lat)
			}
			var total uint64
			for _, r := range rows {
				total += r.Hist.Count
				if r.Delta != iv || r.Start%iv != 0 {
					t.Errorf("row at %d lasts %d", r.Start, r.Delta)
				}
				w := want[r.Start]
				if w == nil {
					w = &hist.Hist{}
				}
				if r.Hist.Counts != w.Counts {
					t.Errorf("row at %d: buckets differ from the events' latencies", r.Start)
				}
				delete(want, r.Start)
			}
			for start := range want {
				t.Errorf("events at %d have no row", start)
			}
			if total != c.total {
				t.Errorf("%d latencies, csysdig counts %d", total, c.total)
			}
		})
	}
}

func TestSpectroColumns(t *testing.T) {
	var h hist.Hist
	h.Add(1)               // 1 ns: first column
	h.Add(5_000)           // 5 us
	h.Add(1_000_000_000_0) // 10 s
	h.Add(1 << 62)         // past 100 s: the last column
	const w = 110          // 10 columns per decade
	cols := SpectroColumns(&h, w, nil)
	var sum uint64
	for _, n := range cols {
		sum += n
	}
	if cols[0] != 1 || cols[w-1] != 1 || cols[100] != 1 {
		t.Errorf("columns 0, 100, 109 = %d %d %d", cols[0], cols[100], cols[w-1])
	}
	// 5 us is log10 3.70: bucket [5, 6) us covers columns 36..37.
	if cols[36] != 1 || cols[35] != 0 {
		t.Errorf("5us: columns 35..38 = %v", cols[35:39])
	}
	if sum < 4 {
		t.Errorf("sum %d", sum)
	}
	// Narrow screens still show every value.
	cols = SpectroColumns(&h, 5, cols)
	sum = 0
	for _, n := range cols {
		sum += n
	}
	if sum != 4 {
		t.Errorf("5 columns: %v", cols)
	}
}

func TestSpectroCell(t *testing.T) {
	if _, _, _, ok := SpectroCell(0, 1e9); ok {
		t.Error("empty cell drawn")
	}
	// 1 call per second: log_1.6(2) = 1.47, between colours 1 and 2.
	fg, bg, ch, _ := SpectroCell(1, 1e9)
	if fg != SpectroPalette[0] || bg != SpectroPalette[1] || ch != '░' {
		t.Errorf("1/s: %d %d %q", fg, bg, ch)
	}
	// Saturated: the last colour.
	if fg, _, _, _ := SpectroCell(1e12, 1e9); fg != SpectroPalette[len(SpectroPalette)-1] {
		t.Errorf("saturated: %d", fg)
	}
	// The rate counts: 1 call in 100 ms is 10/s.
	a, _, _, _ := SpectroCell(1, 1e8)
	b, _, _, _ := SpectroCell(10, 1e9)
	if a != b {
		t.Errorf("rates: %d vs %d", a, b)
	}
}

func TestSpectroLegend(t *testing.T) {
	// What csysdig shows on a 120-column terminal.
	want := "|1ns       |10ns      |100ns     |1.00us    |10us      |100us     |1.00ms    |10ms      |100ms     |1.00s     |10.00s"
	if got := SpectroLegend(120); strings.TrimRight(got, " ") != want {
		t.Errorf("legend\n%q\nwant\n%q", got, want)
	}
	if got := SpectroLegend(7); len(got) != 7 {
		t.Errorf("narrow legend %q", got)
	}
}
