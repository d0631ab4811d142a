// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/ebpf/threadio"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
	"github.com/ferret-observability/ferret/internal/state"
)

// reuseState lets Table.add skip the state columns a row already holds
// (false in a test that compares with extracting them all).
var reuseState = true

// vtype is how a column's values are stored and combined.
type vtype uint8

const (
	vInt    vtype = iota // signed integers (INT8..INT64)
	vUint                // unsigned integers (UINT8..UINT64)
	vRel                 // RELTIME: nanoseconds, shown as a duration
	vDouble              // DOUBLE
	vText                // everything else: kept as its text rendering
)

// printFormat is the field's print format (sysdig's PF_ID, PF_DEC, PF_NA).
type printFormat uint8

const (
	pfNA printFormat = iota
	pfDec
	pfID
)

func (p printFormat) String() string {
	switch p {
	case pfDec:
		return "DEC"
	case pfID:
		return "ID"
	}
	return "NA"
}

// idFields are the numeric fields printed as identifiers (never scaled).
var idFields = map[string]bool{
	"proc.pid": true, "proc.ppid": true, "proc.vpid": true, "proc.sid": true, "proc.vpgid": true,
	"proc.apid": true, "thread.tid": true, "thread.vtid": true, "thread.ptid": true,
	"evt.cpu": true, "fd.num": true, "span.id": true, "span.parentid": true, "evt.num": true,
}

// decText are text fields sysdig declares with a decimal print format.
var decText = map[string]bool{"evt.res": true, "fd.type": true, "evt.rawres": true}

// naFields are numeric fields without a print format (no default value).
var naFields = map[string]bool{"evt.type.is": true}

// Cell is one aggregated value of a row. Cnt counts the values merged into
// it (0 for a default value), which AVG columns divide by.
type Cell struct {
	I   int64
	U   uint64
	F   float64
	S   string
	Cnt uint32
}

// colSpec is a compiled column.
type colSpec struct {
	col      Column
	name     string // field name without argument
	typeName string // sysdig type name (legend)
	ext      fields.Extractor
	vt       vtype
	pf       printFormat
	agg      Aggregation
	gagg     Aggregation
	isList   bool // the synthetic counter key of list views
	// stateOnly: the column's value is a function of the thread state
	// (stateColumn) alone, not of the event's time.
	stateOnly bool
	// io: the counter the column shows when the table uses ThreadIO.
	io ioKind
}

func (c *colSpec) timeAvg() bool { return c.agg == AggTimeAvg || c.gagg == AggTimeAvg }

// Row is one row of a sample: its key and the visible values.
type Row struct {
	Key     Cell
	KeyText string
	Values  []Cell

	// The thread whose event last gave the row its state columns, and
	// the state's generation then (see Table.add).
	thr *state.Thread
	gen uint64
	// A tracked table's: the change counts of thr and its main thread
	// then (see Table.add).
	tmod, mmod uint64
	// The text of the row's group-by key (gkeyOf's), kept with the row
	// across samples.
	gkey    string
	gkeyOf  Cell
	gkeySet bool
	// A tracked table's sample numbers (see tracker): the one the row's
	// values were started in, and the one whose pass visited it.
	open, syn uint64
}

