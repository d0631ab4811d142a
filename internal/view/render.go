// SPDX-License-Identifier: Apache-2.0

package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/format"
)

const nsPerSec = 1_000_000_000

// cellCount is the divisor a value is shown with: the sample duration in
// seconds for TIME_AVG columns, else the number of merged values.
func (t *Table) cellCount(cs *colSpec, c *Cell, delta uint64) float64 {
	if delta != 0 && cs.timeAvg() {
		return float64(delta) / nsPerSec
	}
	return float64(c.Cnt)
}

// Text renders value i of a row as csysdig's tables show it (width is the
// minimum width of numbers; csysdig's batch output uses 10). delta is the
// sample duration in nanoseconds.
func (t *Table) Text(r *Row, i int, width int, delta uint64) string {
	cs := t.valueCol(i)
	c := &r.Values[i]
	cnt := t.cellCount(cs, c, delta)
	switch cs.vt {
	case vInt, vUint:
		if cs.pf == pfID || cnt == 1 || cnt == 0 {
			if cs.vt == vInt {
				v := c.I
				if cnt > 1 {
					v /= int64(cnt)
				}
				if cs.pf == pfID {
					return padInt(v, width)
				}
				return formatBytes(float64(v), width, true)
			}
			v := int64(c.U)
			if cnt > 1 {
				v /= int64(cnt)
			}
			if cs.pf == pfID {
				return padInt(v, width)
			}
			return formatBytes(float64(v), width, true)
		}
		var v float64
		if cs.vt == vInt {
			v = float64(c.I)
		} else {
			v = float64(c.U)
		}
		if cnt > 1 {
			v /= cnt
		}
		return formatBytes(v, width, false)
	case vRel:
		v := float64(c.U)
		if cnt > 1 {
			v /= cnt
		}
		return formatTime(uint64(int64(v)), width)
	case vDouble:
		v := c.F
		if cnt > 1 {
			v /= cnt
		}
		return padFloat(v, 2, width, 0)
	}
	return c.S
}

// appendPadded appends num padded with spaces to width w as fmt's %*
// does: on the left, on the right for a negative w.
func appendPadded(dst, num []byte, w int) []byte {
	n := len(num)
	for i := n; i < w; i++ {
		dst = append(dst, ' ')
	}
	dst = append(dst, num...)
	for i := n; i < -w; i++ {
		dst = append(dst, ' ')
	}
	return dst
}

// padInt is fmt.Sprintf("%*d", w, v) without fmt's cost (every cell of
// every refresh is formatted).
func padInt(v int64, w int) string {
	var nb, out [64]byte
	return string(appendPadded(out[:0], strconv.AppendInt(nb[:0], v, 10), w))
}

// padFloat is fmt.Sprintf("%*.*f", w, prec, v), followed by suffix when
// it is not 0.
func padFloat(v float64, prec, w int, suffix byte) string {
	var nb, out [64]byte
	b := appendPadded(out[:0], strconv.AppendFloat(nb[:0], v, 'f', prec, 64), w)
	if suffix != 0 {
		b = append(b, suffix)
	}
	return string(b)
}

// JSONValue is value i of a row as csysdig's JSON output gives it: raw
// integers, averaged doubles, durations and text as strings.
func (t *Table) JSONValue(r *Row, i int, delta uint64) any {
	cs := t.valueCol(i)
	c := &r.Values[i]
	cnt := t.cellCount(cs, c, delta)
	switch cs.vt {
	case vInt:
		return c.I
	case vUint:
		return c.U
	case vRel:
		v := float64(c.U)
		if cnt > 1 {
			v /= cnt
		}
		return formatTime(uint64(int64(v)), 10)
	case vDouble:
		v := c.F
		if cnt > 1 {
			v /= cnt
		}
		return jsonDouble(v)
	}
	if cs.typeName == "PORT" {
		if n, err := strconv.ParseUint(c.S, 10, 64); err == nil {
			return n
		}
	}
	return format.JSONText(c.S) // escaped as csysdig's jsoncpp does
}

// jsonDouble prints a double as jsoncpp does (%.17g, ".0" added to
// integral values).
type jsonDouble float64

func (d jsonDouble) MarshalJSON() ([]byte, error) {
	f := float64(d)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return []byte("null"), nil
	}
	s := strconv.FormatFloat(f, 'g', 17, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return []byte(s), nil
}

