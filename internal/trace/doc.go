// SPDX-License-Identifier: Apache-2.0

// Package trace is ferret's strace: it turns the enter/exit event pairs of the
// traced processes into strace-syntax lines (quoted and truncated strings,
// named flags, "= -1 ENOENT (No such file or directory)", "[pid N]" prefixes,
// -T durations, -t/-tt/-ttt timestamps, "+++ exited with N +++"), filters
// them with strace's -e trace= sets and classes, and accumulates the -c
// summary table. Run is one `ferret trace` session: it starts the command
// held (internal/held) or attaches to running processes, opens the live
// capture filtered by pid in the kernel and feeds the tracer through
// engine.Follow.
//
// trace is a layer-5 package: it imports event, capture/live, engine, held
// and procfs (and the standard library, x/sys). It must not import app.
package trace