// Table aggregates the events of a view into rows, as csysdig's tables
// do: per key (and per group-by key after a merge step), with the
// columns' aggregations, plus one pass over the thread table at the end
// of each sample.
type Table struct {
	Def  *Def
	reg  *fields.Registry
	flt  *filter.Filter
	list bool

	cols    []colSpec // key, then the other columns in definition order
	post    []int     // group-by views: the merged row's columns (group key first)
	groupBy bool

	pre map[string]*Row
	// preInt indexes pre by the key's number when the key is an integer
	// (intKey: thread.tid, proc.pid...): no text to build per event.
	preInt map[int64]*Row
	intKey bool
	// prev holds the previous sample's rows of a group-by table (which
	// never leave it: Sample returns the merged ones), reused by key for
	// this sample's rows.
	prev map[string]*Row
	// prevInt indexes prev by the key's number (intKey).
	prevInt map[int64]*Row
	order   []*Row // list rows
	// merged holds a group-by table's merged rows while Sample builds
	// them; preKeys and rowKeys are the sorted keys of pre and of the
	// merged rows at the last Sample (see keyOrder).
	merged           map[string]*Row
	mergedInt        map[int64]*Row // merged by an integer group key
	preKeys, rowKeys []string
	counter          uint64
	cur              []Cell
	kbuf             []byte
	buf              []byte
	val              fields.Value

	sortCol   int // index into the visible values; -1: none (lists after the first sort)
	ascending bool
	listSort  bool // list views sort once after each SetSort
	sortSet   bool

	// MaxListRows bounds the rows a list view keeps (oldest dropped).
	MaxListRows int
	// ReuseRows lets Sample reuse the rows (and the slice) it returned
	// the previous time: set by callers done with a sample's rows before
	// the next (batch output).
	ReuseRows bool
	rows      []*Row
	slab      []Row
	cells     []Cell
	sortBuf   []sortKey

	spec *spectro // spectrogram views: the histogram of each sample
	skv  fields.Value

	flows bool // made of flow records (ProcessFlows), not events

	// io serves the I/O columns (UseThreadIO); ioCur holds the counts the
	// event being added brings, if any (ioBuf's storage).
	io    *ThreadIO
	ioCur *threadio.Counts
	ioBuf threadio.Counts

	raw rawCache // WriteRaw's lines

	// Track lets the end-of-sample pass leave alone the rows of threads
	// that have not changed since the previous pass, when the table
	// qualifies (see tracker): set by live callers, which run one pass
	// per sample.
	Track  bool
	trk    tracker
	inPass bool
}

// Options configure a table.
type Options struct {
	// Filter is the user's filter, combined with the view's.
	Filter string
	// Depth is the drill-down depth (for %depth in definitions).
	Depth int
	// Registry resolves fields; nil means fields.Default.
	Registry *fields.Registry
}

// CombineFilters joins filters with "and", each in parentheses, skipping
// empty ones.
func CombineFilters(parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	for i := range out {
		out[i] = "(" + out[i] + ")"
	}
	return strings.Join(out, " and ")
}

// NewTable compiles a view for aggregation.
func NewTable(d *Def, opts Options) (*Table, error) {
	reg := opts.Registry
	if reg == nil {
		reg = fields.Default
	}
	t := &Table{Def: d, reg: reg, list: d.Kind == KindList, pre: map[string]*Row{}, MaxListRows: 20000}
	if opts.Filter != "" {
		// Errors name positions in the user's own text.
		if _, err := filter.Compile(opts.Filter, reg); err != nil {
			return nil, err
		}
	}
	if expr := CombineFilters(d.FilterAt(opts.Depth), opts.Filter); expr != "" {
		f, err := filter.Compile(expr, reg)
		if err != nil {
			return nil, err
		}
		t.flt = f
	}
	if t.list {
		t.cols = append(t.cols, colSpec{isList: true, name: "util.cnt", typeName: "UINT64", vt: vUint, pf: pfDec})
	}
	nkeys := 0
	for _, c := range d.Columns {
		cs, err := compileColumn(reg, c, opts.Depth)
		if err != nil {
			return nil, err
		}
		if c.IsKey {
			if t.list {
				return nil, fmt.Errorf("view %s: a list view can't have a key", d.ID)
			}
			nkeys++
			t.cols = append([]colSpec{cs}, t.cols...)
			continue
		}
		t.cols = append(t.cols, cs)
	}
	if !t.list && nkeys == 0 {
		return nil, fmt.Errorf("view %s: table is missing the key", d.ID)
	}
	if nkeys > 1 {
		return nil, fmt.Errorf("view %s: multiple keys specified", d.ID)
	}
	if len(t.cols) < 2 {
		return nil, fmt.Errorf("view %s: table has no values", d.ID)
	}
	for j, c := range t.cols {
		if j == 0 || !c.col.IsGroupKey {
			continue
		}
		if t.groupBy {
			return nil, fmt.Errorf("view %s: more than one groupby key specified", d.ID)
		}
		t.groupBy = true
		t.post = append([]int{j}, t.post...)
	}
	if t.groupBy {
		if t.list {
			return nil, fmt.Errorf("view %s: group by not supported for list tables", d.ID)
		}
		for j, c := range t.cols {
			if j == 0 || c.col.IsGroupKey {
				continue
			}
			t.post = append(t.post, j)
		}
	}
	for j := range t.cols {
		cs := &t.cols[j]
		cs.stateOnly = stateColumn(cs) && cs.name != "proc.duration"
	}
	if d.Kind == KindSpectrogram {
		t.spec = newSpectro(reg, t.cols[0].col.FieldAt(opts.Depth))
	}
	t.flows = usesFlows(d)
	if vt := t.cols[0].vt; !t.list && (vt == vInt || vt == vUint || vt == vRel) {
		t.intKey, t.preInt = true, map[int64]*Row{}
	}
	t.SetSort(d.SortColumn())
	return t, nil
}

