// SPDX-License-Identifier: Apache-2.0

// Package netacct loads and attaches the in-kernel network accounting
// programs (bpf/netacct) and reads their maps: cumulative bytes, calls and
// connections per process and remote endpoint, counted at the socket layer,
// plus TCP's own byte counters of closed connections and health counters.
// User space only reads the maps, so its cost does not grow with the packet
// rate.
//
// It may import cilium/ebpf and internal/netacct (layer 1); nothing above
// layer 2.
package netacct
