// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/hist"
	"github.com/ferret-observability/ferret/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the review pictures in testdata/review")

// extraTrace returns the path of a trace of the shared reference set that
// is read in place (never copied into the repository).
func extraTrace(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(testutil.TracesExtra(t), name)
}

type traceCase struct {
	name     string
	path     string
	interval time.Duration
	filter   string
}

func traces(t *testing.T) []traceCase {
	return []traceCase{
		{"curl", "testdata/curl_google.scap", 10 * time.Millisecond, ""},
		{"curl-file", "testdata/curl_google.scap", 5 * time.Millisecond, "fd.type=file"},
		{"sample", "testdata/sample.scap", 100 * time.Millisecond, ""},
		{"svh5", extraTrace(t, "sysdig_chisels_lab_svh5_activity.scap"), time.Second, ""},
		{"k8s-client", extraTrace(t, "sysdig_monitor_k8s_ticket_client_http502.scap"), 2 * time.Second, "proc.name=curl or proc.name=python"},
	}
}

// ferretLines runs ferret -r path -p format filter and returns the output
// lines split in fields.
func ferretLines(t *testing.T, path, format, filter string) [][]string {
	t.Helper()
	bin := testutil.FerretBinary(t)
	out, err := exec.Command(bin, "-r", path, "-p", format, filter).Output()
	if err != nil {
		t.Fatalf("ferret -r %s -p %q %q: %v", path, format, filter, err)
	}
	var lines [][]string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, strings.Fields(sc.Text()))
	}
	return lines
}

func atou(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("bad number %q in ferret output", s)
	}
	return v
}

// TestGridCountsMatchFerret checks every heat map and spectrogram cell
// against the latencies ferret -r prints with the same filter, bucketed
// and binned independently here.
func TestGridCountsMatchFerret(t *testing.T) {
	for _, tc := range traces(t) {
		for _, kind := range []Kind{Heatmap, Spectrogram} {
			t.Run(tc.name+"/"+kind.String(), func(t *testing.T) {
				o := Options{Kind: kind, Read: []string{tc.path}, Interval: tc.interval, Filter: tc.filter, Output: "x.svg"}
				d, err := Collect(o, os.Stderr)
				if err != nil {
					t.Fatal(err)
				}
				lines := ferretLines(t, tc.path, "%evt.rawtime %evt.latency", d.Opts.fullFilter())
				if len(lines) == 0 || d.Events != uint64(len(lines)) {
					t.Fatalf("picture has %d events, ferret -p printed %d", d.Events, len(lines))
				}
				iv := uint64(tc.interval)
				want := map[[2]int]uint64{}
				for _, l := range lines {
					ts, lat := atou(t, l[0]), atou(t, l[1])
					row := int((ts - d.Grid.Start) / iv)
					want[[2]int{row, bucketByDecimal(lat)}]++
				}
				g := d.Grid
				var seen uint64
				for r := 0; r < g.Rows(); r++ {
					for c := 0; c < g.Cols; c++ {
						if got := g.Cell(r, c); got != want[[2]int{r, c}] {
							t.Errorf("cell row %d bucket %d: %d, ferret says %d", r, c, got, want[[2]int{r, c}])
						}
						seen += g.Cell(r, c)
					}
				}
				if seen != uint64(len(lines)) || d.Grid.Start%iv != 0 {
					t.Errorf("grid holds %d events of %d, start %d", seen, len(lines), d.Grid.Start)
				}
			})
		}
	}
}

// bucketByDecimal finds a value's bucket from its decimal digits: the
// leading digit and the number of digits.
func bucketByDecimal(v uint64) int {
	if v == 0 {
		return 0
	}
	s := strconv.FormatUint(v, 10)
	if len(s) == 20 {
		return hist.NumBuckets - 1
	}
	return 1 + (len(s)-1)*hist.Steps + int(s[0]-'1')
}

