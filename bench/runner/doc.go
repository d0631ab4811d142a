// SPDX-License-Identifier: Apache-2.0

// Command runner measures what tracing costs a workload: every traced run is
// paired with an untraced run of the same workload, the order of the pair
// rotates between rounds, and the report gives the median and min–max of the
// per-round figures. It appends a Markdown section to bench/RESULTS.md.
//
// Each workload is first run once under perf stat counting
// raw_syscalls:sys_enter (children included), which gives the syscalls it is
// expected to make. Where a tracer's output tells how many of them it
// recorded (ferret -w, the -c summaries of ferret trace and strace, perf
// record, bpftrace's in-kernel count), the last round's count is shown next
// to that expectation; elsewhere the column is "—", and "?" when the count
// could not be read.
//
// Usage: runner -ferret PATH -workload PATH [-rounds 3] [-scale 1] [-out bench/RESULTS.md] [-only REGEXP]
package main
