// SPDX-License-Identifier: Apache-2.0

// Package oracle is the differential harness against sysdig 0.29.3: it
// generates capture files from a seed (every event type of the table in both
// directions with edge values, process trees in odd orders and pid
// namespaces, sockets of every family, the block types and versions older
// and newer libscap versions wrote), replays each with `ferret -r` and
// `sysdig -r` in many modes (default output, -j, -p over every field, a
// filter per field class and operator, -pc, -d, -n, -M and the chisels that
// run without a terminal), compares stdout and exit status, counts the
// agreement per mode and shrinks disagreeing inputs to small reproducers.
//
// Its tests run a fixed seed set; `make oracle` runs a long one.
package oracle