func compileColumn(reg *fields.Registry, c Column, depth int) (colSpec, error) {
	tok := c.FieldAt(depth)
	name, arg, n, ok := reg.Lookup(tok)
	if !ok || n != len(tok) {
		return colSpec{}, fmt.Errorf("invalid field name %s", tok)
	}
	ext, err := reg.Compile(name, arg)
	if err != nil {
		return colSpec{}, err
	}
	f, _ := reg.Field(name)
	cs := colSpec{col: c, name: name, ext: ext, agg: c.Agg, gagg: c.GroupAgg, typeName: f.Type}
	cs.vt, cs.pf = typeOf(name, f.Type)
	return cs, nil
}

func typeOf(name, typ string) (vtype, printFormat) {
	pf := pfDec
	if idFields[name] {
		pf = pfID
	} else if naFields[name] {
		pf = pfNA
	}
	switch typ {
	case "INT8", "INT16", "INT32", "INT64":
		return vInt, pf
	case "UINT8", "UINT16", "UINT32", "UINT64":
		return vUint, pf
	case "RELTIME":
		return vRel, pfDec
	case "DOUBLE":
		return vDouble, pfNA
	case "PORT":
		return vText, pfDec
	}
	if decText[name] {
		return vText, pfDec
	}
	return vText, pfNA
}

// Visible returns the number of values per row.
func (t *Table) Visible() int {
	if t.groupBy {
		return len(t.post) - 1
	}
	return len(t.cols) - 1
}

// valueCol returns the column spec of visible value i.
func (t *Table) valueCol(i int) *colSpec {
	if t.groupBy {
		return &t.cols[t.post[i+1]]
	}
	return &t.cols[i+1]
}

// KeyField returns the field of the row key (the group-by key if any).
func (t *Table) KeyField() string {
	if t.groupBy {
		return t.cols[t.post[0]].col.FieldAt(0)
	}
	return t.cols[0].col.Field
}

// SetSort selects the sorting column (an index into the visible values):
// numbers sort descending, text ascending; selecting the current column
// again reverses the order.
func (t *Table) SetSort(col int) {
	if col < 0 || col >= t.Visible() {
		return
	}
	t.listSort = true
	if col == t.sortCol && t.sortSet {
		t.ascending = !t.ascending
		return
	}
	t.sortSet = true
	t.sortCol = col
	t.ascending = t.valueCol(col).vt == vText
}

// SortBy selects the sorting column col and its order without the
// reversal of SetSort (out of range: ignored).
func (t *Table) SortBy(col int, ascending bool) {
	if col < 0 || col >= t.Visible() {
		return
	}
	t.listSort = true
	t.sortSet = true
	t.sortCol, t.ascending = col, ascending
}

// SortColumn returns the sorting column and whether it sorts ascending.
func (t *Table) SortColumn() (int, bool) { return t.sortCol, t.ascending }

// Process adds the current event to the table if the view's filter accepts
// it. It reports a filter evaluation error.
func (t *Table) Process(c *fields.Ctx) error {
	if t.flows {
		return nil // rows come from ProcessFlows
	}
	if !t.trk.checked {
		t.tracked() // (decided before the first row)
	}
	if t.io != nil && int(c.Ev.Type) < len(procExitType) && procExitType[c.Ev.Type] {
		t.exitIO(c)
		defer func() { t.ioCur = nil }()
	}
	if t.flt != nil && !t.flt.Match(c) {
		return t.flt.Err()
	}
	if t.spec != nil {
		t.spec.add(c, t.cols[0].ext, &t.skv)
	}
	t.add(c)
	return nil
}

