// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/view"
)

func init() {
	Register("top", "csysdig's interactive views (processes, connections, files, ...), live or on a capture file", runTop)
}

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
 -A, -X, -R, -T, -B, -k, -K, -m, -N, --cri, --logfile, --page-faults,
 --large-environment, --force-term-compat
                        Accepted for compatibility with csysdig.

Keys: arrows, PgUp/PgDn, Home/End move; Enter drills down, Backspace goes
back; F2 views; F4 or \ filter; F5/e echo; F6/d events; F7 help; F8 actions;
F9/> sort; / search; p pause; [ and ] step through a capture; q quits.
`

// topConfig is the parsed command line of ferret top.
type topConfig struct {
	read       string
	view       string
	delayMS    uint64
	numEvents  uint64
	snaplen    int
	raw, json  bool
	containers bool
	listViews  bool
	listFields bool
	help       bool
	filter     string
}

// topOptsWithArg are the options that take an argument (short, long).
var topOptsWithArg = map[string]bool{
	"d": true, "delay": true, "n": true, "numevents": true, "r": true, "read": true, "readfile": true,
	"s": true, "snaplen": true, "v": true, "view": true, "k": true, "k8s-api": true, "K": true,
	"k8s-api-cert": true, "m": true, "mesos-api": true, "N": true, "node-name": true, "cri": true,
	"cri-timeout": true, "logfile": true, "sortingcol": true, "from": true, "to": true,
}

func parseTop(args []string) (*topConfig, error) {
	c := &topConfig{delayMS: 2000, snaplen: 80}
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
	c.filter = strings.Join(operands, " ")
	return c, nil
}

func (c *topConfig) apply(name, val string) error {
	var err error
	switch name {
	case "h", "help":
		c.help = true
	case "r", "read", "readfile":
		c.read = val
	case "v", "view":
		c.view = val
	case "d", "delay":
		c.delayMS, err = strconv.ParseUint(val, 10, 64)
		if err != nil {
			return fmt.Errorf("can't parse the -d argument, make sure it's a number")
		}
		if c.delayMS < 100 {
			return fmt.Errorf("Period must be bigger then 100ms")
		}
	case "n", "numevents":
		c.numEvents, err = strconv.ParseUint(val, 10, 64)
		if err != nil || c.numEvents == 0 {
			return fmt.Errorf("can't parse the -n argument, make sure it's a number")
		}
	case "s", "snaplen":
		c.snaplen, err = strconv.Atoi(val)
		if err != nil || c.snaplen < 0 {
			return fmt.Errorf("invalid snaplen %s", val)
		}
	case "p":
		if val == "c" || val == "container" || val == "container " {
			c.containers = true
		}
	case "raw":
		c.raw = true
	case "j", "json":
		c.json = true
	case "l", "list":
		c.listFields = true
	case "list-views":
		c.listViews = true
	case "A", "print-ascii", "X", "print-hex-ascii", "R", "resolve-ports", "T", "force-tracers-capture",
		"E", "exclude-users", "B", "bpf", "page-faults", "large-environment", "force-term-compat",
		"interactive", "version", "k", "k8s-api", "K", "k8s-api-cert", "m", "mesos-api", "N", "node-name",
		"cri", "cri-timeout", "logfile", "sortingcol", "from", "to":
	default:
		return fmt.Errorf("unknown option -%s", name)
	}
	return nil
}

func runTop(args []string) int {
	cfg, err := parseTop(args)
	if err != nil {
		fmt.Fprintf(Stderr, "ferret top: %v\n", err)
		return 1
	}
	if cfg.help {
		fmt.Fprint(Stdout, topUsage)
		return 0
	}
	if err := topRun(cfg); err != nil {
		fmt.Fprintln(Stderr, err)
		return 1
	}
	return 0
}

func topRun(cfg *topConfig) error {
	defs, _ := view.Load(nil)
	cat := view.NewCatalog(defs, cfg.containers, cfg.json)
	switch {
	case cfg.listViews:
		return cat.WriteList(Stdout)
	case cfg.listFields:
		return fields.Default.WriteList(Stdout, false)
	}
	if cfg.view != "" && cat.Find(cfg.view) == nil {
		return fmt.Errorf("unknown view %s - use --list-views to list them", cfg.view)
	}
	src, err := topSource(cfg)
	if err != nil {
		return err
	}
	defer src.Close()
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		if _, ok := <-sig; ok {
			close(stop)
		}
	}()
	if cfg.raw || cfg.json {
		return view.RunBatch(src, view.BatchConfig{View: cfg.view, Filter: cfg.filter, JSON: cfg.json,
			Live: cfg.read == "", Interval: cfg.delayMS * 1_000_000, MaxEvents: cfg.numEvents,
			Views: cat, Out: Stdout, Stop: stop})
	}
	return runTopUI(cfg, cat, src, stop)
}

// topSource opens the capture file, or the live source.
func topSource(cfg *topConfig) (capture.Source, error) {
	if cfg.read != "" {
		if _, err := os.Stat(cfg.read); err != nil {
			return nil, fmt.Errorf("can't open file %s: %v", cfg.read, errors.Unwrap(err))
		}
		return openFileSource([]string{cfg.read})
	}
	if checkLivePrivileges != nil {
		if err := checkLivePrivileges(); err != nil {
			return nil, err
		}
	}
	return openLiveSource(&Config{Snaplen: cfg.snaplen}, nil, false)
}

// runTopUI is the interactive screen.
var runTopUI = func(cfg *topConfig, cat *view.Catalog, src capture.Source, stop <-chan struct{}) error {
	return fmt.Errorf("ferret top: the interactive screen is not available; use --raw or -j")
}