// formatBytes renders a number with K/M/G/T/P suffixes (powers of 1024) in
// width characters, keeping the last width characters if longer.
func formatBytes(v float64, width int, isInt bool) string {
	prec := 2
	if isInt {
		prec = 0
	}
	const k = 1024.0
	var s string
	switch {
	case v > k*k*k*k*k:
		s = padFloat(v/(k*k*k*k*k), prec, width-1, 'P')
	case v > k*k*k*k:
		s = padFloat(v/(k*k*k*k), prec, width-1, 'T')
	case v > k*k*k:
		s = padFloat(v/(k*k*k), prec, width-1, 'G')
	case v > k*k:
		s = padFloat(v/(k*k), prec, width-1, 'M')
	case v > k:
		s = padFloat(v/k, prec, width-1, 'K')
	default:
		s = padFloat(v, prec, width, 0)
	}
	if width > 0 && len(s) > width {
		s = s[len(s)-width:]
	}
	return s
}

// formatTime renders a duration in ns the way csysdig's tables do (81ms,
// 1.27us, 2.05s, 1:05, 01:02:03), right-aligned in width.
func formatTime(v uint64, width int) string {
	const (
		s  = nsPerSec
		ms = 1_000_000
		us = 1_000
	)
	var out string
	switch {
	case v >= 3600*s:
		out = fmt.Sprintf("%02d:%02d:%02d", uint32(v/(3600*s)), uint32((v/(60*s))%60), uint32((v/s)%60))
	case v >= 60*s:
		out = fmt.Sprintf("%d:%d", uint32(v/(60*s)), uint32((v/s)%60))
	case v >= s:
		out = fmt.Sprintf("%d.%02ds", uint32(v/s), uint32((v%s)/10_000_000))
	case v >= s/100:
		out = fmt.Sprintf("%dms", uint32(v/(s/1000)))
	case v >= s/1000:
		out = fmt.Sprintf("%d.%02dms", uint32(v/(s/1000)), uint32((v%ms)/10_000))
	case v >= s/100000:
		out = fmt.Sprintf("%dus", uint32(v/(s/1000000)))
	case v >= s/1000000:
		out = fmt.Sprintf("%d.%02dus", uint32(v/(s/1000000)), uint32((v%us)/10))
	default:
		out = fmt.Sprintf("%dns", uint32(v))
	}
	if len(out) < width {
		out = strings.Repeat(" ", width-len(out)) + out
	}
	return out
}

// WriteRaw writes a sample as csysdig --raw does: each value followed by a
// blank, one row per line, then a separator line. The line of a key whose
// values and sample duration are as at the previous sample is not
// formatted again.
func (t *Table) WriteRaw(w io.Writer, rows []*Row, delta uint64) error {
	rc := &t.raw
	if rc.lines == nil {
		rc.lines = map[string]*rawLine{}
	}
	rc.gen++
	b := rc.out[:0]
	rc.kept = 0
	for _, r := range rows {
		l := rc.lines[r.KeyText]
		if l == nil {
			l = &rawLine{}
			rc.lines[r.KeyText] = l
		} else if l.gen != rc.gen && l.delta == delta && slices.Equal(l.vals, r.Values) {
			rc.kept++
			l.gen = rc.gen
			b = append(b, l.text...)
			continue
		}
		// (A key twice in rows, as list views may have, keeps the last.)
		l.gen, l.delta = rc.gen, delta
		l.vals = append(l.vals[:0], r.Values...)
		l.text = t.appendRaw(l.text[:0], r, delta)
		b = append(b, l.text...)
	}
	b = append(b, "----------------------\n"...)
	if len(rc.lines) > len(rows) {
		// lines of keys gone from this sample
		for k, l := range rc.lines {
			if l.gen != rc.gen {
				delete(rc.lines, k)
			}
		}
	}
	rc.out = b
	_, err := w.Write(b)
	return err
}

// appendRaw appends the --raw line of row r.
func (t *Table) appendRaw(b []byte, r *Row, delta uint64) []byte {
	for i := 0; i < t.Visible(); i++ {
		// csysdig prints names as recorded; bytes that could drive a
		// terminal are shown as '.', as in every text mode.
		b = append(b, fields.SafeString(t.Text(r, i, 10, delta), false)...)
		b = append(b, ' ')
	}
	return append(b, '\n')
}

// rawCache holds the --raw lines of the last sample by key.
type rawCache struct {
	lines map[string]*rawLine
	gen   uint64 // WriteRaw calls
	out   []byte
	kept  int // lines of the last sample not formatted again
}

