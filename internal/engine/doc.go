// SPDX-License-Identifier: Apache-2.0

// Package engine is the inspector loop: it pulls events from a
// capture.Source, keeps a state.State current, applies the command-line
// filter (a capture filter judges an event that modifies no state before the
// state parses it, as sysdig does) and hands every accepted event to its consumers (the event
// printer, chisels, the capture-file writer FileWriter). A capture filter
// selects what every consumer sees; a display filter (-d) only what the
// DisplayFiltered consumers (the printer) see.
// It also enforces the -n / -M limits and keeps the run statistics; Finish
// ends a run over a lagging live source once it has returned every event
// recorded before the call. A
// source that merges several machines (capture.MachineSource, a stream of a
// fleet) gets one state per machine; Run.State and the context's State are
// those of the current event's machine.
//
// Follow is the loop of the tools that follow processes live (trace,
// files, netfs): it hands every event to a handler until
// a stop condition holds (the held command exited, a stop predicate, N
// intervals, a signal), releasing the held command first and, after the
// end, draining a live source (capture.Lagging) up to the moment the stop
// was seen.
//
// NewCgroupPushDown is the consumer that widens a live source's kernel-side
// container filter to the matching containers that start during the run.
//
// Consumers and filters are interfaces defined here, so higher layers
// (chisel, export, app) plug in without engine importing them.
//
// engine is a layer-4 package: it imports capture, capfile, state, fields,
// event, held, container and the standard library. It must not import filter implementations, format,
// chisel, export, view, tui or app.
package engine
