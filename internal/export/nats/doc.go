// SPDX-License-Identifier: Apache-2.0

// Package nats streams captures to NATS JetStream (ferret -w nats://…):
// Sink is the engine consumer that writes the blocks of a capture file
// (section header, machine, users, processes, fds, then events; built by
// internal/capfile's Writer) as messages of whole blocks, at most about
// 64 KiB or 100 ms each, and a new section (state snapshot) at the start
// and at every rotation period (-G, -C), so a reader may start at any
// snapshot. Each message carries a Nats-Msg-Id (writer and sequence) for
// the server's deduplication and the Ferret-* headers readers use
// (internal/capture/nats reads them back).
//
// The publisher behind it sends asynchronously and keeps every message
// until the server acknowledged it: in memory, then in a bounded spool
// directory on disk while the server is unreachable; it sends them again
// in order once connected, and counts what it had to drop.
//
// JSONSink publishes one JSON event per message (ferret -j -w nats://…),
// and NetPublisher the interval tables of ferret net as JSON.
//
// It is a layer-5 package beside internal/export/prom and zabbix: it
// imports engine, fields, format, capfile, state, event and
// internal/capture/nats (addresses, connection, header names).
package nats
