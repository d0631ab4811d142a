// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/hist"
)

// cellRef is a point of a picture in the units of its axes: seconds from
// the start of the time axis, a value of the field, an offset within the
// period, or a timeline key.
type cellRef struct {
	seconds float64
	value   float64 // field value or sub-second offset in ns
	key     string
}

// parseCell parses "X,Y" for o's kind.
func parseCell(o Options, s string) (*cellRef, error) {
	xs, ys, ok := strings.Cut(s, ",")
	bad := func(err error) (*cellRef, error) {
		return nil, fmt.Errorf("--print-filter %q: %v", s, err)
	}
	if !ok {
		return bad(fmt.Errorf("want X,Y"))
	}
	xs, ys = strings.TrimSpace(xs), strings.TrimSpace(ys)
	var c cellRef
	var err error
	isTime := true
	if o.Field != "" {
		if f, ok := fields.Default.Field(fieldName(o.Field)); ok {
			isTime = f.Kind == fields.KindRelTime
		}
	}
	switch o.Kind {
	case Heatmap:
		if c.seconds, err = parseSeconds(xs); err == nil {
			c.value, err = parseValue(ys, isTime)
		}
	case Spectrogram:
		if c.value, err = parseValue(xs, isTime); err == nil {
			c.seconds, err = parseSeconds(ys)
		}
	case Subsecond:
		// The offset axis is in milliseconds.
		var ms float64
		if ms, err = parseMillis(xs); err == nil {
			c.value = ms * 1e6
			c.seconds, err = parseSeconds(ys)
		}
	case Timeline:
		c.seconds, err = parseSeconds(xs)
		c.key = ys
	}
	if err != nil {
		return bad(err)
	}
	return &c, nil
}

// parseSeconds accepts seconds as a number or a Go duration ("1.5s").
func parseSeconds(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 {
		return v, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d.Seconds(), nil
	}
	return 0, fmt.Errorf("%q is not a time in seconds from the start of the time axis", s)
}

// parseMillis accepts milliseconds as a number or a Go duration.
func parseMillis(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 {
		return v, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return float64(d) / 1e6, nil
	}
	return 0, fmt.Errorf("%q is not an offset in milliseconds", s)
}

// parseValue accepts a number, or for durations also "2ms", "15us".
func parseValue(s string, isTime bool) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 {
		return v, nil
	}
	if isTime {
		if d, err := time.ParseDuration(s); err == nil && d >= 0 {
			return float64(d), nil
		}
		return 0, fmt.Errorf("%q is not a duration (nanoseconds, or e.g. 250us, 2ms)", s)
	}
	return 0, fmt.Errorf("%q is not a number", s)
}

// CellFilter returns the filter selecting the events behind a cell of the
// picture drawn from d, and how many events the picture counted there.
func CellFilter(d *Data, c *cellRef) (string, uint64, error) {
	o := d.Opts
	iv := uint64(o.Interval)
	var start uint64
	switch {
	case d.Grid != nil:
		start = d.Grid.Start
	case d.Sums != nil:
		start = d.Sums.Start
	}
	row := uint64(c.seconds * 1e9 / float64(iv))
	t0 := start + row*iv
	t1 := t0 + iv
	conds := []string{"(" + o.fullFilter() + ")"}
	var n uint64
	switch o.Kind {
	case Heatmap, Spectrogram:
		b := hist.Bucket(uint64(c.value))
		conds = append(conds, timeRange(t0, t1))
		switch {
		case b == 0:
			conds = append(conds, o.Field+"=0")
		case b == hist.NumBuckets-1:
			conds = append(conds, fmt.Sprintf("%s>=%d", o.Field, hist.Lower(b)))
		default:
			conds = append(conds, fmt.Sprintf("%s>=%d and %s<%d", o.Field, hist.Lower(b), o.Field, hist.Lower(b+1)))
		}
		if r := d.Grid.RowOf(t0); r >= 0 {
			n = d.Grid.Cell(r, b)
		}
	case Subsecond:
		cols := uint64(o.Columns)
		col := uint64(c.value) * cols / iv
		if col >= cols {
			return "", 0, fmt.Errorf("--print-filter: offset %.6g ms is past the %s period", c.value/1e6, o.Interval)
		}
		// Column col holds the offsets whose col*period/cols rounding gives
		// col: the smallest offset with floor(off*cols/period) >= col is
		// ceil(col*period/cols).
		lo, hi := ceilDiv(col*iv, cols), ceilDiv((col+1)*iv, cols)
		conds = append(conds, timeRange(t0+lo, t0+hi))
		if r := d.Grid.RowOf(t0); r >= 0 {
			n = d.Grid.Cell(r, int(col))
		}
	case Timeline:
		conds = append(conds, timeRange(t0, t1), o.By+"="+quoteValue(c.key))
		s := d.Sums
		for k := 0; k < s.Keys(); k++ {
			if s.Key(k) == c.key && t0 >= s.Start {
				n = s.Value(k, int((t0-s.Start)/iv))
			}
		}
	}
	return strings.Join(conds, " and "), n, nil
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }

func timeRange(t0, t1 uint64) string {
	return fmt.Sprintf("evt.rawtime>=%d and evt.rawtime<%d", t0, t1)
}

// quoteValue quotes a filter value: backslash, both quotes and control
// bytes are escaped.
func quoteValue(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\'' || c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
