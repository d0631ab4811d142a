// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/ferret-observability/ferret/internal/fields"
)

// logHist counts the events that reach the chisel into buckets of equal
// width on a log10 scale of a number field, kept in Go so that a chisel
// drawing a spectrogram needs no Lua call per event. Bucket i (1-based)
// holds the values v > 0 with floor(log10(v) * n / decades) = i-1; values
// at or above 10^decades go to the last bucket.
type logHist struct {
	value   int // field handle index
	decades float64
	counts  []float64
}

// luaLogHistogram implements chisel.log_histogram(value_handle, buckets,
// decades), a ferret extension: it returns a handle for
// chisel.take_histogram.
func (c *Chisel) luaLogHistogram(L *lua.LState) int {
	h := L.CheckInt(1)
	if h < 1 || h > len(c.handles) {
		L.ArgError(1, "field handle from chisel.request_field expected")
	}
	n := L.CheckInt(2)
	if n < 1 || n > 1<<16 {
		L.ArgError(2, "bucket count from 1 to 65536 expected")
	}
	d := float64(L.CheckNumber(3))
	if !(d > 0) || d > 30 {
		L.ArgError(3, "decades from 0 to 30 expected")
	}
	c.hists = append(c.hists, &logHist{value: h - 1, decades: d, counts: make([]float64, n)})
	L.Push(lua.LNumber(len(c.hists)))
	return 1
}

// luaTakeHistogram implements chisel.take_histogram(handle): the counts so
// far as a Lua array of the bucket count's length, and a fresh start.
func (c *Chisel) luaTakeHistogram(L *lua.LState) int {
	h := L.CheckInt(1)
	if h < 1 || h > len(c.hists) {
		L.ArgError(1, "handle from chisel.log_histogram expected")
	}
	lh := c.hists[h-1]
	t := L.CreateTable(len(lh.counts), 0)
	for i, n := range lh.counts {
		t.RawSetInt(i+1, lua.LNumber(n))
	}
	clear(lh.counts)
	L.Push(t)
	return 1
}

// addHists counts the event in every log histogram.
func (c *Chisel) addHists(fc *fields.Ctx) {
	c.ctx = fc
	for _, lh := range c.hists {
		n, ok := c.fieldValue(&c.handles[lh.value]).(lua.LNumber)
		if !ok || n <= 0 {
			continue
		}
		l := min(math.Log10(float64(n)), lh.decades)
		i := int(math.Floor(l * float64(len(lh.counts)) / lh.decades))
		lh.counts[max(0, min(i, len(lh.counts)-1))]++
	}
}
