// SPDX-License-Identifier: Apache-2.0

// Command genprobe turns the table of constants shared by the live probe
// and its loader (bpf/probe/probe.tbl: parameter sources, conversions,
// tuple bits, task and exit-code fields, record kinds, loss counters,
// limits) into the probe's C header (bpf/probe/probe.h) and the loader's Go
// constants (internal/capture/live/probe_gen.go), so the two sides cannot
// disagree. It runs from `go generate ./internal/capture/live`, before the
// probe is compiled; tools/check-generate fails when either output is stale.
package main
