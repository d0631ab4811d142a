// SPDX-License-Identifier: Apache-2.0

// Package filemon follows the file opens and closes of a process tree: for
// every file opened under the watched path prefixes it keeps the open time,
// flags, descriptor and the bytes read and written through it, and reports
// one Record when the file is closed, when its process exits or execs with
// close-on-exec, or when monitoring ends; Preload adds the processes and open
// files that exist when monitoring starts. The Monitor is a consumer of
// internal/state: processes, threads, fd tables, working directories (paths
// of opens made absolute against them or the directory descriptor of *at
// calls) and the pairing of enter and exit events are the state's; the
// monitor keeps only which processes are watched and the record of each
// reported open file. Records render as text lines or JSON objects.
//
// Run is one `ferret files` session and RunNetFS one `ferret netfs` session
// (per-process, per-mount statistics of network file systems, slow
// operations and mount calls, with internal/netfs): each opens the live
// capture and feeds a Monitor through engine.Follow.
//
// filemon is a layer-5 package: it imports event, state, capture,
// capture/live,
// engine, held, netfs and procfs (and the standard library). It must not
// import app.
package filemon
