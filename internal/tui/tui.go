// SPDX-License-Identifier: Apache-2.0

package tui

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/view"
)

// ui is one interactive screen over a view session.
type ui struct {
	app    *tview.Application
	sess   *view.Session
	pages  *tview.Pages
	header *tview.TextView
	table  *tview.Table
	text   *tview.TextView // dig / echo output
	body   *tview.Pages
	status *tview.TextView
	keys   *tview.TextView
	input  *tview.InputField
	inErr  *tview.TextView
	bottom *tview.Flex
	main   *tview.Flex

	snap     view.Snapshot
	rows     []*view.Row
	depth    []int
	tree     bool
	spark    bool
	search   string
	selKey   string
	modal    bool
	inputFor string // "filter" or "search" while the input line is open
	actions  []view.Action
}

// Run shows the interactive screen until the user quits (q, Ctrl-C,
// SIGTERM). The terminal is restored on every exit, a crash included.
func Run(cfg view.Config) (err error) {
	sess, err := view.NewSession(cfg)
	if err != nil {
		return err
	}
	screen, err := tcell.NewScreen()
	if err != nil {
		return fmt.Errorf("cannot use the terminal: %w (use --raw or -j for text output)", err)
	}
	u := newUI(sess)
	u.app.SetScreen(screen)
	if err := sess.Start(); err != nil {
		return err
	}
	stop, release := view.Interrupt()
	defer release()
	quit := make(chan struct{})
	go func() {
		select {
		case <-stop:
			u.app.Stop()
		case <-quit:
		}
	}()
	go u.follow(quit)
	defer func() {
		if p := recover(); p != nil {
			screen.Fini()
			sess.Close()
			panic(p)
		}
	}()
	err = u.app.Run()
	close(quit)
	if cerr := sess.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

func newUI(sess *view.Session) *ui {
	u := &ui{app: tview.NewApplication(), sess: sess, spark: true}
	u.header = tview.NewTextView().SetDynamicColors(true)
	u.table = tview.NewTable().SetFixed(1, 0).SetSelectable(true, false).SetSeparator(' ')
	u.table.SetSelectedStyle(tcell.StyleDefault.Background(tcell.ColorTeal).Foreground(tcell.ColorBlack))
	u.table.SetSelectionChangedFunc(func(row, col int) {
		if r := u.rowAt(row); r != nil {
			u.selKey = r.KeyText
		}
	})
	u.table.SetSelectedFunc(func(row, col int) { u.drill() })
	u.table.SetMouseCapture(func(action tview.MouseAction, ev *tcell.EventMouse) (tview.MouseAction, *tcell.EventMouse) {
		if action == tview.MouseLeftDoubleClick {
			u.app.QueueUpdateDraw(u.drill)
		}
		if action == tview.MouseLeftClick {
			x, y := ev.Position()
			if row, col := u.table.CellAt(x, y); row == 0 && col >= 0 {
				// A click on a column title sorts by that column.
				u.sortBy(u.dataColumn(col))
				return tview.MouseConsumed, nil
			}
		}
		return action, ev
	})
	u.text = tview.NewTextView().SetDynamicColors(false).SetScrollable(true)
	u.body = tview.NewPages().AddPage("table", u.table, true, true).AddPage("text", u.text, true, false).
		AddPage("spectro", u.newSpectro(), true, false)
	u.status = tview.NewTextView().SetDynamicColors(true)
	u.keys = tview.NewTextView().SetDynamicColors(true)
	u.keys.SetText("[black:teal]F1[-:-]Help [black:teal]F2[-:-]Views [black:teal]F4[-:-]Filter [black:teal]F5[-:-]Echo " +
		"[black:teal]F6[-:-]Dig [black:teal]F7[-:-]Help [black:teal]F8[-:-]Actions [black:teal]F9[-:-]Sort " +
		"[black:teal]/[-:-]Search [black:teal]p[-:-]Pause [black:teal]t[-:-]Tree [black:teal][ ][-:-]Step [black:teal]q[-:-]Quit")
	u.input = tview.NewInputField()
	u.inErr = tview.NewTextView().SetDynamicColors(true)
	u.bottom = tview.NewFlex().SetDirection(tview.FlexRow).AddItem(u.keys, 1, 0, false)
	u.main = tview.NewFlex().SetDirection(tview.FlexRow)
	u.main.
		AddItem(u.header, 3, 0, false).
		AddItem(u.body, 0, 1, true).
		AddItem(u.status, 1, 0, false).
		AddItem(u.bottom, 1, 0, false)
	u.pages = tview.NewPages().AddPage("main", u.main, true, true)
	u.app.SetRoot(u.pages, true).EnableMouse(true)
	u.app.SetInputCapture(u.key)
	u.app.SetBeforeDrawFunc(func(s tcell.Screen) bool {
		w, _ := s.Size()
		u.sess.ScreenWidth = w
		return false
	})
	return u
}

// follow redraws whenever the session has a new sample.
func (u *ui) follow(quit <-chan struct{}) {
	for {
		select {
		case <-quit:
			return
		case <-u.sess.Updated:
			u.app.QueueUpdateDraw(u.refresh)
		}
	}
}

func (u *ui) rowAt(row int) *view.Row {
	i := row - 1
	if i < 0 || i >= len(u.rows) {
		return nil
	}
	return u.rows[i]
}

func (u *ui) selected() *view.Row {
	row, _ := u.table.GetSelection()
	return u.rowAt(row)
}

// key handles the keys that work everywhere on the main screen; others go
// to the focused widget.
func (u *ui) key(ev *tcell.EventKey) *tcell.EventKey {
	if u.inputFor != "" || u.modal {
		if ev.Key() == tcell.KeyCtrlC {
			u.app.Stop()
			return nil
		}
		return ev
	}
	switch ev.Key() {
	case tcell.KeyF1, tcell.KeyF7:
		u.help()
		return nil
	case tcell.KeyF2:
		u.viewPicker()
		return nil
	case tcell.KeyF4:
		u.openInput("filter")
		return nil
	case tcell.KeyF5:
		u.spy(view.ModeEcho)
		return nil
	case tcell.KeyF6:
		u.spy(view.ModeDig)
		return nil
	case tcell.KeyF8:
		u.actionPicker()
		return nil
	case tcell.KeyF9:
		u.sortPicker()
		return nil
	case tcell.KeyBackspace, tcell.KeyBackspace2:
		u.selKey = ""
		if !u.sess.Back() {
			u.flash("already at the top of the drill-down trail")
		}
		return nil
	case tcell.KeyCtrlF:
		u.openInput("search")
		return nil
	case tcell.KeyEscape:
		if u.snap.Mode != view.ModeTable {
			u.sess.Back()
		}
		return nil
	case tcell.KeyRune:
		switch ev.Rune() {
		case 'q':
			u.app.Stop()
		case '\\':
			u.openInput("filter")
		case '/':
			u.openInput("search")
		case 'n':
			u.findNext(1)
		case 'e':
			u.spy(view.ModeEcho)
		case 'd':
			u.spy(view.ModeDig)
		case '>':
			u.sortPicker()
		case 'p':
			u.sess.TogglePause()
		case 't':
			u.tree = !u.tree
			u.refresh()
		case 's':
			u.spark = !u.spark
			u.refresh()
		case '[':
			u.sess.Step(-1)
		case ']':
			u.sess.Step(1)
		case 'h', '?':
			u.help()
		default:
			if u.runHotkey(string(ev.Rune())) {
				return nil
			}
			return ev
		}
		return nil
	}
	return ev
}

func (u *ui) flash(msg string) {
	u.status.SetText("[red]" + tview.Escape(msg))
}

// refresh redraws from the session's latest snapshot.
func (u *ui) refresh() {
	u.snap = u.sess.Snapshot()
	sn := &u.snap
	t := sn.Table
	var trail []string
	for _, l := range sn.Trail[1:] {
		trail = append(trail, l.Key+"="+l.Value)
	}
	where := "whole machine"
	if len(trail) > 0 {
		where = strings.Join(trail, " -> ")
	}
	src := "Live System"
	if !sn.Live {
		src = "capture file " + u.sess.Source()
		if sn.Step >= 0 {
			src += fmt.Sprintf(", interval %d/%d", sn.Step+1, sn.Steps)
		} else if sn.Steps > 0 {
			src += fmt.Sprintf(" (whole capture; [ ] step through %d intervals)", sn.Steps)
		}
	}
	name := sn.Trail[len(sn.Trail)-1].View.Name
	switch sn.Mode {
	case view.ModeDig:
		name = "sysdig output"
	case view.ModeEcho:
		name = "echo"
	}
	head := fmt.Sprintf("[yellow]Viewing:[-] %s [yellow]For:[-] %s\n[yellow]Source:[-] %s", tview.Escape(name), tview.Escape(where), tview.Escape(src))
	if sn.Filter != "" {
		head += "\n[yellow]Filter:[-] " + tview.Escape(sn.Filter)
	}
	u.header.SetText(head)
	st := fmt.Sprintf("%d events", sn.Events)
	if sn.Paused {
		st = "[red]PAUSED[-] " + st
	}
	if sn.Progress != "" {
		st += " " + sn.Progress + "..."
	}
	if sn.Err != "" {
		st += " [red]" + tview.Escape(sn.Err)
	}
	u.status.SetText(st)
	if sn.Mode != view.ModeTable {
		u.body.SwitchToPage("text")
		u.text.SetText(tview.Escape(strings.Join(sn.Lines, "\n")))
		if sn.Live && !sn.Paused {
			u.text.ScrollToEnd()
		}
		return
	}
	if t != nil && t.IsSpectro() {
		u.body.SwitchToPage("spectro")
		u.rows = nil
		return
	}
	u.body.SwitchToPage("table")
	if t == nil {
		return
	}
	rows := sn.Rows
	u.depth = nil
	if u.tree {
		rows, u.depth, _ = t.TreeOrder(rows)
	}
	u.rows = rows
	u.fillTable(t, sn)
}

// dataColumn maps a screen column to a visible view column (-1 for the
// sparkline).
func (u *ui) dataColumn(col int) int {
	t := u.snap.Table
	if t == nil {
		return -1
	}
	n := t.Visible()
	if u.spark && col == n-1 {
		return -1
	}
	if u.spark && col >= n {
		return col - 1
	}
	return col
}

const sparkWidth = 10

func (u *ui) fillTable(t *view.Table, sn *view.Snapshot) {
	names, sizes := t.Headers()
	n := len(names)
	cols := make([]int, 0, n+1) // view column per screen column, -1 sparkline
	for i := 0; i < n; i++ {
		if u.spark && i == n-1 {
			cols = append(cols, -1)
		}
		cols = append(cols, i)
	}
	u.table.SetContent(&rowCells{u: u, t: t, sn: sn, names: names, sizes: sizes, cols: cols})
	sel := 1
	want := u.selKey
	if want == "" {
		want = u.sess.Selected()
	}
	for i, r := range u.rows {
		if r.KeyText == want {
			sel = i + 1
			break
		}
	}
	if len(u.rows) > 0 {
		// Start from the top; drawing scrolls to the selection if needed.
		u.table.SetOffset(0, 0)
		u.table.Select(sel, 0)
	}
}

// rowCells gives the table its cells as they are drawn: only the rows on
// the screen are formatted, however many the view has.
type rowCells struct {
	tview.TableContentReadOnly
	u     *ui
	t     *view.Table
	sn    *view.Snapshot
	names []string
	sizes []int
	cols  []int
}

func (rc *rowCells) GetRowCount() int    { return len(rc.u.rows) + 1 }
func (rc *rowCells) GetColumnCount() int { return len(rc.cols) }

func (rc *rowCells) GetCell(row, col int) *tview.TableCell {
	if col < 0 || col >= len(rc.cols) || row < 0 || row > len(rc.u.rows) {
		return nil
	}
	vc, n := rc.cols[col], len(rc.names)
	if row == 0 {
		title := "TREND"
		if vc >= 0 {
			title = rc.names[vc]
			if sortCol, asc := rc.t.SortColumn(); vc == sortCol {
				if asc {
					title += "^"
				} else {
					title += "v"
				}
			}
		}
		cell := tview.NewTableCell(tview.Escape(title)).SetSelectable(false).
			SetStyle(tcell.StyleDefault.Background(tcell.ColorGreen).Foreground(tcell.ColorBlack))
		if vc >= 0 && vc < n-1 && rc.sizes[vc] > 0 {
			cell.SetMaxWidth(rc.sizes[vc])
		}
		if vc == n-1 {
			cell.SetExpansion(1)
		}
		return cell
	}
	i := row - 1
	r := rc.u.rows[i]
	var text string
	if vc < 0 {
		text = sparkline(rc.sn.History[r.KeyText], sparkWidth)
	} else {
		text = strings.TrimSpace(rc.t.Text(r, vc, 0, rc.sn.Delta))
		if vc == n-1 && rc.u.depth != nil {
			text = strings.Repeat("  ", rc.u.depth[i]) + text
		}
	}
	cell := tview.NewTableCell(tview.Escape(fields.SafeString(text, false))).SetReference(r)
	if vc >= 0 && vc < n-1 {
		if rc.sizes[vc] > 0 {
			cell.SetMaxWidth(rc.sizes[vc])
		}
		if rc.t.Numeric(vc) {
			cell.SetAlign(tview.AlignRight)
		}
	}
	if vc == n-1 {
		cell.SetExpansion(1)
	}
	return cell
}

// sparkline draws the last width values scaled to their maximum.
func sparkline(h []float64, width int) string {
	const bars = "▁▂▃▄▅▆▇█"
	if len(h) > width {
		h = h[len(h)-width:]
	}
	max := 0.0
	for _, v := range h {
		if v > max {
			max = v
		}
	}
	var b strings.Builder
	runes := []rune(bars)
	for _, v := range h {
		i := 0
		if max > 0 {
			i = int(v / max * float64(len(runes)-1))
		}
		b.WriteRune(runes[i])
	}
	for utf8.RuneCountInString(b.String()) < width {
		b.WriteByte(' ')
	}
	return b.String()
}

func (u *ui) drill() {
	r := u.selected()
	if r == nil {
		return
	}
	u.sess.SetSelected(r.KeyText)
	u.selKey = ""
	if err := u.sess.DrillDown(r); err != nil {
		u.flash(err.Error())
	}
}

func (u *ui) spy(m view.Mode) {
	if err := u.sess.SetMode(m, u.selected()); err != nil {
		u.flash(err.Error())
	}
}

// openInput shows the filter or search line. The filter is checked as the
// user types; errors show next to it and Enter refuses a bad filter.
func (u *ui) openInput(what string) {
	u.inputFor = what
	label := "Filter: "
	text := u.snap.Filter
	if what == "search" {
		label, text = "Search: ", u.search
	}
	u.input.SetLabel(label).SetText(text)
	u.inErr.SetText("")
	u.input.SetChangedFunc(func(s string) {
		if what != "filter" {
			if i := u.snap.Table.Search(u.rows, s, 0); i >= 0 {
				u.table.Select(i+1, 0)
			}
			return
		}
		if err := view.CheckFilter(s); err != nil {
			u.inErr.SetText("[red]" + tview.Escape(err.Error()))
		} else {
			u.inErr.SetText("[green]ok")
		}
	})
	u.input.SetDoneFunc(func(k tcell.Key) {
		switch k {
		case tcell.KeyEnter:
			s := u.input.GetText()
			if what == "filter" {
				if err := u.sess.SetFilter(s); err != nil {
					u.inErr.SetText("[red]" + tview.Escape(err.Error()))
					return
				}
			} else {
				u.search = s
			}
		case tcell.KeyEscape:
		default:
			return
		}
		u.closeInput()
	})
	u.bottom.Clear().AddItem(u.input, 1, 0, true).AddItem(u.inErr, 1, 0, false)
	u.resizeBottom(2)
	u.app.SetFocus(u.input)
}

func (u *ui) resizeBottom(n int) { u.main.ResizeItem(u.bottom, n, 0) }

func (u *ui) closeInput() {
	u.inputFor = ""
	u.bottom.Clear().AddItem(u.keys, 1, 0, false)
	u.resizeBottom(1)
	u.app.SetFocus(u.table)
}

func (u *ui) findNext(d int) {
	if u.search == "" || u.snap.Table == nil {
		return
	}
	row, _ := u.table.GetSelection()
	if i := u.snap.Table.Search(u.rows, u.search, row); i >= 0 {
		u.table.Select(i+1, 0)
	} else {
		u.flash("not found: " + u.search)
	}
}

// picker shows a list in a centred box; choose gets the index. Items
// may have a shortcut key (0 for none).
func (u *ui) picker(title string, items []string, current int, choose func(i int), shortcuts ...rune) {
	l := tview.NewList().ShowSecondaryText(false)
	for i, it := range items {
		var sc rune
		if i < len(shortcuts) {
			sc = shortcuts[i]
		}
		l.AddItem(tview.Escape(it), "", sc, nil)
	}
	if current >= 0 && current < len(items) {
		l.SetCurrentItem(current)
	}
	l.SetBorder(true).SetTitle(" " + title + " ")
	closeIt := func() {
		u.modal = false
		u.pages.RemovePage("picker")
		u.app.SetFocus(u.table)
	}
	l.SetSelectedFunc(func(i int, _, _ string, _ rune) {
		closeIt()
		choose(i)
	})
	l.SetDoneFunc(closeIt)
	l.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyRune && ev.Rune() == 'q' || ev.Key() == tcell.KeyBackspace2 || ev.Key() == tcell.KeyBackspace {
			closeIt()
			return nil
		}
		return ev
	})
	w := 20
	for _, it := range items {
		w = max(w, len(it)+4)
	}
	u.modal = true
	u.pages.AddPage("picker", center(l, min(w, 80), min(len(items)+2, 30)), true, true)
	u.app.SetFocus(l)
}

