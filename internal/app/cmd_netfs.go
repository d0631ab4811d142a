// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/ferret-observability/ferret/internal/filemon"
)

const netfsUsage = `Usage: ferret netfs [options]

Follows file operations on network file systems (NFS, CIFS/SMB, sshfs and
other remote FUSE mounts, recognised by their type in the mount table):
prints slow operations as they happen, mount and umount calls with their
result, and every interval a table of operations, errors, bytes and latency
per process and mount.

Options:
`

func (c *cli) runNetfs(args []string) int {
	fs := pflag.NewFlagSet("ferret netfs", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	slower := fs.Float64("slower", 10, "print operations slower than `MS` milliseconds (0: print every operation)")
	interval := fs.Float64("interval", 5, "print the per-process, per-mount table every `S` seconds")
	count := fs.IntP("count", "n", 0, "stop after `COUNT` intervals (0: run until interrupted)")
	all := fs.Bool("all", false, "include local file systems too")
	quiet := fs.BoolP("quiet", "q", false, `no "ferret: capture started" line`)
	fs.Usage = func() {
		io.WriteString(c.stderr, netfsUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *interval <= 0 || *slower < 0 {
		fmt.Fprintln(c.stderr, "ferret netfs: --interval must be positive and --slower not negative")
		return 1
	}
	err := filemon.RunNetFS(filemon.NetFSSession{Started: unlessQuiet(c.stderr, *quiet), Warn: unlessQuiet(c.stderr, *quiet), Slow: time.Duration(*slower * float64(time.Millisecond)),
		Interval: time.Duration(*interval * float64(time.Second)), Count: *count, All: *all, Out: c.stdout})
	if err != nil {
		fmt.Fprintf(c.stderr, "ferret netfs: %v\n", err)
		return 1
	}
	return 0
}