func TestTimelineMatchesFerret(t *testing.T) {
	for _, tc := range traces(t) {
		for _, by := range []string{"proc.name", "fd.name"} {
			t.Run(tc.name+"/"+by, func(t *testing.T) {
				o := Options{Kind: Timeline, Read: []string{tc.path}, Interval: tc.interval, Filter: tc.filter, By: by, Output: "x.svg"}
				d, err := Collect(o, os.Stderr)
				if err != nil {
					t.Fatal(err)
				}
				// JSON output: fd.name may hold blanks and new lines.
				bin := testutil.FerretBinary(t)
				out, err := exec.Command(bin, "-r", tc.path, "-j", "-p", "%evt.rawtime %evt.rawres %"+by, d.Opts.fullFilter()).Output()
				if err != nil {
					t.Fatal(err)
				}
				iv := uint64(tc.interval)
				want := map[string]map[int]uint64{}
				total := map[string]uint64{}
				dec := json.NewDecoder(bytes.NewReader(out))
				for dec.More() {
					var ev map[string]any
					if err := dec.Decode(&ev); err != nil {
						t.Fatal(err)
					}
					key, _ := ev[by].(string)
					if want[key] == nil {
						want[key] = map[int]uint64{}
					}
					v := uint64(ev["evt.rawres"].(float64))
					ts := uint64(ev["evt.rawtime"].(float64))
					want[key][int((ts-d.Sums.Start)/iv)] += v
					total[key] += v
				}
				s := d.Sums
				if s.Keys() != len(want) {
					t.Fatalf("%d keys, ferret shows %d", s.Keys(), len(want))
				}
				for k := 0; k < s.Keys(); k++ {
					key := s.Key(k)
					if s.Total(k) != total[key] {
						t.Errorf("%s: total %d, ferret %d", key, s.Total(k), total[key])
					}
					for r := 0; r < s.Rows(); r++ {
						if s.Value(k, r) != want[key][r] {
							t.Errorf("%s interval %d: %d, ferret %d", key, r, s.Value(k, r), want[key][r])
						}
					}
				}
			})
		}
	}
}

func TestSubsecondMatchesFerret(t *testing.T) {
	for _, tc := range traces(t) {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Kind: Subsecond, Read: []string{tc.path}, Interval: tc.interval, Filter: tc.filter, Columns: 37, Output: "x.svg"}
			d, err := Collect(o, os.Stderr)
			if err != nil {
				t.Fatal(err)
			}
			lines := ferretLines(t, tc.path, "%evt.rawtime", d.Opts.fullFilter())
			iv := uint64(tc.interval)
			want := map[[2]int]uint64{}
			for _, l := range lines {
				ts := atou(t, l[0])
				off := float64(ts%iv) / float64(iv)
				want[[2]int{int((ts - d.Grid.Start) / iv), int(off * 37)}]++
			}
			for r := 0; r < d.Grid.Rows(); r++ {
				for c := 0; c < 37; c++ {
					if got := d.Grid.Cell(r, c); got != want[[2]int{r, c}] {
						t.Errorf("row %d col %d: %d, ferret %d", r, c, got, want[[2]int{r, c}])
					}
				}
			}
		})
	}
}

// TestPrintFilter runs the filter printed for cells through ferret -r and
// compares the number of events (timeline: the bytes) with the cell's
// count. The cells are the fullest one of each picture, a cell with few
// events, and an empty one.
func TestPrintFilter(t *testing.T) {
	curl := "testdata/curl_google.scap"
	svh5 := extraTrace(t, "sysdig_chisels_lab_svh5_activity.scap")
	for _, c := range []struct {
		kind     Kind
		path     string
		interval time.Duration
		filter   string
	}{
		{Heatmap, curl, 10 * time.Millisecond, ""},
		{Heatmap, curl, 10 * time.Millisecond, "fd.type=file"},
		{Spectrogram, svh5, time.Second, ""},
		{Heatmap, svh5, time.Second, "proc.name=sshd"},
		{Subsecond, svh5, time.Second, ""},
		{Subsecond, curl, 10 * time.Millisecond, ""},
		{Timeline, svh5, time.Second, ""},
		{Timeline, curl, 10 * time.Millisecond, ""},
	} {
		o := Options{Kind: c.kind, Read: []string{c.path}, Interval: c.interval, Filter: c.filter, Output: "x.svg"}
		d, err := Collect(o, os.Stderr)
		if err != nil {
			t.Fatal(err)
		}
		for _, xy := range interestingCells(d) {
			t.Run(c.kind.String()+"/"+c.filter+"/"+xy, func(t *testing.T) {
				o := o
				o.Output, o.PrintFilter = "", xy
				var out, errb bytes.Buffer
				if err := Run(o, &out, &errb); err != nil {
					t.Fatal(err)
				}
				flt := strings.TrimSpace(out.String())
				var n uint64
				if _, err := fmt.Sscanf(errb.String(), "%d", &n); err != nil {
					t.Fatalf("no count on stderr: %q", errb.String())
				}
				var got uint64
				if c.kind == Timeline {
					for _, l := range ferretLines(t, c.path, "%evt.rawres", flt) {
						got += atou(t, l[0])
					}
				} else {
					got = uint64(len(ferretLines(t, c.path, "%evt.num", flt)))
				}
				if got != n {
					t.Errorf("filter %q selects %d, the cell has %d", flt, got, n)
				}
			})
		}
	}
}

