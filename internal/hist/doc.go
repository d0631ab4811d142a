// SPDX-License-Identifier: Apache-2.0

// Package hist aggregates numeric event values (latencies in nanoseconds,
// sizes in bytes) into log-linear histograms while events stream.
//
// The bucket layout is fixed so that every user (pictures, the top views,
// the Prometheus exporter) shows the same buckets: bucket 0 holds the value
// 0, and each decade [10^d, 10^(d+1)) is split into nine linear buckets
// [m·10^d, (m+1)·10^d) for m = 1..9, for d = 0..18, and the last bucket
// holds [10^19, MaxUint64].
// Bucket maps a value to its bucket with a few integer operations and no
// allocation.
//
// Hist is one histogram. Grid counts events in cells of a time × column
// grid (time rows of a fixed interval aligned to multiples of it; the column
// is a histogram bucket or any other small index), growing by whole rows.
// Sums adds values per text key and time interval and ranks the keys by
// their total. NativeBounds gives the exponential layout of Prometheus
// native histograms (schema 2, over seconds) in nanoseconds, for exporters
// that count both. Adding to any of them allocates only when a new row or a new
// key appears.
package hist
