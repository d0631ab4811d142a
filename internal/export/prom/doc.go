// SPDX-License-Identifier: Apache-2.0

// Package prom exposes ferret's measurements on a Prometheus /metrics
// endpoint with client_golang: network accounting counters labelled by
// program and peer (bounded to the top K peers per program plus "other"),
// and ferret's own health (calls seen, drops, map pressure).
//
// It must not import cilium/ebpf or packages above layer 5.
package prom
