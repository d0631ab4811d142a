// SPDX-License-Identifier: Apache-2.0

// Package prom exposes ferret's measurements on a Prometheus /metrics
// endpoint with client_golang: network accounting counters labelled by
// program and peer (bounded to the top K peers per program plus "other"),
// per-program send/receive call-time histograms (classic buckets at the
// bounds of package hist, from 100 ns to 100 s, plus the native
// buckets of schema 2 the kernel counted beside them), ferret's own health (calls
// seen, drops, map pressure) and the delivery
// counters of a Zabbix sender (ZabbixCollector).
//
// prom is a layer-5 package: it imports netacct, hist and export/zabbix. It must
// not import cilium/ebpf or packages above layer 5.
package prom
