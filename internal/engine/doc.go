// SPDX-License-Identifier: Apache-2.0

// Package engine is the inspector loop: it pulls events from a
// capture.Source, keeps a state.State current, applies the command-line
// filter (as a capture filter or a display filter) and hands every accepted
// event to its consumers (the event printer, chisels, capture-file writers).
// It also enforces the -n / -M limits and keeps the run statistics.
//
// Consumers and filters are interfaces defined here, so higher layers
// (chisel, export, app) plug in without engine importing them.
//
// engine is a layer-4 package: it imports capture, state, fields, event and
// the standard library. It must not import filter implementations, format,
// chisel, export, view, tui or app.
package engine
