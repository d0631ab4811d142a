// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"io"

	"github.com/ferret-observability/ferret/internal/trace"
)

const traceUsage = `Usage: ferret trace [-cCfqrTwxzZ] [-t|-tt|-ttt] [-e EXPR] [-s N] [-o FILE] [-E VAR[=VAL]] -- CMD [ARGS...]
       ferret trace [options] -p PID[,PID...]

Traces the system calls of a command from its first one (execve), or of
running processes, and prints them in strace's syntax. No ptrace: events
come from ferret's eBPF probe, filtered by pid in the kernel.

  -f, --follow-forks        follow forks (children and threads)
  -ff, --output-separately  with -o FILE, write each task's lines to FILE.TID
  -c, --summary-only        count calls, errors and time per syscall; print a
                            table at exit
  -C, --summary             print the calls and the table
  -w, --summary-wall-clock  (the table's times are wall-clock times)
  -S SORTBY, --summary-sort-by=SORTBY
                            order the table by time (default), calls, errors,
                            name, avg-time, min-time, max-time or nothing
  -T, --syscall-times       show the time spent in each call
  -t, -tt, -ttt             prefix lines with the time of day, with
                            microseconds, or seconds since the epoch
  -r, --relative-timestamps prefix lines with the time since the previous one
  -e trace=SET, --trace=SET only these syscalls: names, classes (%file,
                            %network, %process, %signal, %ipc, %desc, %memory,
                            %creds, %stat...), /regexp, all, none; ! negates
  -e signal=SET, --signal=SET  only these signals' lines
  -e status=SET, --status=SET  successful, failed, unfinished (calls that
                            never returned), unavailable, detached; all,
                            none; ! negates
  -e read=FDS, -e write=FDS dump in hex the data read from or written to
                            these descriptors (read, pread64, recvfrom,
                            write, pwrite64, sendto; the first 15360 bytes)
  -z, --successful-only     only calls that succeeded
  -Z, --failed-only         only calls that failed
  -s N, --string-limit=N    show at most N bytes of strings (default 32)
  -x, -xx                   print non-ASCII strings (-xx: all strings) in hex
  -y, --decode-fds          show the path behind descriptors (pipes and
                            sockets as pipe:[INODE], while they are open)
  -yy, --decode-fds=all     also device numbers (</dev/null<char 1:3>>) and
                            socket protocols and ends (<TCP:[A:P->B:Q]>,
                            <UNIX-STREAM:[INODE->PEER]>), asked of the kernel
                            when ferret reads the call, while it is open
  -k, --stack-trace         print the user call stack of each call under its
                            line (unwound with the binaries' .eh_frame,
                            symbols from .symtab or .dynsym)
  -X raw|abbrev|verbose, --const-print-style=STYLE
                            print named constants as numbers (raw), names
                            (abbrev, the default) or both (verbose)
  -e raw=SET, --raw=SET     print the arguments of SET's syscalls undecoded,
                            in hex
  -e verbose=SET, --verbose=SET
                            decode the structs of SET's syscalls only (the
                            others show addresses; default all)
  -e abbrev=SET, --abbrev=SET
                            abbreviate the structs and arrays of SET's
                            syscalls only (default all); the others are
                            printed in full (all stat fields and times,
                            execve's environment, getdents entries, ...)
  -v, --no-abbrev           print every struct and array in full
                            (-e abbrev=none)
  -o FILE, --output=FILE    write the trace to FILE instead of standard error
  -p PID, --attach=PID      trace running processes (comma-separated or
                            repeated)
  -E VAR=VAL, -E VAR        set or remove a variable of the command's
                            environment
  -u USER, --user=USER      run the command with USER's user id, group id and
                            supplementary groups
  -q, -qq                   no capture-started, attach or detach messages;
                            -qq: no exit lines either
  --syscall-limit=N         stop tracing after N calls

Options ferret cannot honour (-v, -b, -P, -a, -I, -e abbrev=SET,
--trace-fds...) are refused with an error.
The exit status is the traced command's.
`

func (cl *cli) runTrace(args []string) int {
	c, err := trace.ParseArgs(args)
	if errors.Is(err, trace.ErrHelp) {
		io.WriteString(cl.stdout, traceUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(cl.stderr, "ferret trace: %v\nTry 'ferret trace -h' for more information.\n", err)
		return 1
	}
	status, err := c.Run(cl.stderr)
	if err != nil {
		fmt.Fprintf(cl.stderr, "ferret trace: %v\n", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}
