// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/held"
)

// strace's command line: options, the command or the pids to attach to.

// Args is a parsed strace command line (ParseArgs).
type Args struct {
	follow, count, durations bool
	separate, summaryToo     bool
	relative                 bool
	time                     TimeMode
	set                      *Set
	status                   Status
	decodeFDs                int // -y 1, -yy 2
	stack                    bool
	constStyle               ConstStyle
	raw, verbose, abbrev     *Set
	readFDs, writeFDs        *FDSet
	user                     *held.User
	sortBy                   SortBy
	signals                  map[int]bool
	strSize                  int
	hex, quiet, limit        int
	out                      string
	env                      []string
	pids                     []int
	cmd                      []string
}

// unsupportedTrace names the strace options ferret trace refuses, with why.
var unsupportedTrace = map[string]string{
	"b": "detaching on a syscall (-b) is not supported",
	"P": "path filters (-P) are not supported", "a": "the result column (-a) is fixed at 40",
	"I": "-I is not supported", "D": "-D is not supported (no ptrace)", "n": "syscall numbers (-n) are not shown",
	"i": "the instruction pointer (-i) is not recorded", "F": "-F is not supported", "d": "-d is not supported",
	"O": "-O is not supported", "A": "-A is not supported", "U": "-U is not supported",
	"V": "-V is not supported",
}

// longTrace maps strace's long options to their short letter; "" marks
// those handled by name.
var longTrace = map[string]string{
	"follow-forks": "f", "summary-only": "c", "summary": "C", "syscall-times": "T", "relative-timestamps": "r",
	"successful-only": "z", "failed-only": "Z", "summary-wall-clock": "w", "output": "o", "attach": "p",
	"string-limit": "s", "env": "E", "quiet": "q", "absolute-timestamps": "t", "timestamps": "t",
	"output-separately": "", "trace": "", "signal": "", "status": "", "syscall-limit": "", "seccomp-bpf": "",
	"strings-in-hex": "", "const-print-style": "", "help": "",
	"decode-fds": "", "stack-trace": "k", "user": "u", "detach-on": "!b", "trace-path": "!P",
	"columns": "!a", "trace-fds": "!trace-fds", "inject": "!inject", "fault": "!fault", "no-abbrev": "v",
	"raw": "", "read": "", "write": "", "abbrev": "", "verbose": "",
	"summary-sort-by": "S", "summary-columns": "!summary-columns", "decode-pids": "!decode-pids",
	"kvm": "!kvm", "daemonize": "!D", "instruction-pointer": "!i", "syscall-number": "!n",
}

// ParseArgs reads strace's options and the command (or -p PIDs) that
// follows them; -h and --help return ErrHelp. Options ferret cannot honour
// are refused with an error saying why.
func ParseArgs(args []string) (*Args, error) {
	c := &Args{strSize: DefaultStrSize}
	i := 0
	value := func(a string, j int, name byte) (string, error) {
		if j+1 < len(a) {
			return a[j+1:], nil
		}
		i++
		if i >= len(args) {
			return "", fmt.Errorf("option requires an argument -- '%c'", name)
		}
		return args[i], nil
	}
	follows := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if a == "-h" || a == "--help" {
			return nil, ErrHelp
		}
		if long, ok := strings.CutPrefix(a, "--"); ok {
			name, v, hasV := strings.Cut(long, "=")
			short, known := longTrace[name]
			switch {
			case !known:
				return nil, fmt.Errorf("unrecognized option '--%s'", name)
			case strings.HasPrefix(short, "!"):
				if why, ok := unsupportedTrace[short[1:]]; ok {
					return nil, fmt.Errorf("--%s: %s", name, why)
				}
				return nil, fmt.Errorf("--%s is not supported", name)
			}
			needs := map[string]bool{"o": true, "p": true, "s": true, "E": true, "S": true, "u": true, "trace": true, "signal": true,
				"status": true, "read": true, "write": true, "syscall-limit": true, "const-print-style": true,
				"raw": true, "abbrev": true, "verbose": true}
			key := short
			if key == "" {
				key = name
			}
			if needs[key] && !hasV {
				i++
				if i >= len(args) {
					return nil, fmt.Errorf("option '--%s' requires an argument", name)
				}
				v = args[i]
			}
			if err := c.long(key, v, hasV, &follows); err != nil {
				return nil, err
			}
			continue
		}
	flags:
		for j := 1; j < len(a); j++ {
			switch l := a[j]; l {
			case 'f':
				follows++
			case 'c':
				c.count = true
			case 'C':
				c.summaryToo = true
			case 'T':
				c.durations = true
			case 'r':
				c.relative = true
			case 'q':
				c.quiet++
			case 'x':
				c.hex++
			case 'z':
				c.status = StatusOK
			case 'Z':
				c.status = StatusFailed
			case 'y':
				c.decodeFDs++
			case 'k':
				c.stack = true
			case 'v':
				c.abbrev = noSyscalls()
			case 'w':
			case 't':
				if c.time < TimeEpoch {
					c.time++
				}
			case 'e', 'o', 'p', 's', 'E', 'X', 'S', 'u':
				v, err := value(a, j, l)
				if err != nil {
					return nil, err
				}
				if err := c.set1(l, v); err != nil {
					return nil, err
				}
				break flags
			default:
				if why, ok := unsupportedTrace[string(l)]; ok {
					return nil, fmt.Errorf("-%c: %s", l, why)
				}
				return nil, fmt.Errorf("invalid option -- '%c'", l)
			}
		}
	}
	c.follow = follows > 0
	if follows > 1 {
		if c.out == "" {
			return nil, errors.New("-ff needs -o FILE (each task's lines go to FILE.TID)")
		}
		c.separate = !c.count
	}
	c.cmd = args[i:]
	if len(c.cmd) == 0 && len(c.pids) == 0 {
		return nil, errors.New("must have PROG [ARGS] or -p PID")
	}
	if len(c.cmd) > 0 && len(c.pids) > 0 {
		return nil, errors.New("give either PROG [ARGS] or -p PID, not both")
	}
	return c, nil
}

