// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"strings"
)

// argKind says whether an option takes an argument.
type argKind uint8

const (
	noArg argKind = iota
	reqArg
	optArg // only glued: -Bpath, --bpf=path
)

type optDef struct {
	short byte   // 0 when the option is long-only
	long  string // "" when short-only
	arg   argKind
}

// optDefs is sysdig 0.29.3's option table plus ferret's additions.
var optDefs = []optDef{
	{'A', "print-ascii", noArg},
	{'b', "print-base64", noArg},
	{'B', "bpf", optArg},
	{'c', "chisel", reqArg},
	{0, "list-chisels", noArg},
	{'C', "file-size", reqArg},
	{0, "cri", reqArg},
	{0, "cri-timeout", reqArg},
	{'d', "displayflt", noArg},
	{'D', "debug", noArg},
	{'E', "exclude-users", noArg},
	{'e', "", reqArg},
	{'F', "fatfile", noArg},
	{0, "filter-proclist", noArg},
	{'G', "seconds", reqArg},
	{'h', "help", noArg},
	{'H', "plugin", reqArg},
	{'I', "input", reqArg},
	{'i', "chisel-info", reqArg},
	{'j', "json", noArg},
	{'k', "k8s-api", reqArg},
	{0, "node-name", reqArg},
	{'K', "k8s-api-cert", reqArg},
	{'L', "list-events", noArg},
	{'l', "list", noArg},
	{0, "libs-version", noArg},
	{0, "large-environment", noArg},
	{0, "list-markdown", noArg},
	{'m', "mesos-api", reqArg},
	{'M', "", reqArg},
	{'n', "numevents", reqArg},
	{0, "page-faults", noArg},
	{0, "plugin-config-file", reqArg},
	{'P', "progress", noArg},
	{'p', "print", reqArg},
	{'q', "quiet", noArg},
	{'R', "resolve-ports", noArg},
	{'r', "read", reqArg},
	{'S', "summary", noArg},
	{'s', "snaplen", reqArg},
	{'t', "timetype", reqArg},
	{'T', "force-tracers-capture", noArg},
	{0, "unbuffered", noArg},
	{'U', "suppress-comm", reqArg},
	{'v', "verbose", noArg},
	{0, "version", noArg},
	{'w', "write", reqArg},
	{'W', "limit", reqArg},
	{'x', "print-hex", noArg},
	{'X', "print-hex-ascii", noArg},
	{'z', "compress", noArg},
	{0, "buffer-size", reqArg},
}

// parsedOpt is one option occurrence: its canonical name (the short letter
// as a string, or the long name for long-only options) and its argument.
type parsedOpt struct {
	name string
	arg  string
}

func optName(d *optDef) string {
	if d.short != 0 {
		return string(d.short)
	}
	return d.long
}

// getopt splits args like GNU getopt_long with argument permutation:
// options may appear anywhere, "--" ends them, everything else is an operand.
// Short options can be grouped (-lv) and take their argument glued (-pc) or
// as the next word (-p c).
func getopt(args []string) (opts []parsedOpt, operands []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			operands = append(operands, args[i+1:]...)
			return opts, operands, nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			d := findLong(name)
			if d == nil {
				return nil, nil, fmt.Errorf("unrecognized option '--%s'", name)
			}
			switch d.arg {
			case noArg:
				if hasVal {
					return nil, nil, fmt.Errorf("option '--%s' doesn't allow an argument", name)
				}
			case reqArg:
				if !hasVal {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("option '--%s' requires an argument", name)
					}
					i++
					val = args[i]
				}
			}
			opts = append(opts, parsedOpt{optName(d), val})
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				d := findShort(a[j])
				if d == nil {
					return nil, nil, fmt.Errorf("invalid option -- '%c'", a[j])
				}
				if d.arg == noArg {
					opts = append(opts, parsedOpt{optName(d), ""})
					continue
				}
				val := a[j+1:]
				if val == "" && d.arg == reqArg {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("option requires an argument -- '%c'", a[j])
					}
					i++
					val = args[i]
				}
				opts = append(opts, parsedOpt{optName(d), val})
				break
			}
		default:
			operands = append(operands, a)
		}
	}
	return opts, operands, nil
}

func findShort(c byte) *optDef {
	for i := range optDefs {
		if optDefs[i].short == c {
			return &optDefs[i]
		}
	}
	return nil
}

func findLong(name string) *optDef {
	for i := range optDefs {
		if optDefs[i].long == name {
			return &optDefs[i]
		}
	}
	// getopt_long accepts unambiguous prefixes.
	var found *optDef
	for i := range optDefs {
		if optDefs[i].long != "" && strings.HasPrefix(optDefs[i].long, name) {
			if found != nil {
				return nil
			}
			found = &optDefs[i]
		}
	}
	return found
}