// add extracts the columns of the current event and adds the row. Text
// values a row already has are not rebuilt (only MAX replaces them), and
// looking a key up allocates nothing, so updating an existing row costs
// no allocation. In views with defaults, a row whose state columns came
// from the same thread while the state stayed as it is now (state.Gen)
// already holds what they would give again: they are not extracted (the
// bulk of a busy machine's events, I/O calls, changes no state).
func (t *Table) add(c *fields.Ctx) {
	if cap(t.cur) < len(t.cols) {
		t.cur = make([]Cell, len(t.cols))
	}
	cur := t.cur[:len(t.cols)]
	var existing *Row
	var thr *state.Thread
	var gen uint64
	var tmod, mmod uint64
	local := false // same by the thread's own change counts (tracked tables)
	if c.State != nil {
		thr, gen = c.Thread(), c.State.Gen()
		if t.trk.ok && thr != nil {
			local, tmod, mmod = true, thr.ChangeCount(), thr.ChangeCount()
			if thr.TID != thr.PID {
				// (none without a main thread: proc.nthreads then
				// counts the threads naming the process)
				if m := c.State.Thread(thr.PID); m != nil {
					mmod = m.ChangeCount()
				} else {
					local = false
				}
			}
		}
	}
	same := false // existing holds this thread's state columns as of gen
	// cand is the previous sample's row of the key, when the key has none
	// yet in this one: reused for it.
	var cand *Row
	for j := range t.cols {
		cs := &t.cols[j]
		if j == 1 && existing != nil {
			same = reuseState && t.Def.UseDefaults && thr != nil && existing.thr == thr && existing.gen == gen
			if t.trk.ok {
				// The columns are local to the thread (tracked): its
				// own and its main thread's change counts tell.
				same = reuseState && local && existing.thr == thr && existing.tmod == tmod && existing.mmod == mmod
			}
		}
		if same && cs.stateOnly {
			continue
		}
		if cs.io != ioNone && t.io != nil {
			cur[j] = t.ioCell(cs)
			continue
		}
		if cs.isList {
			t.counter++
			cur[j] = Cell{U: t.counter, S: strconv.FormatUint(t.counter, 10), Cnt: 1}
			continue
		}
		if existing != nil && cs.agg == AggNone && t.Def.UseDefaults {
			// The row keeps its first value (merge leaves unaggregated
			// columns alone) and a missing value would only be a default:
			// nothing to extract.
			cur[j] = Cell{}
			continue
		}
		if !cs.ext.Extract(c, &t.val) {
			if !t.Def.UseDefaults {
				return
			}
			d, ok := defaultCell(cs)
			if !ok {
				return
			}
			cur[j] = d
		} else if j == 0 && cs.vt == vText && !t.list {
			t.kbuf = fields.AppendText(t.kbuf[:0], c, cs.ext, &t.val)
			if existing = t.pre[string(t.kbuf)]; existing != nil {
				cur[0] = Cell{S: existing.Key.S, Cnt: 1}
			} else if cand = t.prev[string(t.kbuf)]; cand != nil && len(cand.Values) == len(cur)-1 {
				cur[0] = Cell{S: cand.Key.S, Cnt: 1}
			} else {
				cand = nil
				cur[0] = Cell{S: string(t.kbuf), Cnt: 1}
			}
			continue
		} else if cs.vt == vText && existing != nil {
			if cs.agg != AggMax {
				cur[j] = Cell{Cnt: 1}
			} else {
				t.buf = fields.AppendText(t.buf[:0], c, cs.ext, &t.val)
				if old := existing.Values[j-1].S; old == string(t.buf) {
					cur[j] = Cell{S: old, Cnt: 1}
				} else {
					cur[j] = Cell{S: string(t.buf), Cnt: 1}
				}
			}
		} else if cs.vt == vText && cand != nil {
			// The text the row had at the previous sample, if the same.
			t.buf = fields.AppendText(t.buf[:0], c, cs.ext, &t.val)
			if old := cand.Values[j-1].S; old == string(t.buf) {
				cur[j] = Cell{S: old, Cnt: 1}
			} else {
				cur[j] = Cell{S: string(t.buf), Cnt: 1}
			}
		} else {
			cur[j] = t.cell(c, cs)
		}
		if j == 0 && t.intKey {
			k := intKeyOf(&cur[0], cs)
			if existing = t.preInt[k]; existing == nil {
				cand = t.prevInt[k]
			} else if t.trk.ok && existing.open != t.trk.sample {
				// a tracked table's row of an earlier sample: started again
				cand, existing = existing, nil
			}
		} else if j == 0 && !t.list {
			t.kbuf = appendKey(t.kbuf[:0], &cur[0], cs)
			if existing = t.pre[string(t.kbuf)]; existing == nil {
				cand = t.prev[string(t.kbuf)]
			}
		}
		if cand != nil && len(cand.Values) != len(cur)-1 {
			cand = nil
		}
	}
	if t.list {
		r := &Row{Key: cur[0], KeyText: cur[0].S, Values: append([]Cell(nil), cur[1:]...)}
		t.order = append(t.order, r)
		if t.MaxListRows > 0 && len(t.order) > t.MaxListRows {
			t.order = append(t.order[:0], t.order[len(t.order)-t.MaxListRows:]...)
		}
		return
	}
	if existing == nil {
		// (cand stays in prev, which Sample clears: the key is in pre
		// now, which is looked at first.)
		r := cand
		if r != nil {
			r.Key = cur[0]
			r.thr, r.gen = thr, gen
		} else {
			if t.intKey {
				t.kbuf = appendKey(t.kbuf[:0], &cur[0], &t.cols[0])
			}
			r = &Row{Key: cur[0], KeyText: string(t.kbuf), Values: make([]Cell, len(cur)-1), thr: thr, gen: gen}
			t.trk.keysChanged = true
		}
		r.Key.Cnt = 1
		r.tmod, r.mmod = tmod, mmod
		copy(r.Values, cur[1:])
		t.pre[r.KeyText] = r
		if t.intKey {
			k := intKeyOf(&r.Key, &t.cols[0])
			t.preInt[k] = r
			if t.trk.ok {
				r.open = t.trk.sample
				if !t.inPass {
					t.trk.opened = append(t.trk.opened, k)
				}
			}
		}
		return
	}
	for j := 1; j < len(cur); j++ {
		if same && t.cols[j].stateOnly {
			continue
		}
		merge(&existing.Values[j-1], &cur[j], t.cols[j].vt, t.cols[j].agg)
	}
	existing.thr, existing.gen = thr, gen
	existing.tmod, existing.mmod = tmod, mmod
}