// long applies a long option (by short letter or name).
func (c *Args) long(key, v string, hasV bool, follows *int) error {
	switch key {
	case "f":
		*follows = max(*follows, 1)
	case "k":
		c.stack = true
	case "v":
		c.abbrev = noSyscalls()
	case "output-separately":
		*follows = 2
	case "c":
		c.count = true
	case "C":
		c.summaryToo = true
	case "T":
		c.durations = true
	case "r":
		c.relative = true
	case "z":
		c.status = StatusOK
	case "Z":
		c.status = StatusFailed
	case "w", "seccomp-bpf":
	case "q":
		c.quiet++
	case "t":
		c.time = TimeSec
		if hasV {
			switch v {
			case "", "time", "format:time":
			case "precision:us", "us", "time,us":
				c.time = TimeUsec
			case "unix,us", "format:unix,precision:us":
				c.time = TimeEpoch
			default:
				return fmt.Errorf("--timestamps=%s is not supported (time, us, unix,us)", v)
			}
		}
	case "trace":
		return c.set1('e', "trace="+v)
	case "signal":
		return c.set1('e', "signal="+v)
	case "status", "read", "write", "raw", "abbrev", "verbose":
		return c.set1('e', key+"="+v)
	case "syscall-limit":
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid --syscall-limit argument: '%s'", v)
		}
		c.limit = n
	case "strings-in-hex":
		switch v {
		case "", "all":
			c.hex = 2
		case "non-ascii":
			c.hex = 1
		default:
			return fmt.Errorf("--strings-in-hex=%s is not supported (all, non-ascii)", v)
		}
	case "decode-fds":
		switch v {
		case "", "path":
			c.decodeFDs = max(c.decodeFDs, 1)
		case "all", "socket,dev", "dev,socket", "path,socket,dev":
			c.decodeFDs = 2
		default:
			return fmt.Errorf("--decode-fds=%s is not supported (path, all)", v)
		}
	case "const-print-style":
		return c.set1('X', v)
	default:
		return c.set1(key[0], v)
	}
	return nil
}

// noSyscalls is the empty syscall set (-v: abbreviate none).
func noSyscalls() *Set {
	s, _ := ParseSet("none")
	return s
}

// ErrHelp is returned by ParseArgs for -h and --help.
var ErrHelp = errors.New("help requested")

// parseSignalSet reads -e signal=: signal names (with or without SIG) or
// numbers, all, none, a leading ! negating.
func parseSignalSet(v string) (map[int]bool, error) {
	neg := strings.HasPrefix(v, "!")
	v = strings.TrimPrefix(v, "!")
	set := map[int]bool{}
	for _, f := range strings.Split(v, ",") {
		switch f = strings.TrimSpace(f); f {
		case "all":
			for s := 1; s <= 64; s++ {
				set[s] = true
			}
			continue
		case "none", "":
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			n = int(unix.SignalNum("SIG" + strings.TrimPrefix(strings.ToUpper(f), "SIG")))
		}
		if n <= 0 || n > 64 {
			return nil, fmt.Errorf("invalid signal '%s'", f)
		}
		set[n] = true
	}
	if neg {
		out := map[int]bool{}
		for s := 1; s <= 64; s++ {
			if !set[s] {
				out[s] = true
			}
		}
		return out, nil
	}
	return set, nil
}

