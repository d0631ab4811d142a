// SPDX-License-Identifier: Apache-2.0

// Package fields is ferret's field registry: every %field of sysdig's filter
// and output language (evt.*, proc.*, thread.*, fd.*, fdlist.*, user.*,
// group.*, syscall.*, container.*, and registered-but-empty k8s/mesos/span
// classes), with metadata for -l/-lv/--list-markdown, greedy token matching
// (Lookup), compilation into Extractors (Compile), typed values for filters
// and JSON, and text rendering exactly as sysdig 0.29.3 prints it (including
// evt.info / evt.args argument rendering).
//
// Field classes are registered from init functions with Register, so a class
// can live in its own file of this package: build a Class (its Order places
// it in the -l listing; built-in classes use 10..130), give each Field a
// NewFunc returning an Extractor, and read the current event through the
// Ctx (Ctx.Ev, Ctx.Thread, Ctx.CurFD for the fd with its Name and Dev,
// Ctx.State for every table). Extractors must not allocate per event:
// reuse buffers held by the compiled extractor.
//
// The net.* fields have a value only on the flow records a view of
// `ferret net`'s kernel counters makes (Ctx.Flow), never on events.
//
// Extraction runs after state.Update for the event, so exit events see the
// fds they created and close exits still see the fd they closed.
//
// fields is a layer-2 package: it imports internal/state, internal/event and
// internal/netfs (mount lookups for fd.mnt.*) and internal/netacct (the
// flow records of the net.* fields, Ctx.Flow) only (plus the standard
// library). It must not import filter, format,
// engine, chisel or anything above.
package fields
