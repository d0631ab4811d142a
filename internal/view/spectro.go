// SPDX-License-Identifier: Apache-2.0

package view

import (
	"math"
	"strings"

	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/hist"
)

// SpectroRow is one refresh of a spectrogram view: the histogram (the
// internal/hist layout, as `ferret plot spectrogram` counts) of the values
// behind the view's quantized key, for the events of one sample.
type SpectroRow struct {
	Start uint64 // first nanosecond of the sample
	Delta uint64 // its length (ns)
	Hist  hist.Hist
}

// maxSpectroRows bounds the rows a live spectrogram keeps.
const maxSpectroRows = 400

// spectro is the histogram side of a spectrogram table: csysdig's
// spectro_* views key their rows by a quantized field (evt.latency.quantized);
// the screen shows the unquantized field (evt.latency) in log-linear
// buckets instead, so that every ferret picture of a latency uses the same
// buckets.
type spectro struct {
	val fields.Extractor
	v   fields.Value
	cur hist.Hist
}

// newSpectro prepares the histogram of a spectrogram view whose key field
// is key ("evt.latency.quantized" histograms "evt.latency"); nil when the
// key is not a quantized field the registry knows unquantized.
func newSpectro(reg *fields.Registry, key string) *spectro {
	base, ok := strings.CutSuffix(key, ".quantized")
	if !ok {
		return nil
	}
	name, arg, n, ok := reg.Lookup(base)
	if !ok || n != len(base) {
		return nil
	}
	ext, err := reg.Compile(name, arg)
	if err != nil {
		return nil
	}
	return &spectro{val: ext}
}

// add counts the current event: only events the quantized key has a value
// for (csysdig's spectrogram skips the others, zero latencies included).
func (s *spectro) add(c *fields.Ctx, key fields.Extractor, kv *fields.Value) {
	if !key.Extract(c, kv) || !s.val.Extract(c, &s.v) {
		return
	}
	var v uint64
	switch s.v.Kind {
	case fields.KindInt64:
		if s.v.Int < 0 {
			return
		}
		v = uint64(s.v.Int)
	case fields.KindUint64, fields.KindRelTime:
		v = s.v.Uint
	default:
		return
	}
	if v == 0 {
		return
	}
	s.cur.Add(v)
}

// IsSpectro reports whether the table is a spectrogram with a histogram.
func (t *Table) IsSpectro() bool { return t.spec != nil }

// TakeSpectro returns the histogram of the sample that ends and starts a
// new one (Sample ends the rows; a session calls both at each refresh).
func (t *Table) TakeSpectro() hist.Hist {
	if t.spec == nil {
		return hist.Hist{}
	}
	h := t.spec.cur
	t.spec.cur.Reset()
	return h
}

// SpectroDecades is the range of a spectrogram's columns: csysdig's
// 10^0 .. 10^11 ns (1 ns to 100 s); larger values land in the last column.
const SpectroDecades = 11

// SpectroColumns spreads a histogram over width screen columns on
// csysdig's log scale (column x covers log10(value) in
// [x·11/width, (x+1)·11/width)): each bucket fills the columns its range
// covers (at least one), and a column shows the sum of the buckets in it.
// out is reused when large enough.
func SpectroColumns(h *hist.Hist, width int, out []uint64) []uint64 {
	if cap(out) < width {
		out = make([]uint64, width)
	}
	out = out[:width]
	clear(out)
	if width <= 0 {
		return out
	}
	scale := float64(width) / SpectroDecades
	for b := 1; b < hist.NumBuckets; b++ {
		n := h.Counts[b]
		if n == 0 {
			continue
		}
		x0 := int(math.Log10(float64(hist.Lower(b))) * scale)
		x1 := int(math.Log10(hist.Upper(b)) * scale)
		x0 = min(x0, width-1)
		x1 = min(max(x1, x0+1), width)
		for x := x0; x < x1; x++ {
			out[x] += n
		}
	}
	return out
}

// SpectroPalette holds the 256-colour terminal colours of sysdig's
// spectrogram, from few calls (dark green) to many (red).
var SpectroPalette = [...]int{22, 28, 64, 34, 2, 76, 46, 118, 154, 191, 227, 226, 11, 220, 209, 208, 202, 197, 9, 1}

// SpectroShades are the fill characters of a cell, by the fraction between
// two palette colours (sysdig's spectrogram chisel: blank, light, medium,
// light with the colours swapped).
var SpectroShades = [...]rune{' ', '░', '▒', '░'}

// SpectroCell returns how a cell with n events in a sample of deltaNS
// nanoseconds is drawn, as sysdig's spectrogram does: the colour index is
// log_1.6(calls per second + 1) clamped to the palette; its fraction picks
// a shade character drawn in fg over bg. Empty cells have ok false.
func SpectroCell(n, deltaNS uint64) (fg, bg int, ch rune, ok bool) {
	if n == 0 {
		return 0, 0, ' ', false
	}
	perSec := 1.0
	if deltaNS > 0 {
		perSec = 1e9 / float64(deltaNS)
	}
	col := math.Log10(float64(n)*perSec+1) / math.Log10(1.6)
	col = math.Min(math.Max(col, 1), float64(len(SpectroPalette)))
	lo, hi := int(math.Floor(col)), int(math.Ceil(col))
	frac := col - float64(lo)
	ch = SpectroShades[min(int(frac*float64(len(SpectroShades))), len(SpectroShades)-1)]
	fg, bg = SpectroPalette[lo-1], SpectroPalette[hi-1]
	if frac > .75 {
		fg, bg = bg, fg
	}
	return fg, bg, ch, true
}

// spectroLabels name the decades of a spectrogram's axis as csysdig does.
var spectroLabels = [SpectroDecades]string{"1ns", "10ns", "100ns", "1.00us", "10us", "100us", "1.00ms", "10ms", "100ms", "1.00s", "10.00s"}

// SpectroLegend returns the axis line under a spectrogram of width
// columns: "|1ns       |10ns ..." at the first column of each decade.
func SpectroLegend(width int) string {
	var b strings.Builder
	for x := 0; x < width; {
		cur := x * SpectroDecades / width
		prev := (x - 1) * SpectroDecades / width
		if x == 0 || cur != prev {
			l := "|" + spectroLabels[cur]
			if x+len(l) > width {
				l = l[:width-x]
			}
			b.WriteString(l)
			x += len(l)
			continue
		}
		b.WriteByte(' ')
		x++
	}
	return b.String()
}