// intKeyOf is the identity of an integer key value (as appendKey's text).
func intKeyOf(c *Cell, cs *colSpec) int64 {
	if cs.vt == vInt {
		return c.I
	}
	return int64(c.U)
}

// appendKey appends the identity of a key value (as keyText).
func appendKey(b []byte, c *Cell, cs *colSpec) []byte {
	switch cs.vt {
	case vInt:
		return strconv.AppendInt(b, c.I, 10)
	case vUint, vRel:
		return strconv.AppendUint(b, c.U, 10)
	case vDouble:
		return strconv.AppendFloat(b, c.F, 'g', -1, 64)
	}
	return append(b, c.S...)
}

func (t *Table) cell(c *fields.Ctx, cs *colSpec) Cell {
	v := &t.val
	switch cs.vt {
	case vInt:
		switch v.Kind {
		case fields.KindUint64, fields.KindRelTime, fields.KindAbsTime, fields.KindPort, fields.KindBool:
			return Cell{I: int64(v.Uint), Cnt: 1}
		case fields.KindDouble:
			return Cell{I: int64(v.Float), Cnt: 1}
		}
		return Cell{I: v.Int, Cnt: 1}
	case vUint, vRel:
		switch v.Kind {
		case fields.KindInt64:
			return Cell{U: uint64(v.Int), Cnt: 1}
		case fields.KindDouble:
			return Cell{U: uint64(v.Float), Cnt: 1}
		case fields.KindBool:
			if v.Uint != 0 || v.Int != 0 {
				return Cell{U: 1, Cnt: 1}
			}
			return Cell{Cnt: 1}
		}
		return Cell{U: v.Uint, Cnt: 1}
	case vDouble:
		switch v.Kind {
		case fields.KindInt64:
			return Cell{F: float64(v.Int), Cnt: 1}
		case fields.KindUint64:
			return Cell{F: float64(v.Uint), Cnt: 1}
		}
		return Cell{F: v.Float, Cnt: 1}
	}
	t.buf = fields.AppendText(t.buf[:0], c, cs.ext, v)
	return Cell{S: string(t.buf), Cnt: 1}
}

