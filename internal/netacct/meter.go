// SPDX-License-Identifier: Apache-2.0

package netacct

// FlowRate is one kernel entry (a process and a peer) over an interval:
// what it counted since the previous read, and since the meter started.
type FlowRate struct {
	Key   FlowKey
	Delta Counters
	Total Counters
}

// DefaultForgetAfter is how many reads without traffic a Meter keeps a
// flow's total for.
const DefaultForgetAfter = 120

type meterFlow struct {
	last, total Counters
	idle        int
	inKernel    bool
}

// Meter turns successive cumulative kernel samples into per-entry interval
// deltas and totals, with the process ids kept (Aggregator groups by
// program name). Entries unchanged for DefaultIdleAfter reads are handed
// back as stale (the caller deletes them from the kernel map and passes
// their final values to Deleted); flows quiet for ForgetAfter reads are
// forgotten, so a long run keeps only flows that counted recently. It is
// not safe for concurrent use.
type Meter struct {
	ForgetAfter int // 0: DefaultForgetAfter
	flows       map[FlowKey]*meterFlow
	stale       []FlowKey
	started     bool
}

// NewMeter returns an empty meter.
func NewMeter() *Meter { return &Meter{flows: map[FlowKey]*meterFlow{}} }

// Update takes the complete current contents of the kernel map and appends
// to dst the flows that counted something in the interval or still hold a
// total. The first call only sets where the counts start. Stale lists entries the caller may delete from the kernel map.
func (m *Meter) Update(flows []Flow, dst []FlowRate) (rates []FlowRate, stale []FlowKey) {
	forget := m.ForgetAfter
	if forget <= 0 {
		forget = DefaultForgetAfter
	}
	for _, f := range m.flows {
		f.inKernel = false
	}
	m.stale = m.stale[:0]
	for _, kf := range flows {
		f := m.flows[kf.Key]
		if f == nil {
			f = &meterFlow{}
			m.flows[kf.Key] = f
		}
		f.inKernel = true
		d := kf.Counters.sub(f.last)
		f.last = kf.Counters
		if !m.started {
			continue // what was counted before the meter started
		}
		if d.IsZero() {
			if f.idle++; f.idle >= DefaultIdleAfter {
				m.stale = append(m.stale, kf.Key)
			}
			continue
		}
		f.idle = 0
		f.total.Add(d)
		dst = append(dst, FlowRate{Key: kf.Key, Delta: d, Total: f.total})
	}
	if !m.started {
		m.started = true
		return dst, nil
	}
	for k, f := range m.flows {
		if f.inKernel {
			if f.idle > 0 {
				dst = append(dst, FlowRate{Key: k, Total: f.total})
			}
			continue
		}
		// Deleted from the kernel: the next entry of this key counts
		// from zero.
		f.last = Counters{}
		if f.idle++; f.idle >= forget {
			delete(m.flows, k)
			continue
		}
		dst = append(dst, FlowRate{Key: k, Total: f.total})
	}
	return dst, m.stale
}

// Deleted takes the values stale entries had when they were deleted from
// the kernel map: what they counted since the last read goes into the
// totals (and shows in the next interval's totals, not its rates).
func (m *Meter) Deleted(final []Flow) {
	for _, kf := range final {
		f := m.flows[kf.Key]
		if f == nil {
			continue
		}
		f.total.Add(kf.Counters.sub(f.last))
		f.last = Counters{}
	}
}

// Len is the number of flows the meter holds.
func (m *Meter) Len() int { return len(m.flows) }
