// SPDX-License-Identifier: Apache-2.0

// Package trace is ferret's strace. It reads raw syscall records (the
// native number, the six arguments, the return value and the user memory
// listed for the call, see event.RawSyscall) and prints strace-syntax
// lines: one decoding table (syscalls.go) gives the kind of every
// argument, and each kind has one decoder (paths, buffers with -s
// truncation and escapes, flag sets, enumerations, prctl by option with
// its named results (prctl.go), structs such as stat,
// statx, rlimit, sigaction, sigset, timespec, sockaddr, pollfd, epoll_event,
// fd_set, group lists, termios, winsize, utsname, sysinfo, iovec arrays
// with their data, msghdr with its name and control messages, sigevent,
// itimerspec, NUMA node masks; timers.go) and says
// which user memory the probe copies for it (Copies).
// With -y the tracer keeps each process's descriptor table and working
// directory (fds.go) to show the path behind every descriptor; -yy adds
// device numbers and socket protocols and ends (sockdiag.go, from the
// kernel's socket diagnostics).
// With -k it prints each call's user stack under its line (stack.go): the
// probe copies the registers and stack, internal/unwind unwinds them with
// the process's mappings, read from /proc while it runs or, for a process
// already gone, from the loaded objects its exit_group or execve record
// carries (its lines are held back until then).
// The tracer also prints errno names, "<unfinished ...>"/"<... resumed>"
// pairs when tasks interleave, "[pid N]" or "PID " prefixes, -T durations,
// -t/-tt/-ttt timestamps, -e read=/write= hex dumps, named constants as
// names, numbers or both (-X, style.go), undecoded arguments for the -e
// raw= set and addresses for the structs of calls outside -e verbose=,
// whole structs and arrays for the calls outside -e abbrev= (-v, full.go),
// signal and exit
// lines; filters with strace's -e trace= sets and classes; and accumulates
// the -c summary table (sorted as -S asks).
// ParseArgs reads strace's command line (refusing, with the reason, the
// options ferret cannot honour) and Args.Run runs it. Run is one `ferret
// trace` session: it starts the command held (internal/held) or
// attaches to running processes, opens the live capture of raw records
// filtered by pid in the kernel and feeds the tracer through engine.Follow.
//
// trace is a layer-5 package: it imports event, capture/live, engine, held,
// procfs and unwind (and the standard library, x/sys). It must not import
// app.
package trace
