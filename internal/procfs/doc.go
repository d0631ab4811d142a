// SPDX-License-Identifier: Apache-2.0

// Package procfs reads the running system's state from /proc, /sys and
// /etc into an event.Snapshot: machine information, network interfaces,
// users and groups, every thread with its command line, environment, working
// directory, credentials, memory sizes and limits, and every open file
// descriptor with its type, name and, for sockets, the connection tuple.
// Live capture starts from this snapshot the way a capture file starts from
// its metadata blocks.
//
// The root directory is configurable so tests can scan a fake tree.
//
// It imports only internal/event, the standard library and
// golang.org/x/sys/unix (layer 1).
package procfs
