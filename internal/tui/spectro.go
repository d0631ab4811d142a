// SPDX-License-Identifier: Apache-2.0

package tui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ferret-observability/ferret/internal/view"
)

// newSpectro returns the widget of spectrogram views: as csysdig draws
// them, one line per refresh with the newest at the bottom, the latency
// axis (log scale, 1 ns to 100 s) across the screen and the calls per
// second of each cell as a colour of sysdig's palette, with a shade
// character for the fraction between two colours; the axis labels on the
// last line.
func (u *ui) newSpectro() *tview.Box {
	b := tview.NewBox()
	var cols []uint64
	b.SetDrawFunc(func(s tcell.Screen, x, y, w, h int) (int, int, int, int) {
		if w <= 0 || h < 2 {
			return x, y, w, h
		}
		rows := u.snap.Spectro
		legend := view.SpectroLegend(w)
		tview.Print(s, legend, x, y+h-1, w, tview.AlignLeft, tcell.ColorWhite)
		plain := tcell.StyleDefault.Background(tcell.ColorBlack)
		for line := h - 2; line >= 0; line-- {
			i := len(rows) - (h - 1 - line)
			if i < 0 {
				for c := 0; c < w; c++ {
					s.SetContent(x+c, y+line, ' ', nil, plain)
				}
				continue
			}
			r := &rows[i]
			cols = view.SpectroColumns(&r.Hist, w, cols)
			for c, n := range cols {
				fg, bg, ch, ok := view.SpectroCell(n, r.Delta)
				st := plain
				if ok {
					st = tcell.StyleDefault.Foreground(tcell.PaletteColor(fg)).Background(tcell.PaletteColor(bg))
				}
				s.SetContent(x+c, y+line, ch, nil, st)
			}
		}
		return x, y, w, h
	})
	return b
}