// defaultCell is the value a missing field takes in views with defaults:
// zero for numbers printed in decimal and doubles, "" for text; ports,
// addresses and identifiers have none (the event is skipped).
func defaultCell(cs *colSpec) (Cell, bool) {
	switch cs.vt {
	case vInt, vUint, vRel:
		if cs.pf != pfDec {
			return Cell{}, false
		}
		return Cell{}, true
	case vDouble:
		return Cell{}, true
	}
	switch cs.typeName {
	case "PORT", "IPV4ADDR", "IPV6ADDR", "IPADDR", "IPNET", "IPV4NET", "IPV6NET":
		return Cell{}, false
	}
	return Cell{}, true
}

func keyText(c *Cell, cs *colSpec) string {
	switch cs.vt {
	case vInt:
		return strconv.FormatInt(c.I, 10)
	case vUint, vRel:
		return strconv.FormatUint(c.U, 10)
	case vDouble:
		return strconv.FormatFloat(c.F, 'g', -1, 64)
	}
	return c.S
}

// merge combines src into dst by agg, with csysdig's arithmetic: sums of
// averaged values average each side first; MIN ignores default values.
func merge(dst, src *Cell, vt vtype, agg Aggregation) {
	switch agg {
	case AggSum, AggTimeAvg:
		if src.Cnt < 2 {
			sum(dst, src, vt)
			return
		}
		if dst.Cnt > 1 {
			div(dst, float64(dst.Cnt), vt)
		}
		s := *src
		div(&s, float64(src.Cnt), vt)
		sum(dst, &s, vt)
		dst.Cnt, src.Cnt = 1, 1
	case AggAvg:
		dst.Cnt += src.Cnt
		sum(dst, src, vt)
	case AggMax:
		switch vt {
		case vInt:
			dst.I = max(dst.I, src.I)
		case vUint, vRel:
			dst.U = max(dst.U, src.U)
		case vDouble:
			dst.F = max(dst.F, src.F)
		default:
			dst.S = src.S
		}
	case AggMin:
		if src.Cnt == 0 {
			return
		}
		if dst.Cnt == 0 {
			sum(dst, src, vt)
			dst.Cnt++
			return
		}
		switch vt {
		case vInt:
			dst.I = min(dst.I, src.I)
		case vUint, vRel:
			dst.U = min(dst.U, src.U)
		case vDouble:
			dst.F = min(dst.F, src.F)
		}
	}
}

func sum(dst, src *Cell, vt vtype) {
	switch vt {
	case vInt:
		dst.I += src.I
	case vUint, vRel:
		dst.U += src.U
	case vDouble:
		dst.F += src.F
	}
}

func div(c *Cell, n float64, vt vtype) {
	switch vt {
	case vInt:
		c.I /= int64(n)
	case vUint, vRel:
		c.U /= uint64(n)
	case vDouble:
		c.F /= n
	}
}

// ProcessThreads adds one synthetic event per thread of the state table
// (csysdig's end-of-sample pass, so idle processes show up too): an event
// of an unused type at the end of the second before ts, run through the
// view's filter.
func (t *Table) ProcessThreads(c *fields.Ctx, st *state.State, ts uint64) {
	if t.flows {
		return
	}
	if t.io != nil {
		t.io.read()
		defer t.io.sweep(st, ts)
	}
	cur := st.Cur()
	saved := *cur
	savedEv := c.Ev
	ev := &event.Event{Type: event.EvSysdigeventX, TS: ts - ts%1_000_000_000 - 1}
	if t.tracked() {
		t.inPass = true
		t.trackedPass(c, st, ev)
		t.inPass = false
		t.ioCur = nil
		*cur = saved
		c.Ev = savedEv
		return
	}
	for _, th := range st.ThreadsByTID() {
		ev.TID = th.TID
		*cur = state.Cur{Event: ev, Thread: th, FDNum: -1}
		c.Ev = ev
		t.ioCur = nil
		if t.io != nil {
			if t.ioBuf = t.io.take(th.TID); !t.ioBuf.IsZero() {
				t.ioCur = &t.ioBuf
			}
		}
		if t.flt != nil && !t.flt.Match(c) {
			continue
		}
		t.add(c)
	}
	t.ioCur = nil
	*cur = saved
	c.Ev = savedEv
}

