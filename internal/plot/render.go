// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/hist"
)

// Write draws d in the given format ("svg" or "png") to w, at the size of
// d.Opts in pixels (SVG sizes are in points at 96 pixels per inch, so
// both formats show at the same size).
func Write(w io.Writer, d *Data, format string) error {
	o := d.Opts
	wPt, hPt := vg.Length(o.Width)*0.75, vg.Length(o.Height)*0.75
	var c vg.CanvasWriterTo
	switch format {
	case "svg":
		c = vgsvg.New(wPt, hPt)
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(wPt, hPt), vgimg.UseDPI(96))}
	default:
		return fmt.Errorf("unknown picture format %q", format)
	}
	dc := draw.New(c)
	if o.Kind == Timeline {
		drawTimeline(dc, d)
	} else {
		drawGrid(dc, d)
	}
	_, err := c.WriteTo(w)
	return err
}

// title returns the picture's title lines: what it shows, the filter (cut
// into lines) and how many events it holds.
func title(d *Data, what string) string {
	o := d.Opts
	t := o.Title
	if t == "" {
		t = o.Kind.spec().title + ": " + what
	}
	src := "live capture"
	if len(o.Read) > 0 {
		src = baseName(o.Read[0])
		if len(o.Read) > 1 {
			src += fmt.Sprintf(" (+%d files)", len(o.Read)-1)
		}
	}
	var b strings.Builder
	b.WriteString(t)
	words := strings.Fields(src + ", filter: " + o.fullFilter())
	line := 0
	b.WriteByte('\n')
	for i, wd := range words {
		if i > 0 {
			if line+1+len(wd) > 90 {
				b.WriteByte('\n')
				line = 0
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(wd)
		line += len(wd)
	}
	fmt.Fprintf(&b, "\n%d events", d.Events)
	if d.NoValue > 0 {
		fmt.Fprintf(&b, ", %d without a value left out", d.NoValue)
	}
	if d.Grid != nil && o.Kind != Subsecond {
		if z := zeroCount(d.Grid); z > 0 {
			fmt.Fprintf(&b, ", %d with %s = 0 not drawn", z, o.Field)
		}
	}
	return b.String()
}

func zeroCount(g *hist.Grid) uint64 {
	var z uint64
	for r := 0; r < g.Rows(); r++ {
		z += g.Cell(r, 0)
	}
	return z
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// timeLabel names a time axis that counts seconds from the grid start.
func timeLabel(start uint64, iv time.Duration, per string) string {
	t := time.Unix(0, int64(start)).UTC()
	return fmt.Sprintf("seconds from %s UTC (%s per %s)", t.Format("2006-01-02 15:04:05.000"), iv, per)
}

func newPlot(titleText string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = titleText
	p.Title.Padding = vg.Points(8)
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Y.Label.TextStyle.Font.Size = vg.Points(10)
	return p
}

// colorBarWidth is the room kept on the right for the colour legend.
const colorBarWidth = vg.Length(95)

// drawGrid draws heat maps, spectrograms and subsecond maps: cells with a
// colour legend on the right.
func drawGrid(dc draw.Canvas, d *Data) {
	o, g := d.Opts, d.Grid
	ivs := float64(o.Interval) / 1e9
	valueName := o.Field
	isTime := d.ValueKind == fields.KindRelTime
	var cm *colorMap
	var colorOf func(n uint64) color.Color
	var barLabel string
	var barTicks gplot.Ticker
	maxCount := g.Max()
	switch o.Kind {
	case Heatmap:
		cm = newColorMap(heatColors)
		cm.SetMin(0)
		cm.SetMax(math.Max(math.Log10(float64(maxCount)), 1))
		colorOf = func(n uint64) color.Color { c, _ := cm.At(math.Log10(float64(n))); return c }
		barLabel = "events per cell"
		barTicks = powTicks{}
	default:
		// sysdig's spectrogram and subsecoffset scale: colour index
		// log_1.6(calls per second + 1), 20 colours.
		cm = newColorMap(sysdigColors)
		cm.SetMin(1)
		cm.SetMax(float64(len(sysdigColors)))
		colorOf = func(n uint64) color.Color {
			v := math.Log10(float64(n)/ivs+1) / math.Log10(1.6)
			c, _ := cm.At(math.Min(math.Max(v, 1), cm.Max()))
			return c
		}
		barLabel = "events per second"
		barTicks = rateTicks{}
	}
	main := draw.Crop(dc, 0, -colorBarWidth, 0, 0)
	var p *gplot.Plot
	cp := &cells{g: g, color: colorOf}
	switch o.Kind {
	case Heatmap:
		p = newPlot(title(d, valueName+" by time"))
		p.X.Label.Text = timeLabel(g.Start, o.Interval, "column")
		p.Y.Label.Text = valueName + " (log-linear buckets)"
		p.Y.Tick.Marker = logTicks{time: isTime}
		cp.rect = func(r, c int) (x0, x1, y0, y1 float64) {
			return float64(r) * ivs, float64(r+1) * ivs, log10(float64(hist.Lower(c))), log10(hist.Upper(c))
		}
		cp.skipCol0 = true
		lo, hi := valueRange(g)
		cp.xr, cp.yr = [2]float64{0, float64(g.Rows()) * ivs}, [2]float64{log10(float64(hist.Lower(lo))), log10(hist.Upper(hi))}
	case Spectrogram:
		p = newPlot(title(d, valueName+" frequency"))
		p.X.Label.Text = valueName + " (log-linear buckets)"
		p.Y.Label.Text = timeLabel(g.Start, o.Interval, "row")
		p.X.Tick.Marker = logTicks{time: isTime}
		p.Y.Scale = gplot.InvertedScale{Normalizer: gplot.LinearScale{}}
		cp.rect = func(r, c int) (x0, x1, y0, y1 float64) {
			return log10(float64(hist.Lower(c))), log10(hist.Upper(c)), float64(r) * ivs, float64(r+1) * ivs
		}
		cp.skipCol0 = true
		cp.bg = color.Black
		lo, hi := valueRange(g)
		cp.xr, cp.yr = [2]float64{log10(float64(hist.Lower(lo))), log10(hist.Upper(hi))}, [2]float64{0, float64(g.Rows()) * ivs}
	case Subsecond:
		p = newPlot(title(d, "syscall entries within each "+o.Interval.String()))
		ms := float64(o.Interval) / 1e6
		colw := ms / float64(o.Columns)
		p.X.Label.Text = fmt.Sprintf("offset within the %s period (ms, %d columns of %.4g ms)", o.Interval, o.Columns, colw)
		p.Y.Label.Text = timeLabel(g.Start, o.Interval, "row")
		p.Y.Scale = gplot.InvertedScale{Normalizer: gplot.LinearScale{}}
		cp.rect = func(r, c int) (x0, x1, y0, y1 float64) {
			return float64(c) * colw, float64(c+1) * colw, float64(r) * ivs, float64(r+1) * ivs
		}
		cp.bg = color.Black
		cp.xr, cp.yr = [2]float64{0, ms}, [2]float64{0, float64(g.Rows()) * ivs}
	}
	if cp.yr[1] <= cp.yr[0] {
		cp.yr[1] = cp.yr[0] + 1
	}
	if cp.xr[1] <= cp.xr[0] {
		cp.xr[1] = cp.xr[0] + 1
	}
	p.Add(cp)
	p.X.Min, p.X.Max = cp.xr[0], cp.xr[1]
	p.Y.Min, p.Y.Max = cp.yr[0], cp.yr[1]
	p.Add(plotter.NewGrid())
	p.Draw(main)

	// The colour legend, aligned with the data area.
	da := p.DataCanvas(main)
	bar := gplot.New()
	bar.HideX()
	bar.Y.Label.Text = barLabel
	bar.Y.Label.TextStyle.Font.Size = vg.Points(10)
	bar.Y.Tick.Marker = barTicks
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	strip := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: dc.Max.X - colorBarWidth + 10, Y: da.Min.Y},
		Max: vg.Point{X: dc.Max.X - 12, Y: da.Max.Y},
	}}
	bar.Draw(strip)
}

