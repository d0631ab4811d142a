// SPDX-License-Identifier: Apache-2.0

// Package netacct loads and attaches the in-kernel network accounting
// programs (bpf/netacct) and reads their maps: cumulative bytes, calls and
// connections per process and remote endpoint, counted at the socket layer
// (sends, including sendfile, splice and MSG_ZEROCOPY; TCP reads by the
// advance of the reader's sequence number, so splice reads count too),
// plus TCP's own byte counters of closed connections and health counters.
//
// One program runs per socket call (sock_send_length/sock_recv_length).
// TCP calls only add to counters in the socket's own storage; Flows first
// runs an iterator that folds those into the flow map; where the kernel
// refuses iterator programs (a security policy may), every TCP call folds
// its own counters instead, with a warning. Peers of unconnected
// UDP sockets come from cgroup sendmsg/recvmsg hooks on the root of the
// cgroup v2 hierarchy, which run only for such calls. Needs a kernel with
// BTF, those tracepoints (6.3 or later), socket-local storage for tracing
// programs (and preferably its iterator), and cgroup v2 (mounted privately when the
// machine has not). User space only reads the maps, so its cost does not
// grow with the packet rate.
//
// With Options.Latency, programs on the sendto/sendmsg/sendmmsg and
// recvfrom/recvmsg/recvmmsg syscall tracepoints (which run for those calls
// only) time each call, keeping its entry time in the thread's task
// storage, and add it to a per-CPU histogram per process and direction
// with the buckets of package hist, and in the exponential buckets of a
// Prometheus native histogram (hist.NativeBounds, set as a read-only
// constant at load). Latencies sums them per program name,
// keeping the totals of processes that have exited after removing their
// entries.
//
// It lives under internal/ebpf, the home of BPF loaders that are not a
// capture source; with internal/capture/live they are the only packages
// that may import cilium/ebpf. It imports internal/netacct and
// internal/hist (layer 1); nothing above layer 2.
package netacct