// Sample ends a sample: merges group-by rows, sorts, and returns the rows.
// Tables start afresh; list views keep their rows. The rows returned stay
// as they are (a capture file's steps keep every sample's); what serves
// the next sample (the order of the keys, maps, the group keys' text) is
// kept, so a steady table sorts and allocates little.
func (t *Table) Sample() []*Row {
	var rows []*Row
	if t.ReuseRows {
		rows = t.rows[:0]
		defer func() { t.rows = rows }()
	}
	tracked := t.tracked()
	if tracked {
		t.endTracked()
	}
	if t.list {
		rows = append(rows, t.order...)
		if t.listSort {
			t.sortRows(rows)
			t.listSort = false
			t.order = append(t.order[:0], rows...)
		}
		return rows
	}
	src := t.pre
	// The keys of pre in order, and (tracked tables) their rows.
	var keys []string
	var krows []*Row
	if tr := &t.trk; tracked && !tr.keysChanged && len(tr.preRows) == len(t.pre) && len(t.preKeys) == len(t.pre) {
		keys, krows = t.preKeys, tr.preRows // the same rows as at the last sample
	} else {
		keys = keyOrder(t.pre, &t.preKeys)
		if tracked {
			krows = tr.preRows[:0]
			for _, k := range keys {
				krows = append(krows, t.pre[k])
			}
			tr.preRows, tr.keysChanged = krows, false
		}
	}
	// Rows merged by an integer group key are found by number, and left
	// in the order they are made when the sort decides theirs (keys
	// unique and numbers: the sort leaves no tie to that order).
	intGroups := false
	if t.groupBy {
		if t.merged == nil {
			t.merged = map[string]*Row{}
		}
		merged := t.merged
		clear(merged)
		kcs := &t.cols[t.post[0]]
		intGroups = (kcs.vt == vInt || kcs.vt == vUint) && t.sortCol >= 0 && t.sortCol < t.Visible()
		if intGroups {
			if t.mergedInt == nil {
				t.mergedInt = map[int64]*Row{}
			}
			clear(t.mergedInt)
		}
		vals := make([]Cell, len(t.post))
		nv := len(t.post) - 1
		// The merged rows, in one block (the previous sample's when
		// the caller is done with it).
		var slab []Row
		var cells []Cell
		if t.ReuseRows && cap(t.slab) >= len(keys) && cap(t.cells) >= len(keys)*nv {
			slab, cells = t.slab[:0], t.cells[:0]
		} else {
			slab, cells = make([]Row, 0, len(keys)), make([]Cell, 0, len(keys)*nv)
		}
		if t.ReuseRows {
			t.slab, t.cells = slab, cells
		}
		for i, k := range keys {
			var r *Row
			if krows != nil {
				r = krows[i]
			} else {
				r = t.pre[k]
			}
			for j, col := range t.post {
				if col == 0 {
					vals[j] = r.Key
				} else {
					vals[j] = r.Values[col-1]
				}
			}
			if !r.gkeySet || !sameKey(&r.gkeyOf, &vals[0], kcs) {
				r.gkey, r.gkeyOf, r.gkeySet = keyText(&vals[0], kcs), vals[0], true
			}
			var m *Row
			var ok bool
			if intGroups {
				m, ok = t.mergedInt[intKeyOf(&vals[0], kcs)]
			} else {
				m, ok = merged[r.gkey]
			}
			if !ok {
				slab = append(slab, Row{Key: vals[0], KeyText: r.gkey})
				m = &slab[len(slab)-1]
				m.Key.Cnt = 1
				cells = append(cells, vals[1:]...)
				m.Values = cells[len(cells)-nv : len(cells) : len(cells)]
				if intGroups {
					t.mergedInt[intKeyOf(&vals[0], kcs)] = m
				} else {
					merged[r.gkey] = m
				}
				continue
			}
			for j := 1; j < len(vals); j++ {
				cs := &t.cols[t.post[j]]
				merge(&m.Values[j-1], &vals[j], cs.vt, cs.gagg)
			}
		}
		if intGroups {
			for i := range slab {
				rows = append(rows, &slab[i])
			}
		}
		src = merged
	}
	switch {
	case intGroups:
		// (rows has them)
	case !t.groupBy && krows != nil:
		rows = append(rows, krows...)
	case !t.groupBy:
		for _, k := range keys {
			rows = append(rows, src[k])
		}
	default:
		for _, k := range keyOrder(src, &t.rowKeys) {
			rows = append(rows, src[k])
		}
	}
	if tracked {
		// The rows stay for the next sample (see tracker).
		clear(t.merged)
	} else if t.groupBy {
		// The rows per key stay inside: keep them for the next sample.
		if t.prev == nil {
			t.prev = map[string]*Row{}
		}
		clear(t.prev)
		t.prev, t.pre = t.pre, t.prev
		if t.intKey {
			if t.prevInt == nil {
				t.prevInt = map[int64]*Row{}
			}
			clear(t.prevInt)
			t.prevInt, t.preInt = t.preInt, t.prevInt
		}
		clear(t.merged) // (the rows returned are the caller's)
	} else {
		t.pre = make(map[string]*Row, len(t.pre))
	}
	if !tracked {
		clear(t.preInt)
	}
	t.sortRows(rows)
	return rows
}

