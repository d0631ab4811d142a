// SPDX-License-Identifier: Apache-2.0

package getopt

import (
	"fmt"
	"strings"
)

// Kind says whether an option takes an argument.
type Kind uint8

// Argument kinds.
const (
	NoArg  Kind = iota
	ReqArg      // glued (-pc, --print=x) or as the next word
	OptArg      // only glued: -Bpath, --bpf=path
)

// Def is one option: its short letter (0 when long-only), its long name
// ("" when short-only) and whether it takes an argument.
type Def struct {
	Short byte
	Long  string
	Arg   Kind
}

// Opt is one option occurrence: its canonical name (the short letter as a
// string, or the long name for long-only options) and its argument.
type Opt struct {
	Name string
	Arg  string
}

func canonical(d *Def) string {
	if d.Short != 0 {
		return string(d.Short)
	}
	return d.Long
}

// Parse splits args like GNU getopt_long with argument permutation:
// options may appear anywhere, "--" ends them, everything else is an operand.
// Short options can be grouped (-lv) and take their argument glued (-pc) or
// as the next word (-p c).
func Parse(defs []Def, args []string) (opts []Opt, operands []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			operands = append(operands, args[i+1:]...)
			return opts, operands, nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			d := findLong(defs, name)
			if d == nil {
				return nil, nil, fmt.Errorf("unrecognized option '--%s'", name)
			}
			switch d.Arg {
			case NoArg:
				if hasVal {
					return nil, nil, fmt.Errorf("option '--%s' doesn't allow an argument", name)
				}
			case ReqArg:
				if !hasVal {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("option '--%s' requires an argument", name)
					}
					i++
					val = args[i]
				}
			}
			opts = append(opts, Opt{canonical(d), val})
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				d := findShort(defs, a[j])
				if d == nil {
					return nil, nil, fmt.Errorf("invalid option -- '%c'", a[j])
				}
				if d.Arg == NoArg {
					opts = append(opts, Opt{canonical(d), ""})
					continue
				}
				val := a[j+1:]
				if val == "" && d.Arg == ReqArg {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("option requires an argument -- '%c'", a[j])
					}
					i++
					val = args[i]
				}
				opts = append(opts, Opt{canonical(d), val})
				break
			}
		default:
			operands = append(operands, a)
		}
	}
	return opts, operands, nil
}

func findShort(defs []Def, c byte) *Def {
	for i := range defs {
		if defs[i].Short == c {
			return &defs[i]
		}
	}
	return nil
}

func findLong(defs []Def, name string) *Def {
	for i := range defs {
		if defs[i].Long == name {
			return &defs[i]
		}
	}
	// getopt_long accepts unambiguous prefixes.
	var found *Def
	for i := range defs {
		if defs[i].Long != "" && strings.HasPrefix(defs[i].Long, name) {
			if found != nil {
				return nil
			}
			found = &defs[i]
		}
	}
	return found
}
