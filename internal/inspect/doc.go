// SPDX-License-Identifier: Apache-2.0

// Package inspect is one sysdig-style session, the main `ferret` command
// once its command line is parsed (internal/app): it compiles the -p format
// and the filter, loads the chisels (their sysdig.set_filter, set_snaplen
// and run_app calls act on the session), opens the inputs (capture files,
// a NATS stream, or the live capture with the kernel-side filters the
// capture filter allows: event types, command names, container cgroups)
// and runs them through engine with the consumers the options ask for
// (event printer, -S summary, chisels, capture-file or stream writer, the
// container cgroup push-down), then flushes them and prints the -v and
// live drop figures. Errors carry sysdig's exact messages and exit status
// (ExitError).
//
// inspect is a layer-6 package: it imports engine, chisel, export/nats,
// fields, filter, format, capture (file, live and nats sources), capfile,
// container and event. It must not import app, view or tui.
package inspect
