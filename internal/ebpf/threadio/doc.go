// SPDX-License-Identifier: Apache-2.0

// Package threadio loads bpf/threadio: per-thread I/O byte counters, by
// kind of descriptor (files, IPv4/IPv6 sockets, any) and direction, summed
// in the kernel at the exit of the I/O system calls of ferret's event
// table. `ferret top` reads them once per refresh for the tables whose I/O
// columns they can serve (the procs and threads views), so that no I/O
// event is copied from the kernel for those views.
package threadio
