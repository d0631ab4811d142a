// SPDX-License-Identifier: Apache-2.0

// Package trace is ferret's strace: it turns the enter/exit event pairs of the
// traced processes into strace-syntax lines (quoted and truncated strings,
// named flags, "= -1 ENOENT (No such file or directory)", "[pid N]" prefixes,
// -T durations, -t/-tt/-ttt timestamps, "+++ exited with N +++"), filters
// them with strace's -e trace= sets and classes, and accumulates the -c
// summary table. It also starts a command held before its first instruction
// (StartHeld) so that a kernel-side pid filter can be armed before the
// command runs.
//
// trace is a layer-5 package: it imports event (and the standard library,
// x/sys). It must not import app, view or tui; the live capture that feeds
// it is wired up in internal/app.
package trace
