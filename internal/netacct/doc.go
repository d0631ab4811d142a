// SPDX-License-Identifier: Apache-2.0

// Package netacct turns the cumulative per-process, per-peer network counters
// kept by the kernel into interval tables: deltas between reads, grouping by
// program / peer address / port, ordering by traffic, totals, and bounded
// label sets (top-K peers per program plus "other") for exporters. It also
// holds the small filter language of "ferret net".
//
// It owns no kernel code and must not import cilium/ebpf or any package above
// layer 1; the probe that fills it lives in internal/capture/live/netacct.
package netacct