// log10 places values on the log axes: they are drawn on a linear axis in
// decades, so that gonum lays out the axis label by the middle decade.
func log10(v float64) float64 { return math.Log10(v) }

// valueRange returns the bucket range with counts, leaving out bucket 0
// (which has no place on a log axis), or a default decade when empty.
func valueRange(g *hist.Grid) (lo, hi int) {
	tot := g.ColTotals()
	lo, hi = -1, -1
	for b := 1; b < len(tot); b++ {
		if tot[b] > 0 {
			if lo < 0 {
				lo = b
			}
			hi = b
		}
	}
	if lo < 0 {
		return 1, 9
	}
	// Whole decades read better.
	lo = 1 + (lo-1)/hist.Steps*hist.Steps
	hi = min((hi-1)/hist.Steps*hist.Steps+hist.Steps, hist.NumBuckets-1)
	return lo, hi
}

// cells is a gonum plotter drawing grid cells as filled rectangles at the
// exact bounds of their buckets.
type cells struct {
	g        *hist.Grid
	rect     func(r, c int) (x0, x1, y0, y1 float64)
	color    func(n uint64) color.Color
	skipCol0 bool
	bg       color.Color
	xr, yr   [2]float64
}

func (cp *cells) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	if cp.bg != nil {
		c.SetColor(cp.bg)
		c.Fill(c.Rectangle.Path())
	}
	for r := 0; r < cp.g.Rows(); r++ {
		for col, n := range cp.g.Row(r) {
			if n == 0 || (cp.skipCol0 && col == 0) {
				continue
			}
			x0, x1, y0, y1 := cp.rect(r, col)
			x0, x1 = math.Max(x0, cp.xr[0]), math.Min(x1, cp.xr[1])
			y0, y1 = math.Max(y0, cp.yr[0]), math.Min(y1, cp.yr[1])
			if x1 <= x0 || y1 <= y0 {
				continue
			}
			a, b := vg.Point{X: trX(x0), Y: trY(y0)}, vg.Point{X: trX(x1), Y: trY(y1)}
			var path vg.Path
			path.Move(a)
			path.Line(vg.Point{X: b.X, Y: a.Y})
			path.Line(b)
			path.Line(vg.Point{X: a.X, Y: b.Y})
			path.Close()
			c.SetColor(cp.color(n))
			c.Fill(path)
		}
	}
}

