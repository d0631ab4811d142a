// SPDX-License-Identifier: Apache-2.0

// Package view owns csysdig's views: their definitions and the tables they
// aggregate, with no terminal code.
//
// Definitions (Def) come from sysdig's v_*.lua scripts where a machine has
// them (read through the chisel package's Lua runtime: ReadViewInfo), and
// from ferret's built-in set (builtin.json, csysdig 0.29.3's views) for the
// others, plus ferret's own views (ferret.json: netfs and netfs_procs,
// network file systems per mount and per process through the fd.mnt.*
// fields); Load merges them, NewCatalog picks the usable ones and their
// columns by tag (-pc), sorted by name as csysdig lists them.
//
// A Table compiles a view against the field registry and the filter
// engine (the view's filter combined with the user's) and aggregates the
// events it is given: per key, each column by its aggregation (SUM, AVG,
// TIME_AVG, MIN, MAX or the first value), then for group-by views a merge
// per group-by key; at the end of a sample ProcessThreads adds one
// synthetic event per thread of the state table (so idle processes show),
// and Sample returns the rows sorted by the sorting column (ties by key).
// Text and JSONValue render values as csysdig does (K/M/G suffixes,
// durations, rates per second); DrillFilter builds the filter of a
// drill-down.
//
// Spectrogram views (csysdig's spectro_*) keep their table (keyed by the
// quantized field, for --raw and -j as csysdig prints them) and also count
// the unquantized field (evt.latency) per sample in internal/hist's
// log-linear buckets, the buckets of `ferret plot spectrogram`: a Session
// keeps one SpectroRow per refresh (per interval of a capture file), and
// SpectroColumns, SpectroCell and SpectroLegend say how a screen draws
// them (csysdig's log axis from 1 ns to 100 s, sysdig's colours).
//
// Views of flow records (netprocs, netpeers: columns of net.* fields)
// take their rows from `ferret net`'s kernel counters instead of events:
// Flows loads internal/ebpf/netacct's probe, and at the end of each
// sample ProcessFlows hands the table one record per process and remote
// peer (its traffic since the previous read, from netacct.Meter), with the
// process as the record's thread, through the same filter, aggregation and
// rendering. drilldown_key lets such a view drill down on a column (the
// flow's proc.pid) rather than its key.
//
// Live tables of threads and processes whose columns are thread state and
// summed I/O lengths (procs, threads, containers), under a filter on the
// thread's state alone, take their I/O columns from per-thread counters in
// the kernel (ThreadIO, internal/ebpf/threadio) instead of I/O events: the
// kernel then copies no I/O event for them (KernelPushDown), and each
// thread's bytes since the previous read join its row in the end-of-sample
// pass (a thread that exits gives its last bytes with its procexit
// event). They give the totals the events would (TestThreadIOMatchesEvents);
// other views, filters on descriptors or events, and capture files keep
// the event path.
//
// Live tables keyed by thread whose columns and filter are local to the
// thread (its record, its main thread's, the user table: procs, threads)
// are tracked (Table.Track): their rows stay from one sample to the next,
// and the end-of-sample pass visits only the threads the state changed
// since the previous pass (state.Thread.ChangedSince), those removed, and
// the rows events or counters gave values to in this sample or the
// previous one; the others keep the rows they had, which a full pass
// would give again (TestTrackedTablesMatch).
//
// Batch is the engine consumer behind `ferret top --raw` and `-j`, and
// RunBatch runs it over a source. ParseArgs reads csysdig's command line
// into a Config (for internal/tui and Run).
//
// view is a layer-6 package: it may import chisel, engine, filter, format,
// fields, state, capture (file and live sources), netacct and its probe
// (internal/ebpf/netacct), internal/ebpf/threadio and event, never tui or
// app.
package view