func center(p tview.Primitive, w, h int) tview.Primitive {
	return tview.NewFlex().AddItem(nil, 0, 1, false).
		AddItem(tview.NewFlex().SetDirection(tview.FlexRow).AddItem(nil, 0, 1, false).AddItem(p, h, 0, true).AddItem(nil, 0, 1, false), w, 0, true).
		AddItem(nil, 0, 1, false)
}

func (u *ui) viewPicker() {
	var items []string
	cur := 0
	id := u.snap.Trail[len(u.snap.Trail)-1].View.ID
	for i, d := range u.sess.Cat.Views {
		items = append(items, d.Name)
		if d.ID == id {
			cur = i
		}
	}
	u.picker("Views", items, cur, func(i int) {
		if err := u.sess.SetView(u.sess.Cat.Views[i].ID); err != nil {
			u.flash(err.Error())
		}
	})
}

func (u *ui) sortBy(col int) {
	if col < 0 {
		return
	}
	u.sess.SetSort(col)
}

func (u *ui) sortPicker() {
	t := u.snap.Table
	if t == nil {
		return
	}
	names, _ := t.Headers()
	cur, _ := t.SortColumn()
	u.picker("Sort by", names, cur, func(i int) { u.sortBy(i) })
}

func (u *ui) actionPicker() {
	r := u.selected()
	lv := u.snap.Trail[len(u.snap.Trail)-1].View
	if r == nil || len(lv.Actions) == 0 {
		u.flash("no actions for this view")
		return
	}
	var items []string
	var keys []rune
	for _, a := range lv.Actions {
		items = append(items, a.Description+" ("+a.Command+")")
		k, _ := utf8.DecodeRuneInString(a.Hotkey)
		keys = append(keys, k)
	}
	u.picker("Actions", items, 0, func(i int) { u.runAction(lv.Actions[i], r) }, keys...)
}

