// SPDX-License-Identifier: Apache-2.0

// Package nats reads captures back from NATS JetStream (ferret -r
// nats://HOST:PORT/SUBJECT): Source is a capture.Source over the messages
// of one subject or of a wildcard (ferret.> for a whole fleet). Each
// writer's messages are put back in order by their sequence number
// (duplicates left out), decoded with internal/capfile's Reader from the
// last snapshot at or before the start (--since), and the writers are
// merged by event time; the source tells the engine which machine each
// event comes from, so every machine keeps its own state.
//
// It also holds what writers share with it: the address syntax, the
// connection (credentials, TLS) and the message header names.
//
// It is a layer-2 package beside capture/file: it imports capture,
// capfile, event and nats.go.
package nats
