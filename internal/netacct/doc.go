// SPDX-License-Identifier: Apache-2.0

// Package netacct turns the cumulative per-process, per-peer network counters
// kept by the kernel into interval tables: deltas between reads, grouping by
// program / peer address / port, ordering by traffic, totals, and bounded
// label sets (top-K peers per program plus "other") for exporters. Filter
// compiles a "ferret net" filter, written in ferret's one filter grammar
// (internal/filter/syntax), over the fields a flow key has. It also holds
// the per-program call-time histograms (Latency, over the buckets of
// package hist) that a source may provide. Meter keeps the process ids:
// per kernel entry, its traffic since the previous read and since the
// meter started (ferret top's flow views).
//
// It owns no kernel code and must not import cilium/ebpf or any package above
// layer 1 (it imports filter/syntax and hist, leaves); the probe that fills
// it lives in internal/ebpf/netacct.
package netacct
