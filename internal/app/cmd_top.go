// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"strconv"
	"strings"

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
                        Read events from a capture file.
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

// topOptsWithArg are the options that take an argument (short, long).
var topOptsWithArg = map[string]bool{
	"d": true, "delay": true, "n": true, "numevents": true, "r": true, "read": true, "readfile": true,
	"s": true, "snaplen": true, "v": true, "view": true, "k": true, "k8s-api": true, "K": true,
	"k8s-api-cert": true, "m": true, "mesos-api": true, "N": true, "node-name": true, "cri": true,
	"cri-timeout": true, "logfile": true, "sortingcol": true, "from": true, "to": true,
}

// topConfig is the parsed command line of ferret top.
type topConfig struct {
	view.Config
	listFields, help bool
}

func parseTop(args []string) (*topConfig, error) {
	c := &topConfig{Config: view.Config{DelayMS: 2000, SnapLen: 80}}
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			operands = append(operands, a)
			continue
		}
		var name, val string
		hasVal := false
		if strings.HasPrefix(a, "--") {
			name = a[2:]
			if k, v, ok := strings.Cut(name, "="); ok {
				name, val, hasVal = k, v, true
			}
		} else {
			name = a[1:2]
			if len(a) > 2 {
				if name == "p" || topOptsWithArg[name] {
					val, hasVal = a[2:], true
				} else {
					return nil, fmt.Errorf("unknown option %s", a)
				}
			}
		}
		if name == "p" || topOptsWithArg[name] {
			if !hasVal {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("option %s requires an argument", a)
				}
				i++
				val = args[i]
			}
		}
		if err := c.apply(name, val); err != nil {
			return nil, err
		}
	}
	c.Filter = strings.Join(operands, " ")
	if err := view.CheckRange(c.From, c.To); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *topConfig) apply(name, val string) error {
	var err error
	switch name {
	case "h", "help":
		c.help = true
	case "r", "read", "readfile":
		c.Read = val
	case "v", "view":
		c.View = val
	case "d", "delay":
		c.DelayMS, err = strconv.ParseUint(val, 10, 64)
		if err != nil {
			return fmt.Errorf("can't parse the -d argument, make sure it's a number")
		}
		if c.DelayMS < 100 {
			return fmt.Errorf("Period must be bigger then 100ms")
		}
	case "n", "numevents":
		c.NumEvents, err = strconv.ParseUint(val, 10, 64)
		if err != nil || c.NumEvents == 0 {
			return fmt.Errorf("can't parse the -n argument, make sure it's a number")
		}
	case "s", "snaplen":
		c.SnapLen, err = strconv.Atoi(val)
		if err != nil || c.SnapLen < 0 {
			return fmt.Errorf("invalid snaplen %s", val)
		}
	case "p":
		if val == "c" || val == "container" || val == "container " {
			c.Containers = true
		}
	case "raw":
		c.Raw = true
	case "j", "json":
		c.JSON = true
	case "l", "list":
		c.listFields = true
	case "list-views":
		c.ListViews = true
	case "A", "print-ascii", "X", "print-hex-ascii", "R", "resolve-ports", "T", "force-tracers-capture",
		"E", "exclude-users", "B", "bpf", "page-faults", "large-environment", "force-term-compat",
		"interactive", "version", "k", "k8s-api", "K", "k8s-api-cert", "m", "mesos-api", "N", "node-name",
		"cri", "cri-timeout", "logfile":
	case "sortingcol", "from", "to":
		n, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("%s is not a valid number", val)
		}
		switch name {
		case "sortingcol":
			if n == 0 {
				return fmt.Errorf("cannot sort by key")
			}
			c.SortingCol = n
		case "from":
			c.From = n
		case "to":
			c.To = n
		}
	default:
		return fmt.Errorf("unknown option -%s", name)
	}
	return nil
}

func (c *cli) runTop(args []string) int {
	cfg, err := parseTop(args)
	if err != nil {
		fmt.Fprintf(c.stderr, "ferret top: %v\n", err)
		return 1
	}
	switch {
	case cfg.help:
		fmt.Fprint(c.stdout, topUsage)
		return 0
	case cfg.listFields:
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
