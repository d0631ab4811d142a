// SPDX-License-Identifier: Apache-2.0

package threadio

//go:generate go tool bpf2go -target amd64,arm64 -type io_counts -cflags "-O2 -g -Wall -Werror" Threadio ../../../bpf/threadio/threadio.bpf.c -- -I../../../bpf/include