// runHotkey runs the current view's action bound to key, if any.
func (u *ui) runHotkey(key string) bool {
	lv := u.snap.Trail[len(u.snap.Trail)-1].View
	for _, a := range lv.Actions {
		if a.Hotkey == key {
			if r := u.selected(); r != nil {
				u.runAction(a, r)
			}
			return true
		}
	}
	return false
}

// runAction runs an action's command for row r, after a confirmation when
// the action asks for one.
func (u *ui) runAction(a view.Action, r *view.Row) {
	cmd, err := u.snap.Table.ActionCommand(a, r)
	if err != nil {
		u.flash(err.Error())
		return
	}
	run := func() {
		wait := a.WaitFinish == nil || *a.WaitFinish
		u.app.Suspend(func() {
			c := exec.Command("/bin/sh", "-c", cmd)
			c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
			err := c.Run()
			if wait {
				if err != nil {
					fmt.Printf("\n%s: %v\n", cmd, err)
				}
				fmt.Print("\nPress Enter to go back to ferret top.")
				var b [1]byte
				os.Stdin.Read(b[:])
			}
		})
		u.status.SetText("ran: " + tview.Escape(cmd))
	}
	if !a.Confirm {
		run()
		return
	}
	m := tview.NewModal().SetText("Run " + cmd + " ?").AddButtons([]string{"Yes", "No"})
	m.SetDoneFunc(func(i int, label string) {
		u.modal = false
		u.pages.RemovePage("confirm")
		u.app.SetFocus(u.table)
		if label == "Yes" {
			run()
		}
	})
	m.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyRune {
			switch ev.Rune() {
			case 'y', 'Y':
				return tcell.NewEventKey(tcell.KeyEnter, 0, 0)
			case 'n', 'N':
				u.modal = false
				u.pages.RemovePage("confirm")
				u.app.SetFocus(u.table)
				return nil
			}
		}
		return ev
	})
	u.modal = true
	u.pages.AddPage("confirm", m, true, true)
	u.app.SetFocus(m)
}

