// SPDX-License-Identifier: Apache-2.0

// Package synth builds synthetic events for tests: a capture.Source over a
// fixed list of events and a snapshot, and a generator with one helper per
// common syscall that emits enter/exit records with the exact parameter
// lists of the event table.
//
// It imports internal/event and internal/capture only; it is meant for tests
// and must not be used by production code paths.
package synth
