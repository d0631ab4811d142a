// SPDX-License-Identifier: Apache-2.0

package hist

import "sort"

// Sums adds values per key and time interval (bytes per process per second,
// for instance). Intervals are aligned like Grid rows.
type Sums struct {
	Interval uint64
	Start    uint64
	index    map[string]int
	keys     []string
	series   [][]uint64 // per key, per row
	totals   []uint64
	rows     int
	started  bool
}

// NewSums returns empty sums over intervals of interval nanoseconds.
func NewSums(interval uint64) *Sums {
	if interval == 0 {
		interval = 1
	}
	return &Sums{Interval: interval, index: make(map[string]int)}
}

// Add adds v to key at time ts. The key bytes are copied only the first
// time a key appears.
func (s *Sums) Add(ts uint64, key []byte, v uint64) {
	r := s.row(ts)
	k, ok := s.index[string(key)]
	if !ok {
		name := string(key)
		k = len(s.keys)
		s.index[name] = k
		s.keys = append(s.keys, name)
		s.series = append(s.series, make([]uint64, s.rows, max(s.rows, 16)))
		s.totals = append(s.totals, 0)
	}
	ser := s.series[k]
	for len(ser) <= r {
		ser = append(ser, 0)
	}
	ser[r] += v
	s.series[k] = ser
	s.totals[k] += v
}

// Extend makes the intervals cover ts without adding anything.
func (s *Sums) Extend(ts uint64) { s.row(ts) }

func (s *Sums) row(ts uint64) int {
	if !s.started {
		s.Start = ts - ts%s.Interval
		s.started = true
	}
	if ts < s.Start {
		start := ts - ts%s.Interval
		n := int((s.Start - start) / s.Interval)
		for k, ser := range s.series {
			s.series[k] = append(make([]uint64, n, n+len(ser)), ser...)
		}
		s.Start, s.rows = start, s.rows+n
	}
	r := int((ts - s.Start) / s.Interval)
	if r >= s.rows {
		s.rows = r + 1
	}
	return r
}

// Rows returns the number of intervals.
func (s *Sums) Rows() int { return s.rows }

// RowStart returns the first nanosecond of interval r.
func (s *Sums) RowStart(r int) uint64 { return s.Start + uint64(r)*s.Interval }

// Keys returns the number of keys.
func (s *Sums) Keys() int { return len(s.keys) }

// Key returns key k's text.
func (s *Sums) Key(k int) string { return s.keys[k] }

// Total returns key k's sum over all intervals.
func (s *Sums) Total(k int) uint64 { return s.totals[k] }

// Value returns key k's sum in interval r.
func (s *Sums) Value(k, r int) uint64 {
	if ser := s.series[k]; r < len(ser) {
		return ser[r]
	}
	return 0
}

// Top returns up to n keys (all for n <= 0) by decreasing total, ties by
// key text.
func (s *Sums) Top(n int) []int {
	idx := make([]int, len(s.keys))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		ta, tb := s.totals[idx[a]], s.totals[idx[b]]
		if ta != tb {
			return ta > tb
		}
		return s.keys[idx[a]] < s.keys[idx[b]]
	})
	if n > 0 && len(idx) > n {
		idx = idx[:n]
	}
	return idx
}
