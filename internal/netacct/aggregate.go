// SPDX-License-Identifier: Apache-2.0

package netacct

// DefaultIdleAfter is how many reads without change make a kernel entry
// stale (its counts are accounted; the entry can be deleted to free room).
const DefaultIdleAfter = 3

type flowState struct {
	last Counters
	idle int
}

// Aggregator turns successive cumulative kernel samples into interval rows
// and cumulative, cardinality-bounded totals. It is not safe for concurrent
// use.
type Aggregator struct {
	by        By
	topK      int
	filter    *Filter
	idleAfter int

	flows  map[FlowKey]*flowState
	gone   map[FlowKey]Counters // stale entries being deleted: last values
	carry  []Flow               // counts that arrived just before deletion
	slots  map[string]int       // program -> peers holding their own total
	totals map[Key]*Counters
}

// NewAggregator groups by by, bounds exported keys to topK peers per program
// (0: unbounded) and keeps only flows matched by filter (nil: all).
func NewAggregator(by By, topK int, filter *Filter) *Aggregator {
	return &Aggregator{
		by: by, topK: topK, filter: filter, idleAfter: DefaultIdleAfter,
		flows:  map[FlowKey]*flowState{},
		gone:   map[FlowKey]Counters{},
		slots:  map[string]int{},
		totals: map[Key]*Counters{},
	}
}

// By returns the grouping.
func (a *Aggregator) By() By { return a.by }

// Interval is what changed between two reads.
type Interval struct {
	Rows  []Row    // grouped deltas, sorted by traffic then key
	Total Counters // sum of Rows
	// Stale lists kernel entries unchanged for several reads; the caller
	// may delete them from the kernel map (their counts are already in).
	Stale []FlowKey
}

// Update takes the complete current contents of the kernel map and returns
// the interval since the previous call. Entries missing from flows are
// forgotten.
func (a *Aggregator) Update(flows []Flow) Interval {
	seen := make(map[FlowKey]struct{}, len(flows))
	grouped := map[Key]*Counters{}
	var iv Interval
	add := func(k FlowKey, d Counters) {
		if a.filter != nil && !a.filter.Match(k) {
			return
		}
		g := group(k, a.by)
		c := grouped[g]
		if c == nil {
			c = &Counters{}
			grouped[g] = c
		}
		c.Add(d)
	}
	for _, f := range a.carry {
		add(f.Key, f.Counters)
	}
	a.carry = a.carry[:0]
	for _, f := range flows {
		seen[f.Key] = struct{}{}
		st := a.flows[f.Key]
		if st == nil {
			st = &flowState{}
			a.flows[f.Key] = st
		}
		d := f.Counters.sub(st.last)
		st.last = f.Counters
		if d.IsZero() {
			st.idle++
			if st.idle >= a.idleAfter {
				iv.Stale = append(iv.Stale, f.Key)
			}
			continue
		}
		st.idle = 0
		add(f.Key, d)
	}
	for k := range a.flows {
		if _, ok := seen[k]; !ok {
			delete(a.flows, k)
		}
	}
	clear(a.gone)
	for _, k := range iv.Stale {
		a.gone[k] = a.flows[k].last
		delete(a.flows, k)
	}
	iv.Rows = make([]Row, 0, len(grouped))
	for k, c := range grouped {
		iv.Rows = append(iv.Rows, Row{Key: k, Counters: *c})
	}
	SortRows(iv.Rows)
	iv.Total = Sum(iv.Rows)
	a.accumulate(iv.Rows)
	return iv
}

// Deleted takes the values stale entries had when they were deleted from
// the kernel map; whatever was counted since the last read goes into the
// next interval.
func (a *Aggregator) Deleted(final []Flow) {
	for _, f := range final {
		last, ok := a.gone[f.Key]
		if !ok {
			continue
		}
		if d := f.Counters.sub(last); !d.IsZero() {
			a.carry = append(a.carry, Flow{Key: f.Key, Counters: d})
		}
	}
	clear(a.gone)
}

// accumulate adds sorted interval rows to the bounded totals; a peer that
// gets its own key keeps it, so exported counters never go backwards.
func (a *Aggregator) accumulate(rows []Row) {
	for _, r := range rows {
		ek := r.Key
		if _, own := a.totals[r.Key]; !own && a.topK > 0 && a.by != ByProc {
			if a.slots[r.Program] < a.topK {
				a.slots[r.Program]++
			} else {
				ek = Key{Program: r.Program, Other: true}
			}
		}
		c := a.totals[ek]
		if c == nil {
			c = &Counters{}
			a.totals[ek] = c
		}
		c.Add(r.Counters)
	}
}

// Totals returns the cumulative counters per exported key, sorted.
func (a *Aggregator) Totals() []Row {
	rows := make([]Row, 0, len(a.totals))
	for k, c := range a.totals {
		rows = append(rows, Row{Key: k, Counters: *c})
	}
	SortRows(rows)
	return rows
}
