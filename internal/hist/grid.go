// SPDX-License-Identifier: Apache-2.0

package hist

// Grid counts events in cells of time rows × columns. Row r covers the
// times [Start+r·Interval, Start+(r+1)·Interval); Start is a multiple of
// Interval (so rows fall on round times and a cell can be selected again by
// a time range).
type Grid struct {
	Interval uint64
	Cols     int
	Start    uint64
	rows     int
	cells    []uint64 // rows × Cols, row-major
	started  bool
}

// NewGrid returns an empty grid with rows of interval nanoseconds and cols
// columns.
func NewGrid(interval uint64, cols int) *Grid {
	if interval == 0 {
		interval = 1
	}
	return &Grid{Interval: interval, Cols: cols}
}

// Add counts one event at time ts in column col (0 <= col < Cols; other
// columns are ignored).
func (g *Grid) Add(ts uint64, col int) {
	g.AddN(ts, col, 1)
}

// AddN adds n to the cell of time ts and column col.
func (g *Grid) AddN(ts uint64, col int, n uint64) {
	if col < 0 || col >= g.Cols {
		return
	}
	r := g.row(ts)
	g.cells[r*g.Cols+col] += n
}

// Extend makes the grid cover time ts (with empty rows) without counting
// anything, so that quiet intervals at the ends still show.
func (g *Grid) Extend(ts uint64) { g.row(ts) }

func (g *Grid) row(ts uint64) int {
	if !g.started {
		g.Start = ts - ts%g.Interval
		g.started = true
	}
	if ts < g.Start {
		// An event earlier than the first one: add rows in front.
		start := ts - ts%g.Interval
		n := int((g.Start - start) / g.Interval)
		cells := make([]uint64, (g.rows+n)*g.Cols)
		copy(cells[n*g.Cols:], g.cells)
		g.cells, g.rows, g.Start = cells, g.rows+n, start
	}
	r := int((ts - g.Start) / g.Interval)
	if r >= g.rows {
		need := (r + 1) * g.Cols
		if need > cap(g.cells) {
			cells := make([]uint64, need, max(need, 2*cap(g.cells)))
			copy(cells, g.cells)
			g.cells = cells
		}
		g.cells = g.cells[:need]
		g.rows = r + 1
	}
	return r
}

// Rows returns the number of time rows (0 for an empty grid).
func (g *Grid) Rows() int { return g.rows }

// Cell returns the count of row r, column c.
func (g *Grid) Cell(r, c int) uint64 {
	if r < 0 || r >= g.rows || c < 0 || c >= g.Cols {
		return 0
	}
	return g.cells[r*g.Cols+c]
}

// Row returns row r's counts (shared with the grid: do not modify).
func (g *Grid) Row(r int) []uint64 { return g.cells[r*g.Cols : (r+1)*g.Cols] }

// RowStart returns the first nanosecond of row r.
func (g *Grid) RowStart(r int) uint64 { return g.Start + uint64(r)*g.Interval }

// RowOf returns the row holding time ts, or -1 when ts is outside the grid.
func (g *Grid) RowOf(ts uint64) int {
	if g.rows == 0 || ts < g.Start {
		return -1
	}
	r := int((ts - g.Start) / g.Interval)
	if r >= g.rows {
		return -1
	}
	return r
}

// ColTotals returns the sum of each column over all rows.
func (g *Grid) ColTotals() []uint64 {
	out := make([]uint64, g.Cols)
	for r := 0; r < g.rows; r++ {
		for c, n := range g.Row(r) {
			out[c] += n
		}
	}
	return out
}

// Total returns the sum of all cells.
func (g *Grid) Total() uint64 {
	var t uint64
	for _, n := range g.cells {
		t += n
	}
	return t
}

// Max returns the largest cell count.
func (g *Grid) Max() uint64 {
	var m uint64
	for _, n := range g.cells {
		m = max(m, n)
	}
	return m
}

// ColRange returns the first and last columns with a count; ok is false for
// an empty grid.
func (g *Grid) ColRange() (lo, hi int, ok bool) { return countsRange(g.ColTotals()) }
