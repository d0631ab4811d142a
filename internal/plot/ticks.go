// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
)

// logTicks marks powers of ten (labelled) and their 2..9 multiples on an
// axis in decades (log10 of the value); durations are labelled in
// ns/µs/ms/s.
type logTicks struct{ time bool }

func (t logTicks) Ticks(lo, hi float64) []gplot.Tick {
	var out []gplot.Tick
	const eps = 1e-9
	for d := math.Floor(lo); d <= math.Ceil(hi); d++ {
		p := math.Pow(10, d)
		for m := 1.0; m <= 9; m++ {
			v := m * p
			lv := math.Log10(v)
			if lv < lo-eps || lv > hi+eps {
				continue
			}
			tk := gplot.Tick{Value: lv}
			if m == 1 {
				if t.time {
					tk.Label = durFormat(v)
				} else {
					tk.Label = siFormat(v)
				}
			}
			out = append(out, tk)
		}
	}
	return out
}

// durFormat writes a duration in nanoseconds with a unit.
func durFormat(ns float64) string {
	switch {
	case ns >= 1e9:
		return strconv.FormatFloat(ns/1e9, 'g', 4, 64) + "s"
	case ns >= 1e6:
		return strconv.FormatFloat(ns/1e6, 'g', 4, 64) + "ms"
	case ns >= 1e3:
		return strconv.FormatFloat(ns/1e3, 'g', 4, 64) + "µs"
	}
	return strconv.FormatFloat(ns, 'g', 4, 64) + "ns"
}

// siFormat writes a number with a k/M/G/T suffix.
func siFormat(v float64) string {
	for _, u := range []struct {
		f float64
		s string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= u.f {
			return strconv.FormatFloat(v/u.f, 'g', 4, 64) + u.s
		}
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// siTicks are gonum's default ticks with k/M/G labels.
type siTicks struct{}

func (siTicks) Ticks(lo, hi float64) []gplot.Tick {
	ts := gplot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = siFormat(ts[i].Value)
		}
	}
	return ts
}

// powTicks label a log10 colour scale with the counts 1, 10, 100, ...
type powTicks struct{}

func (powTicks) Ticks(lo, hi float64) []gplot.Tick {
	var out []gplot.Tick
	for d := math.Ceil(lo); d <= hi; d++ {
		out = append(out, gplot.Tick{Value: d, Label: siFormat(math.Pow(10, d))})
		for m := 2.0; m <= 9; m++ {
			if v := d + math.Log10(m); v <= hi {
				out = append(out, gplot.Tick{Value: v})
			}
		}
	}
	return out
}

// rateTicks label sysdig's log_1.6(rate+1) colour scale with rates.
type rateTicks struct{}

func (rateTicks) Ticks(lo, hi float64) []gplot.Tick {
	var out []gplot.Tick
	for _, r := range []float64{1, 10, 100, 1000, 1e4} {
		v := math.Log10(r+1) / math.Log10(1.6)
		if v >= lo && v <= hi {
			out = append(out, gplot.Tick{Value: v, Label: siFormat(r) + "/s"})
		}
	}
	return out
}

// Colour scales. heatColors runs from pale yellow to dark red (latency heat
// maps on white); sysdigColors are the 20 xterm colours of sysdig's
// spectrogram, from dark green to red.
var (
	heatColors = []color.Color{
		rgb(0xffffcc), rgb(0xffeda0), rgb(0xfed976), rgb(0xfeb24c), rgb(0xfd8d3c),
		rgb(0xfc4e2a), rgb(0xe31a1c), rgb(0xbd0026), rgb(0x800026),
	}
	sysdigColors = []color.Color{
		rgb(0x005f00), rgb(0x008700), rgb(0x5f8700), rgb(0x00af00), rgb(0x008000),
		rgb(0x5fd700), rgb(0x00ff00), rgb(0x87ff00), rgb(0xafff00), rgb(0xd7ff5f),
		rgb(0xffff5f), rgb(0xffff00), rgb(0xffff00), rgb(0xffd700), rgb(0xff875f),
		rgb(0xff8700), rgb(0xff5f00), rgb(0xff005f), rgb(0xff0000), rgb(0x800000),
	}
)

func rgb(v uint32) color.Color {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// colorMap is a palette.ColorMap interpolating linearly between evenly
// spaced colours.
type colorMap struct {
	colors   []color.Color
	min, max float64
	alpha    float64
}

var _ palette.ColorMap = (*colorMap)(nil)

func newColorMap(cs []color.Color) *colorMap { return &colorMap{colors: cs, max: 1, alpha: 1} }

func (m *colorMap) At(v float64) (color.Color, error) {
	if v < m.min || v > m.max || math.IsNaN(v) {
		if v < m.min {
			v = m.min
		} else {
			v = m.max
		}
	}
	f := 0.0
	if m.max > m.min {
		f = (v - m.min) / (m.max - m.min)
	}
	pos := f * float64(len(m.colors)-1)
	i := int(pos)
	if i >= len(m.colors)-1 {
		return m.withAlpha(m.colors[len(m.colors)-1]), nil
	}
	a, b := color.NRGBAModel.Convert(m.colors[i]).(color.NRGBA), color.NRGBAModel.Convert(m.colors[i+1]).(color.NRGBA)
	t := pos - float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return m.withAlpha(color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}), nil
}

func (m *colorMap) withAlpha(c color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(math.Round(255 * m.alpha))
	return n
}

func (m *colorMap) Max() float64       { return m.max }
func (m *colorMap) SetMax(v float64)   { m.max = v }
func (m *colorMap) Min() float64       { return m.min }
func (m *colorMap) SetMin(v float64)   { m.min = v }
func (m *colorMap) Alpha() float64     { return m.alpha }
func (m *colorMap) SetAlpha(a float64) { m.alpha = a }
func (m *colorMap) Palette(n int) palette.Palette {
	p := make(colorList, n)
	for i := range p {
		v := m.min
		if n > 1 {
			v += float64(i) * (m.max - m.min) / float64(n-1)
		}
		p[i], _ = m.At(v)
	}
	return p
}

type colorList []color.Color

func (l colorList) Colors() []color.Color { return l }