func (c *Args) set1(opt byte, v string) error {
	switch opt {
	case 'e':
		q, expr, ok := strings.Cut(v, "=")
		if !ok {
			q, expr = "trace", v
		}
		switch q {
		case "trace", "t":
			s, err := ParseSet(expr)
			if err != nil {
				return err
			}
			c.set = s
		case "signal", "signals", "s":
			s, err := parseSignalSet(expr)
			if err != nil {
				return err
			}
			c.signals = s
		case "read", "reads", "r", "write", "writes", "w":
			fds, err := ParseFDSet(expr)
			if err != nil {
				return err
			}
			if q[0] == 'r' {
				c.readFDs = fds
			} else {
				c.writeFDs = fds
			}
		case "raw", "verbose":
			s, err := ParseSet(expr)
			if err != nil {
				return err
			}
			if q == "raw" {
				c.raw = s
			} else {
				c.verbose = s
			}
		case "abbrev", "a":
			s, err := ParseSet(expr)
			if err != nil {
				return err
			}
			c.abbrev = s
		case "status":
			st, err := parseStatus(expr)
			if err != nil {
				return err
			}
			c.status = st
		default:
			return fmt.Errorf("-e %s= is not supported (trace=, signal=, status=, read=, write=, raw=, verbose=, abbrev= are)", q)
		}
	case 'o':
		c.out = v
	case 'S':
		by, err := ParseSortBy(v)
		if err != nil {
			return err
		}
		c.sortBy = by
	case 'u':
		u, err := lookupUser(v)
		if err != nil {
			return err
		}
		c.user = u
	case 'E':
		if v == "" {
			return errors.New("-E needs VAR=VAL or VAR")
		}
		c.env = append(c.env, v)
	case 'X':
		st, ok := parseConstStyle(v)
		if !ok {
			return fmt.Errorf("invalid -X argument: '%s' (raw, abbrev, verbose)", v)
		}
		c.constStyle = st
	case 's':
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("invalid -s argument: '%s'", v)
		}
		c.strSize = n
	case 'p':
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 {
				return fmt.Errorf("invalid process id: '%s'", f)
			}
			c.pids = append(c.pids, n)
		}
	}
	return nil
}

// Run traces as the command line says, writing the trace to stderr or to
// the -o file (one file per task with -ff), and returns the exit status of
// the traced command.
func (c *Args) Run(stderr io.Writer) (int, error) {
	out := stderr
	if c.out != "" && !c.separate {
		f, err := os.Create(c.out)
		if err != nil {
			return 1, fmt.Errorf("can't fopen '%s': %v", c.out, err)
		}
		defer f.Close()
		out = f
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	sess := Session{Options: Options{Out: bw, Follow: c.follow, Durations: c.durations,
		Time: c.time, Summary: c.count, SummaryToo: c.summaryToo && !c.count, SortBy: c.sortBy, Set: c.set, StrSize: c.strSize,
		PIDPrefix: c.out != "" && (c.follow || len(c.pids) > 1), Status: c.status, Signals: c.signals,
		Quiet: c.quiet, Relative: c.relative, Hex: c.hex, Limit: c.limit, ReadFDs: c.readFDs, WriteFDs: c.writeFDs,
		DecodeFDs: c.decodeFDs > 0, FDDetails: c.decodeFDs > 1, ConstStyle: c.constStyle, Raw: c.raw, Verbose: c.verbose, Abbrev: c.abbrev,
		Stack: c.stack},
		Cmd: c.cmd, PIDs: c.pids, Warn: stderr, Env: c.env, User: c.user}
	if c.separate {
		sess.Separate = c.out
	}
	status, err := Run(sess)
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	return status, err
}

// lookupUser finds the ids and groups of a user name (or numeric id) for
// -u, as strace takes them from the user database.
func lookupUser(name string) (*held.User, error) {
	u, err := user.Lookup(name)
	if err != nil {
		if u, err = user.LookupId(name); err != nil {
			return nil, fmt.Errorf("Cannot find user '%s'", name)
		}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user '%s' has no numeric ids", name)
	}
	hu := &held.User{UID: uint32(uid), GID: uint32(gid)}
	gids, _ := u.GroupIds()
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			hu.Groups = append(hu.Groups, uint32(n))
		}
	}
	if len(hu.Groups) == 0 {
		hu.Groups = []uint32{hu.GID}
	}
	return hu, nil
}

// statusNames are the results -e status= names.
var statusNames = map[string]Status{"successful": StatusOK, "failed": StatusFailed, "unfinished": StatusUnfinished,
	"unavailable": StatusUnavailable, "detached": StatusDetached}

// parseStatus reads -e status=SET: results separated by commas, "all" or
// "none", the set negated by a leading "!".
func parseStatus(expr string) (Status, error) {
	const every = StatusOK | StatusFailed | StatusUnfinished | StatusUnavailable | StatusDetached
	neg := strings.HasPrefix(expr, "!")
	var st Status
	for _, w := range strings.Split(strings.TrimPrefix(expr, "!"), ",") {
		switch v, ok := statusNames[w]; {
		case ok:
			st |= v
		case w == "all":
			st |= every
		case w == "none":
		default:
			return 0, fmt.Errorf("invalid status '%s'", w)
		}
	}
	if neg {
		st = every &^ st
	}
	switch st {
	case every:
		return StatusAll, nil
	case 0:
		return StatusNone, nil
	}
	return st, nil
}
