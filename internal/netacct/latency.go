// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"cmp"
	"slices"

	"github.com/ferret-observability/ferret/internal/hist"
)

// LatencyKey names one call-time histogram: a program and a direction
// ("send" or "recv").
type LatencyKey struct {
	Program string
	Op      string
}

// Latency is the cumulative histogram of the time a program's send or
// receive system calls took, in nanoseconds, over the buckets of package
// hist.
type Latency struct {
	LatencyKey
	Hist hist.Hist
	// Native counts the same calls in the buckets of a Prometheus native
	// histogram (hist.NativeSchema over seconds, from index
	// hist.NativeFirst); NativeZero those of 0 ns.
	Native     [hist.NativeBuckets]uint64
	NativeZero uint64
}

// LatencySource is implemented by sources that time socket calls.
type LatencySource interface {
	// Latencies returns the cumulative histograms sorted by program and
	// op, or nil when calls are not timed.
	Latencies() ([]Latency, error)
}

// SortLatencies sorts by program, then op.
func SortLatencies(l []Latency) {
	slices.SortFunc(l, func(a, b Latency) int {
		return cmp.Or(cmp.Compare(a.Program, b.Program), cmp.Compare(a.Op, b.Op))
	})
}
