// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/tui"
	"github.com/ferret-observability/ferret/internal/view"
)

const topUsage = `Usage: ferret top [options] [filter]

Shows csysdig's views of the machine (live, as root) or of a capture file
(-r): tables of processes, threads, connections, files, system calls, errors
and more, that can be sorted, filtered and drilled down into.

Options:
 -d <ms>, --delay=<ms>  Delay between updates in milliseconds (default 2000).
 -E, --exclude-users    Accepted for compatibility (user names come from the
                        capture or /etc/passwd).
 -h, --help             Print this page.
 -j, --json             Print the view's samples as JSON, like csysdig -j.
 -l, --list             List the fields that can be used in views.
 --list-views           List the views as JSON.
 -n <num>, --numevents=<num>
                        Stop after <num> events.
 -pc, -pcontainer       Container-friendly views (container columns).
 -r <file>, --read=<file>
                        Read events from a capture file, or from a stream
                        (nats://HOST[:PORT]/SUBJECT, as ferret -r).
 --raw                  Print the view's samples as text instead of the
                        interactive screen.
 -s <len>, --snaplen=<len>
                        Capture the first <len> bytes of each I/O buffer.
 -v <view_id>, --view=<view_id>
                        Start with this view (see --list-views).
 --sortingcol=<col>     Sort by visible column <col> (1 is the first column
                        after the key) instead of the view's own.
 --from=<row>, --to=<row>
                        -j prints rows <row> to <row> (0-based, inclusive)
                        of each sample; --to=0 prints them all.
 -A, -X, -R, -T, -B, -k, -K, -m, -N, --cri, --logfile, --page-faults,
 --large-environment, --force-term-compat
                        Accepted for compatibility with csysdig.

Keys: arrows, PgUp/PgDn, Home/End move; Enter drills down, Backspace goes
back; F2 views; F4 or \ filter; F5/e echo; F6/d events; F7 help; F8 actions;
F9/> sort; / search; p pause; [ and ] step through a capture; q quits.
`

func (c *cli) runTop(args []string) int {
	cfg, err := view.ParseArgs(args)
	if err != nil {
		fmt.Fprintf(c.stderr, "ferret top: %v\n", err)
		return 1
	}
	if cfg.Read == "" && os.Getenv("GOGC") == "" {
		// Live, the heap holds 30-40 MB after a collection (threads,
		// rows, event buffers): collecting at 50 % growth rather than
		// Go's 100 % keeps the resident size about a third lower for
		// some 10 % more CPU (bench/RESULTS.md). GOGC, when set, wins.
		debug.SetGCPercent(50)
	}
	switch {
	case cfg.Help:
		fmt.Fprint(c.stdout, topUsage)
		return 0
	case cfg.ListFields:
		err = fields.Default.WriteList(c.stdout, false)
	case cfg.Raw || cfg.JSON || cfg.ListViews:
		err = view.Run(cfg.Config, c.stdout)
	default:
		err = tui.Run(cfg.Config)
	}
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return 1
	}
	return 0
}