// DataRange implements gonum's DataRanger.
func (cp *cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return cp.xr[0], cp.xr[1], cp.yr[0], cp.yr[1]
}

// drawTimeline draws one step line per top key.
func drawTimeline(dc draw.Canvas, d *Data) {
	o, s := d.Opts, d.Sums
	ivs := float64(o.Interval) / 1e9
	p := newPlot(title(d, o.Field+" per second by "+o.By))
	p.X.Label.Text = timeLabel(s.Start, o.Interval, "step")
	p.Y.Label.Text = o.Field + " per second"
	if o.Field == "evt.rawres" {
		p.Y.Label.Text = "bytes per second (sum of evt.rawres)"
	}
	p.Y.Tick.Marker = siTicks{}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Add(plotter.NewGrid())
	for i, k := range s.Top(o.Top) {
		pts := make(plotter.XYs, s.Rows()+1)
		for r := 0; r < s.Rows(); r++ {
			pts[r] = plotter.XY{X: float64(r) * ivs, Y: float64(s.Value(k, r)) / ivs}
		}
		// The last step ends at the end of its interval.
		pts[s.Rows()] = plotter.XY{X: float64(s.Rows()) * ivs, Y: pts[max(s.Rows()-1, 0)].Y}
		l, err := plotter.NewLine(pts)
		if err != nil {
			continue
		}
		l.StepStyle = plotter.PostStep
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.5)
		l.Dashes = plotutil.Dashes(i / 7)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (%s total)", printable(s.Key(k)), siFormat(float64(s.Total(k)))), l)
	}
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max = math.Max(float64(s.Rows())*ivs, ivs)
	var top float64
	for _, k := range s.Top(o.Top) {
		for r := 0; r < s.Rows(); r++ {
			top = math.Max(top, float64(s.Value(k, r))/ivs)
		}
	}
	// Head room for the legend.
	p.Y.Max = math.Max(top*1.25, 1)
	p.Draw(dc)
}

// printable replaces control characters in key text.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '.'
		}
		return r
	}, s)
}
