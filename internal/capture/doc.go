// SPDX-License-Identifier: Apache-2.0

// Package capture defines the event-source interface every producer of events
// implements (live eBPF capture in capture/live, capture files in capture/file,
// synthetic events for tests in capture/synth, streams in capture/nats), the
// statistics and drop accounting they share (and their end-of-capture
// report, Stats.WriteReport), and the optional interfaces of live sources
// (ThreadLookup, MountNSLookup, Lagging).
//
// It imports only internal/event. Only capture/live (and the loaders under
// internal/ebpf) may import cilium/ebpf.
package capture
