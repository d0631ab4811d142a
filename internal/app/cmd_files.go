// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/ferret-observability/ferret/internal/filemon"
)

const filesUsage = `Usage: ferret files [options] [-- CMD [ARGS...]]

Watches every file open and close of a process tree (the processes given
with --pid, or the command given after --, and all their descendants, plus
programs named with --comm started later) and prints one record per file
when it is closed, when its process exits, or when monitoring ends: open
and close times, duration, pid, tid, ppid, comm, path (made absolute),
flags, fd, bytes read and written, and the open's result. Processes of the
trees that already run are watched too, and files they had open before
monitoring started are reported like the others, their open time marked
"<" (JSON: "opened_before": true).

Options:
`

func (c *cli) runFiles(args []string) int {
	fs := pflag.NewFlagSet("ferret files", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	pids := fs.IntSlice("pid", nil, "watch process `PID` and its descendants (repeatable)")
	comms := fs.StringArray("comm", nil, "also watch programs with this command `NAME` (repeatable)")
	prefixes := fs.StringArray("prefix", nil, "only report files under `PATH` (repeatable; default: all)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	out := fs.StringP("output", "o", "", "write records to `FILE`")
	quiet := fs.BoolP("quiet", "q", false, `no "ferret: capture started" and "watching" lines`)
	untilExit := fs.Bool("until-exit", false, "stop when the watched processes (or the command) have exited")
	fs.Usage = func() {
		io.WriteString(c.stderr, filesUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(c.stderr, "ferret files: "+format+"\n", a...)
		return 1
	}
	cmd := fs.Args()
	if len(cmd) == 0 && len(*pids) == 0 && len(*comms) == 0 {
		return fail("give --pid, --comm or a command to run")
	}
	for _, p := range *pids {
		// before loading the probe (filemon.Run checks again once it is
		// attached)
		if _, err := os.Stat("/proc/" + strconv.Itoa(p)); p <= 0 || err != nil {
			return fail("process %d: no such process", p)
		}
	}
	for i, p := range *prefixes {
		abs, err := filepath.Abs(p)
		if err != nil {
			return fail("prefix %s: %v", p, err)
		}
		(*prefixes)[i] = abs
	}
	w := c.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	status, err := filemon.Run(filemon.Session{PIDs: *pids, Comms: *comms, Prefixes: *prefixes, JSON: *asJSON,
		UntilExit: *untilExit || len(cmd) > 0, Cmd: cmd, Out: bw,
		Warn: unlessQuiet(c.stderr, *quiet), Started: unlessQuiet(c.stderr, *quiet)})
	if err != nil {
		fail("%v", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}
