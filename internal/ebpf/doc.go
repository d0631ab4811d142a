// SPDX-License-Identifier: Apache-2.0

// Package ebpf is the home of ferret's BPF loaders that are not a capture
// source: each subpackage loads and attaches one set of programs from bpf/
// and reads their maps (netacct: network accounting for `ferret net`;
// threadio: per-thread I/O byte counters for `ferret top`). They and
// internal/capture/live are the only packages that may import cilium/ebpf
// (internal/layers_test.go). This package itself holds no code.
package ebpf