// rawLine is a row's --raw line and the values it shows, written at the
// gen-th WriteRaw.
type rawLine struct {
	vals  []Cell
	delta uint64
	text  []byte
	gen   uint64
}

// jsonRow is one row of csysdig's JSON output.
type jsonRow struct {
	D []any           `json:"d"`
	K format.JSONText `json:"k"`
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// WriteJSON writes one sample as a slice of csysdig's -j output:
// {"progress": 100, "data": [...], "count": N, "info": {...}}.
func (t *Table) WriteJSON(w io.Writer, rows []*Row, delta uint64, info map[string]any) error {
	var b bytes.Buffer
	b.WriteString(`{"progress": 100, `)
	if len(rows) > 0 {
		b.WriteString("\"data\": [\n")
		for k, r := range rows {
			jr := jsonRow{K: format.JSONText(r.KeyText), D: make([]any, t.Visible())}
			for i := range jr.D {
				jr.D[i] = t.JSONValue(r, i, delta)
			}
			b.Write(marshal(jr))
			if k < len(rows)-1 {
				b.WriteString(",\n")
			}
		}
		b.WriteString("],\n")
	}
	fmt.Fprintf(&b, `"count": %d, "info": `, len(rows))
	b.Write(marshal(info))
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// drillTemplate is the placeholder csysdig puts where the selected key's
// value goes in a drill-down filter template.
const drillTemplate = "@#$f1CA^&;"

// DrillFilter returns the filter that selects a row's key value, the way
// drilling down from this view adds it: (view filter) and key="value".
func (t *Table) DrillFilter(value string) string {
	return t.drillFilter(t.Def.Key().FieldAt(0), value)
}

// DrillOn returns the field and value a drill-down from row r selects:
// the key's, or those of the view's drilldown_key column (a ferret
// extension: the flow views drill down to the flow's process).
func (t *Table) DrillOn(r *Row) (field, value string) {
	if k := t.Def.DrillKey; k != "" {
		if v, ok := t.fieldValue(r, k); ok {
			return k, v
		}
	}
	return t.Def.Key().FieldAt(0), r.KeyText
}

// RowFilter is the filter of a drill-down from row r (see DrillOn).
func (t *Table) RowFilter(r *Row) string {
	f, v := t.DrillOn(r)
	return t.drillFilter(f, v)
}

func (t *Table) drillFilter(field, value string) string {
	cond := field + "=" + strconv.Quote(value)
	if f := t.Def.FilterAt(0); f != "" {
		return "(" + f + ") and " + cond
	}
	return cond
}

// Info returns the "info" object of csysdig's JSON output for this view;
// target is the drill-down target view (nil if none), user the
// command-line filter.
func (t *Table) Info(target *Def, user string) map[string]any {
	d := t.Def
	info := map[string]any{"sortingCol": d.SortColumn() + 1}
	applies := d.AppliesTo
	if applies == nil {
		applies = []string{}
	}
	info["appliesTo"] = applies
	var legend []any
	for i := 0; i < t.Visible(); i++ {
		cs := t.valueCol(i)
		size := cs.col.Size
		if size == 0 && i < t.Visible()-1 {
			size = -1 // no colsize: csysdig's default, but 0 for the last column (it takes the rest of the line)
		}
		legend = append(legend, map[string]any{"name": cs.col.Name, "size": size,
			"type": cs.typeName, "format": cs.pf.String()})
	}
	info["legend"] = legend
	key := d.Key()
	if key == nil || t.list {
		info["canDrillDown"] = false
		return info
	}
	info["canDrillDown"] = true
	info["drillDownKeyField"] = key.Field
	if d.Kind == KindSpectrogram {
		return info // csysdig gives spectrograms no filter templates
	}
	tmpl := t.DrillFilter(drillTemplate)
	tmpl = strings.Replace(tmpl, strconv.Quote(drillTemplate), `"`+drillTemplate+`"`, 1)
	if user != "" {
		// csysdig joins the command-line words with a blank after each.
		tmpl = "(" + user + " ) and (" + tmpl + ")"
	}
	info["filterTemplate"] = tmpl
	full := tmpl
	if target != nil && target.Filter != "" {
		full = "(" + tmpl + ") and (" + target.Filter + ")"
	}
	info["filterTemplateF"] = full
	return info
}
