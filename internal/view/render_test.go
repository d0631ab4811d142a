// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"
	"math"
	"testing"
)

// TestPadLikeFmt: the cell formatters pad and round as fmt's %*d and
// %*.*f do, negative widths (left-justified) included.
func TestPadLikeFmt(t *testing.T) {
	for _, w := range []int{-12, -1, 0, 1, 3, 8, 12} {
		for _, v := range []int64{0, 7, -7, 123456789, math.MaxInt64, math.MinInt64} {
			if got, want := padInt(v, w), fmt.Sprintf("%*d", w, v); got != want {
				t.Errorf("padInt(%d, %d) = %q, fmt %q", v, w, got, want)
			}
		}
		for _, v := range []float64{0, 0.005, 0.015, 1.005, 2.675, -3.5, 1023.999, 1e300, math.Inf(1), math.NaN()} {
			for _, prec := range []int{0, 2} {
				if got, want := padFloat(v, prec, w, 'K'), fmt.Sprintf("%*.*f%c", w, prec, v, 'K'); got != want {
					t.Errorf("padFloat(%v, %d, %d) = %q, fmt %q", v, prec, w, got, want)
				}
			}
		}
	}
}
