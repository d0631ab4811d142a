// SPDX-License-Identifier: Apache-2.0

// Package live captures system calls and process events from the running
// kernel with the eBPF probe in bpf/probe/probe.bpf.c (and its
// bpf/probe/fillers/*.h) and serves them as a capture.Source. Open loads it;
// OpenUnless gives up the wait when a signal comes first.
//
// The probe writes every event in the generic v2 wire format of
// internal/event. Events are gathered per CPU into batches; one ring-buffer
// record carries a whole batch, written without waking the reader. The reader
// polls the ring on a deadline, asks each CPU to flush its partial batch when
// it has been idle, and merges the per-CPU streams in timestamp order. It
// keeps the ring drained while it hands events out, into a backlog that
// grows (up to 8 times the ring) only while its consumer falls behind;
// Discard counts what a consumer that stops leaves unread. Mark
// and Caught (capture.Lagging) tell a reader when every event up to a
// moment has been returned.
// Kernel-side filters (traced process set, followed children, kept syscalls,
// the capturing process itself) drop unwanted events before any copying.
//
// What the probe emits for each event type (which argument, return value,
// user memory or task field fills each parameter) is described by a table in
// this package (desc.go) and loaded into a map, so the C side stays one
// generic encoder; the source, conversion and field numbers both sides use
// are generated from bpf/probe/probe.tbl (tools/genprobe). With Options.Raw, every syscall is instead recorded as a raw
// record (event.RawSyscall): its number, six arguments and return value,
// plus the user memory (strings, fixed-size structs, buffers bounded by an
// argument or the return value, string vectors) the caller's table lists,
// each syscall with its own descriptor. Losses are counted per CPU and
// reason in the kernel.
//
// With Options.ProcInfo the probe also sends procinfo events, as sysdig's
// driver does: when a thread leaves a CPU, at most once a second per
// thread, its user and system CPU time in USER_HZ ticks (the scheduler's
// run time, split as /proc/PID/stat splits it), kept per task in task
// storage; thread.cpu is computed from them.
//
// ProbeKernel reports which of the kernel facilities the probes rely on
// (BTF, ring buffers, tp_btf programs) the running kernel offers, for
// ferret --version.
//
// This package may import cilium/ebpf, internal/event, internal/capture,
// internal/procfs and internal/netfs (the mount tables of the snapshot and
// of the mount namespaces met later);
// nothing from layer 2 up.
package live
