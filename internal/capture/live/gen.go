// SPDX-License-Identifier: Apache-2.0

package live

//go:generate go run ../../../tools/genprobe -table ../../../bpf/probe/probe.tbl -c ../../../bpf/probe/probe.h -go probe_gen.go
//go:generate go tool bpf2go -target amd64,arm64 -type rec_hdr -type edesc -type route -cflags "-O2 -g -Wall -Werror" Probe ../../../bpf/probe/probe.bpf.c -- -I../../../bpf/probe -I../../../bpf/include