const helpText = `ferret top: csysdig's views

Arrows, PgUp/PgDn, Home/End   move the selection
Enter (or double click)       drill down into the selected row
Backspace                     go back up the drill-down trail
F2                            choose a view
F4 or \                       filter (sysdig filter language, checked as you type)
F5 or e                       echo: the I/O buffers of the selection
F6 or d                       dig: the events of the selection (sysdig output)
F1, F7, h or ?                this help
F8                            actions for the selected row (kill, ...)
F9 or >                       choose the sorting column (again: reverse);
                              a click on a column title sorts by it
/ or Ctrl+F, n                search the rows, next match
p                             pause / resume
t                             process tree (views with PID and PPID)
s                             sparkline of the sorting column on / off
[ and ]                       capture files: step through the intervals
q or Ctrl+C                   quit
`

func (u *ui) help() {
	lv := u.snap.Trail[len(u.snap.Trail)-1].View
	text := helpText + "\nView: " + lv.Name + " (" + lv.ID + ")\n" + lv.Description + "\n"
	for _, tip := range lv.Tips {
		text += "\nTip: " + tip + "\n"
	}
	if len(lv.Actions) > 0 {
		text += "\nActions (F8 or the hotkey):\n"
		for _, a := range lv.Actions {
			text += "  " + a.Hotkey + "  " + a.Description + ": " + a.Command + "\n"
		}
	}
	tv := tview.NewTextView().SetText(text).SetScrollable(true).SetWordWrap(true)
	tv.SetBorder(true).SetTitle(" Help (Esc or q closes) ")
	tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyEscape || ev.Key() == tcell.KeyF1 || ev.Key() == tcell.KeyF7 || ev.Key() == tcell.KeyRune && ev.Rune() == 'q' {
			u.modal = false
			u.pages.RemovePage("help")
			u.app.SetFocus(u.table)
			return nil
		}
		return ev
	})
	u.modal = true
	u.pages.AddPage("help", tv, true, true)
	u.app.SetFocus(tv)
}
