// SPDX-License-Identifier: Apache-2.0

// Command workload runs one benchmark workload and prints the time per
// operation it measured itself, so tracer start-up is not counted:
//
//	workload getppid N      N getppid() calls
//	workload orc N          N open+read+close of a small file
//	workload devnull N      N one-byte writes to /dev/null
//	workload parallel N     two goroutines on two threads, N getppid() each
//
// Output (one line): "<mode> ops=<N> syscalls=<S> ns_per_op=<X> ns_per_syscall=<Y>".
package main
