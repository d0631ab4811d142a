// SPDX-License-Identifier: Apache-2.0

// Package state owns ferret's view of the traced machine: the thread table
// (with per-process fd tables), users, groups, network interfaces,
// containers and the mount tables (the capturing machine's, one per mount
// namespace its threads are in, following their mount and umount calls;
// each thread knows its namespace; the fd.mnt.* fields read them). It starts from an event.Snapshot (Load) and is kept current by
// feeding it every event in order (Update), the way sysdig's parsers keep
// their thread and fd tables.
//
// The per-event state machine is a handler table indexed by event type.
// Enter events are remembered per thread (their bytes copied into a reusable
// per-thread buffer) so exit events can be paired with them for fd context
// and latency. After Update, Cur describes the event just processed: its
// thread, the fd it refers to, its paired enter event. Gen changes with
// every event the handler table handles (and every thread added or
// removed), so a reader can tell that nothing it reads changed. Update is
// Prepare (thread and fd lookup, pairing) followed by Parse (the handler);
// a capture filter judges an event that modifies no state between the two,
// and Reject ends one it refused, as sysdig's parser does.
//
// state is a layer-1 package: it imports only internal/event and the
// standard library. It must not import fields, filter, format, engine or any
// capture source.
package state
