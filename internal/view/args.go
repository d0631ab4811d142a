// SPDX-License-Identifier: Apache-2.0

package view

import (
	"fmt"
	"strconv"
	"strings"
)

// topOptsWithArg are the options that take an argument (short, long).
var topOptsWithArg = map[string]bool{
	"d": true, "delay": true, "n": true, "numevents": true, "r": true, "read": true, "readfile": true,
	"s": true, "snaplen": true, "v": true, "view": true, "k": true, "k8s-api": true, "K": true,
	"k8s-api-cert": true, "m": true, "mesos-api": true, "N": true, "node-name": true, "cri": true,
	"cri-timeout": true, "logfile": true, "sortingcol": true, "from": true, "to": true,
}

// Args is the parsed csysdig-style command line of `ferret top`: the
// view settings, and whether it asks for the field list or the usage.
type Args struct {
	Config
	ListFields, Help bool
}

// ParseArgs reads csysdig's options (those ferret cannot honour are
// accepted and ignored, as listed in ferret top's usage) and the filter
// words that follow them.
func ParseArgs(args []string) (*Args, error) {
	c := &Args{Config: Config{DelayMS: 2000, SnapLen: 80}}
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
	if err := CheckRange(c.From, c.To); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Args) apply(name, val string) error {
	var err error
	switch name {
	case "h", "help":
		c.Help = true
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
		c.ListFields = true
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