// interestingCells returns X,Y coordinates (in axis units) of the fullest
// cell, the last non-empty one and an empty one.
func interestingCells(d *Data) []string {
	o := d.Opts
	ivs := float64(o.Interval) / 1e9
	// Points inside a cell, away from its edges.
	rowY := func(r int) string { return strconv.FormatFloat((float64(r)+0.5)*ivs, 'f', -1, 64) }
	if o.Kind == Timeline {
		s := d.Sums
		k := s.Top(1)[0]
		best := 0
		for r := 0; r < s.Rows(); r++ {
			if s.Value(k, r) > s.Value(k, best) {
				best = r
			}
		}
		return []string{rowY(best) + "," + s.Key(k), rowY(s.Rows()-1) + "," + s.Key(k), rowY(0) + ",no such key"}
	}
	g := d.Grid
	var cells [][2]int
	var bestN uint64
	var best, last, empty [2]int
	for r := 0; r < g.Rows(); r++ {
		for c := 1; c < g.Cols; c++ {
			n := g.Cell(r, c)
			if n > bestN {
				bestN, best = n, [2]int{r, c}
			}
			if n > 0 {
				last = [2]int{r, c}
			} else {
				empty = [2]int{r, c}
			}
		}
	}
	cells = append(cells, best, last, empty)
	var out []string
	for _, rc := range cells {
		r, c := rc[0], rc[1]
		var x string
		switch o.Kind {
		case Subsecond:
			ms := float64(o.Interval) / 1e6
			x = strconv.FormatFloat((float64(c)+0.5)*ms/float64(o.Columns), 'f', -1, 64)
		default:
			x = strconv.FormatUint(hist.Lower(c), 10)
		}
		if o.Kind == Heatmap {
			out = append(out, rowY(r)+","+x)
		} else {
			out = append(out, x+","+rowY(r))
		}
	}
	return out
}

func TestPrintFilterErrors(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		xy   string
		want string
	}{
		{Heatmap, "3", "want X,Y"},
		{Heatmap, "x,2ms", "not a time"},
		{Heatmap, "1,fast", "not a duration"},
		{Subsecond, "-1,1", "not an offset"},
	} {
		_, err := parseCell(Options{Kind: c.kind}.withDefaults(), c.xy)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: error %v, want %q", c.kind, c.xy, err, c.want)
		}
	}
	o := Options{Kind: Subsecond, Read: []string{"testdata/curl_google.scap"}, Interval: 10 * time.Millisecond, PrintFilter: "12,0"}
	if err := Run(o, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "past the") {
		t.Errorf("offset past the period: %v", err)
	}
}

