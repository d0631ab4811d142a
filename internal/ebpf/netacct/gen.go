// SPDX-License-Identifier: Apache-2.0

package netacct

//go:generate go tool bpf2go -target amd64,arm64 -type flow_key -type flow_val -type tcp_val -type lat_key -type lat_val -cflags "-O2 -g -Wall -Werror -mcpu=v3" Netacct ../../../bpf/netacct/netacct.bpf.c -- -I../../../bpf/netacct
