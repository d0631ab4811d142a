// SPDX-License-Identifier: Apache-2.0

package hist

import "math/big"

// The exponential layout of Prometheus native histograms at schema 2 (four
// buckets per power of two), over values in seconds: bucket i holds
// (2^((i-1)/4), 2^(i/4)] seconds. NativeBuckets of them are kept, from
// index NativeFirst (about 1.1 ns) to about 1000 s; larger values count in
// the last one, 0 in a zero bucket of its own.
const (
	NativeSchema  = 2
	NativeFirst   = -119
	NativeBuckets = 160
)

// NativeBounds returns the upper bound of each native bucket in whole
// nanoseconds, rounded down: an integer v lies in bucket j exactly when
// bound[j-1] < v <= bound[j].
func NativeBounds() [NativeBuckets]uint64 {
	var out [NativeBuckets]uint64
	const prec = 256
	for j := range out {
		i := NativeFirst + j
		// 2^(i/4) = 2^q · (fourth root of 2)^r with i = 4q + r, 0 <= r < 4.
		q, r := i/4, i%4
		if r < 0 {
			q, r = q-1, r+4
		}
		f := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1).SetPrec(prec), q)
		root := new(big.Float).SetPrec(prec).Sqrt(new(big.Float).SetPrec(prec).Sqrt(big.NewFloat(2).SetPrec(prec)))
		for k := 0; k < r; k++ {
			f.Mul(f, root)
		}
		f.Mul(f, new(big.Float).SetPrec(prec).SetInt64(1e9))
		n, _ := f.Uint64() // truncates toward zero
		out[j] = n
	}
	return out
}

// NativeBucket returns the native bucket index (j, 0-based from
// NativeFirst) of v nanoseconds, v > 0, for bounds from NativeBounds.
func NativeBucket(bounds *[NativeBuckets]uint64, v uint64) int {
	lo, hi := 0, NativeBuckets-1
	for lo < hi {
		mid := (lo + hi) / 2
		if v <= bounds[mid] {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