// svgSize returns the width and height of an SVG document in CSS pixels.
func svgSize(t *testing.T, b []byte) (w, h float64) {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Width   string   `xml:"width,attr"`
		Height  string   `xml:"height,attr"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not an SVG document: %v", err)
	}
	px := func(s string) float64 {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "pt"), 64)
		if err != nil || !strings.HasSuffix(s, "pt") {
			t.Fatalf("SVG size %q", s)
		}
		return v / 0.75
	}
	return px(doc.Width), px(doc.Height)
}

// TestPictureFormats draws each kind as SVG and PNG and decodes the
// result: its size must be the one asked for, and the SVG must show the
// title, the filter and the legend.
func TestPictureFormats(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []Kind{Heatmap, Spectrogram, Timeline, Subsecond} {
		for _, ext := range []string{"svg", "png"} {
			out := filepath.Join(dir, kind.String()+"."+ext)
			o := Options{Kind: kind, Read: []string{"testdata/curl_google.scap"}, Interval: 10 * time.Millisecond,
				Filter: "proc.name=curl", Output: out, Width: 720, Height: 450}
			if err := Run(o, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			switch ext {
			case "png":
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", out, err)
				}
				if r := img.Bounds(); r.Dx() != 720 || r.Dy() != 450 {
					t.Errorf("%s is %dx%d, want 720x450", out, r.Dx(), r.Dy())
				}
			case "svg":
				if w, h := svgSize(t, b); w != 720 || h != 450 {
					t.Errorf("%s is %gx%g, want 720x450", out, w, h)
				}
				s := string(b)
				for _, want := range []string{kind.spec().title, "proc.name=curl", "curl_google.scap", "seconds from 2018-08-17"} {
					if !strings.Contains(s, want) {
						t.Errorf("%s lacks %q", out, want)
					}
				}
				legend := "events per "
				if kind == Timeline {
					legend = "curl ("
				}
				if !strings.Contains(s, legend) {
					t.Errorf("%s has no legend (%q)", out, legend)
				}
			}
		}
	}
}

func TestOptionErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Read: []string{"testdata/curl_google.scap"}, Output: filepath.Join(dir, "x.gif")}, "name it .svg or .png"},
		{Options{Read: []string{"testdata/nope.scap"}, Output: filepath.Join(dir, "x.svg")}, "can't open file testdata/nope.scap"},
		{Options{Read: []string{"testdata/curl_google.scap"}, Filter: "proc.nme=curl", Output: filepath.Join(dir, "x.svg")}, "proc.nme"},
		{Options{Read: []string{"testdata/curl_google.scap"}, Field: "evt.nosuch", Output: filepath.Join(dir, "x.svg")}, "evt.nosuch"},
		{Options{Read: []string{"testdata/curl_google.scap"}, Output: filepath.Join(dir, "no", "dir", "x.svg")}, "writing the picture"},
	} {
		err := Run(c.o, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
	}
	if _, _, err := ParseSize("10x10"); err == nil {
		t.Error("ParseSize accepted 10x10")
	}
	if w, h, err := ParseSize("800x600"); err != nil || w != 800 || h != 600 {
		t.Error("ParseSize 800x600")
	}
	if _, err := ParseKind("pie"); err == nil {
		t.Error("ParseKind accepted pie")
	}
}

// TestReviewPictures keeps one small PNG per kind in testdata/review for a
// person to look at (go test -run TestReviewPictures -update rewrites
// them); without -update it checks that they are there and decode.
func TestReviewPictures(t *testing.T) {
	k8s := extraTrace(t, "sysdig_monitor_k8s_ticket_client_http502.scap")
	svh5 := extraTrace(t, "sysdig_chisels_lab_svh5_activity.scap")
	for _, c := range []struct {
		kind Kind
		path string
		o    Options
	}{
		{Heatmap, k8s, Options{}},
		{Spectrogram, k8s, Options{}},
		{Timeline, svh5, Options{By: "proc.name"}},
		{Subsecond, k8s, Options{}},
	} {
		out := filepath.Join("testdata", "review", c.kind.String()+".png")
		if *update {
			o := c.o
			o.Kind, o.Read, o.Output, o.Width, o.Height = c.kind, []string{c.path}, out, 640, 400
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := Run(o, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatalf("%v (run go test -run TestReviewPictures -update)", err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if r := img.Bounds(); r.Dx() != 640 || r.Dy() != 400 {
			t.Errorf("%s is %dx%d", out, r.Dx(), r.Dy())
		}
	}
}
