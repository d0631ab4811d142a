// SPDX-License-Identifier: Apache-2.0

// Package zabbix sends values to a Zabbix server or proxy with the trapper
// ("sender") protocol: a ZBXD header with an 8-byte little-endian length,
// then a "sender data" JSON request, answered with a JSON response whose
// info line says how many values were processed and failed. Values that
// could not be delivered stay queued (bounded; what is dropped at the bound
// is counted) and are sent again on the next flush.
//
// The network accounting exporter (NetExporter) builds low-level discovery
// data and item values from internal/netacct tables. The package must not
// import cilium/ebpf or anything above layer 5.
package zabbix
