// SPDX-License-Identifier: Apache-2.0

package hist

import (
	"math"
	"math/bits"
)

// Layout constants.
const (
	Decades = 20 // decades covered: 10^0 .. 10^20 (past MaxUint64)
	Steps   = 9  // linear buckets per decade
	// NumBuckets counts bucket 0 (the value 0), nine buckets for each of
	// the decades 10^0 .. 10^18 and one last bucket [10^19, MaxUint64].
	NumBuckets = 1 + (Decades-1)*Steps + 1
)

var pow10 [Decades]uint64

func init() {
	p := uint64(1)
	for d := range pow10 {
		pow10[d] = p
		if d < Decades-1 {
			p *= 10
		}
	}
}

// decade returns d with 10^d <= v < 10^(d+1), for v > 0.
func decade(v uint64) int {
	// log10(2) ≈ 1233/4096: a first guess from the bit length, off by at
	// most one.
	d := (bits.Len64(v) * 1233) >> 12
	if d >= Decades {
		d = Decades - 1
	}
	if v < pow10[d] {
		d--
	}
	return d
}

// Bucket returns the bucket holding v.
func Bucket(v uint64) int {
	if v == 0 {
		return 0
	}
	d := decade(v)
	return 1 + d*Steps + int(v/pow10[d]) - 1
}

// Lower returns the smallest value of bucket i.
func Lower(i int) uint64 {
	if i <= 0 {
		return 0
	}
	d, m := (i-1)/Steps, (i-1)%Steps+1
	return uint64(m) * pow10[d]
}

// Upper returns the end of bucket i: the smallest value above it, as a
// float64 because the last bucket ends past MaxUint64.
func Upper(i int) float64 {
	if i <= 0 {
		return 1
	}
	d, m := (i-1)/Steps, (i-1)%Steps+1
	return float64(m+1) * math.Pow10(d)
}

// UpperInt returns the end of bucket i as an integer (exclusive), or
// MaxUint64 for the last bucket (whose values end there inclusive).
func UpperInt(i int) uint64 {
	if i >= NumBuckets-1 {
		return math.MaxUint64
	}
	return Lower(i + 1)
}

// Hist is one histogram over the fixed layout. The zero value is empty and
// ready to use.
type Hist struct {
	Counts [NumBuckets]uint64
	Count  uint64  // values added
	Sum    float64 // their sum
}

// Add counts one value.
func (h *Hist) Add(v uint64) {
	h.Counts[Bucket(v)]++
	h.Count++
	h.Sum += float64(v)
}

// Merge adds o's counts to h.
func (h *Hist) Merge(o *Hist) {
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
	h.Count += o.Count
	h.Sum += o.Sum
}

// Reset empties h.
func (h *Hist) Reset() { *h = Hist{} }

// Range returns the first and last non-empty buckets; ok is false when h is
// empty.
func (h *Hist) Range() (lo, hi int, ok bool) {
	return countsRange(h.Counts[:])
}

func countsRange(c []uint64) (lo, hi int, ok bool) {
	lo, hi = -1, -1
	for i, n := range c {
		if n == 0 {
			continue
		}
		if lo < 0 {
			lo = i
		}
		hi = i
	}
	return lo, hi, lo >= 0
}

// Quantile returns the lower bound of the bucket holding the q-quantile
// (0 <= q <= 1) of the values, or 0 when h is empty.
func (h *Hist) Quantile(q float64) uint64 {
	if h.Count == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.Count)))
	rank = max(rank, 1)
	var seen uint64
	for i, n := range h.Counts {
		seen += n
		if seen >= rank {
			return Lower(i)
		}
	}
	return Lower(NumBuckets - 1)
}