// sameKey reports whether two values of key column cs are the same key.
func sameKey(a, b *Cell, cs *colSpec) bool {
	switch cs.vt {
	case vInt:
		return a.I == b.I
	case vUint, vRel:
		return a.U == b.U
	case vDouble:
		return a.F == b.F
	}
	return a.S == b.S
}

// keyOrder returns the keys of m sorted, reusing *last (the previous
// order) when m has the same keys: a steady table checks its keys
// instead of sorting them.
func keyOrder(m map[string]*Row, last *[]string) []string {
	keys := *last
	same := len(keys) == len(m)
	for i := 0; same && i < len(keys); i++ {
		_, same = m[keys[i]]
	}
	if same {
		return keys
	}
	keys = keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	*last = keys
	return keys
}

// Reset drops every row (list views included).
func (t *Table) Reset() {
	t.trk.valid, t.trk.keysChanged = false, true
	t.trk.opened, t.trk.carry = t.trk.opened[:0], t.trk.carry[:0]
	t.pre = map[string]*Row{}
	clear(t.preInt)
	t.prev = nil
	t.prevInt = nil
	t.order = nil
}

// sortRows orders rows by the sorting column, ties by key.
func (t *Table) sortRows(rows []*Row) {
	if t.sortCol < 0 || t.sortCol >= t.Visible() {
		return
	}
	cs := t.valueCol(t.sortCol)
	i := t.sortCol
	// Each key parsed once, not at every comparison.
	var ks []sortKey
	if t.ReuseRows && cap(t.sortBuf) >= len(rows) {
		ks = t.sortBuf[:len(rows)]
	} else {
		ks = make([]sortKey, len(rows))
	}
	if t.ReuseRows {
		t.sortBuf = ks
	}
	for n, r := range rows {
		ks[n].r = r
		ks[n].num, ks[n].isNum = parseKey(r.KeyText)
	}
	sort.SliceStable(ks, func(a, b int) bool {
		c := compareCells(&ks[a].r.Values[i], &ks[b].r.Values[i], cs.vt)
		if c == 0 {
			return ks[a].less(&ks[b])
		}
		if t.ascending {
			return c < 0
		}
		return c > 0
	})
	for n := range ks {
		rows[n] = ks[n].r
	}
}

// sortKey is a row with its key's number, if the key is one.
type sortKey struct {
	r     *Row
	num   int64
	isNum bool
}

// less orders keys: numerically when both are numbers.
func (a *sortKey) less(b *sortKey) bool {
	if a.isNum && b.isNum {
		return a.num < b.num
	}
	return a.r.KeyText < b.r.KeyText
}

func parseKey(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func compareCells(a, b *Cell, vt vtype) int {
	avg := a.Cnt > 1 || b.Cnt > 1
	ca, cb := max(a.Cnt, 1), max(b.Cnt, 1)
	switch vt {
	case vInt:
		x, y := a.I, b.I
		if avg {
			x, y = x/int64(ca), y/int64(cb)
		}
		return cmp3(x < y, x > y)
	case vUint, vRel:
		x, y := a.U, b.U
		if avg {
			x, y = x/uint64(ca), y/uint64(cb)
		}
		return cmp3(x < y, x > y)
	case vDouble:
		x, y := a.F, b.F
		if avg {
			x, y = x/float64(ca), y/float64(cb)
		}
		return cmp3(x < y, x > y)
	}
	return strings.Compare(a.S, b.S)
}

func cmp3(lt, gt bool) int {
	if lt {
		return -1
	}
	if gt {
		return 1
	}
	return 0
}
