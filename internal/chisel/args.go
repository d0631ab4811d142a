// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"errors"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Argument handling: which command-line words belong to a chisel, how
// they split into values (sysdig's rules), and on_set_arg.

// pickArgs decides how many words of rest belong to the chisel and splits
// them into values.
func (c *Chisel) pickArgs(rest []string) (int, []string, error) {
	args := c.meta.Args
	if len(args) == 0 || len(rest) == 0 {
		if c.required() > 0 {
			return 0, nil, errorf("missing arguments for chisel %s", c.meta.Name)
		}
		return 0, nil, nil
	}
	take := true
	if c.required() == 0 {
		switch {
		case len(args) == 1 && args[0].Type == "filter":
		case strings.HasPrefix(rest[0], "-"):
			take = false
		default:
			if _, err := compileFilter(strings.Join(rest, " ")); err == nil {
				take = false
			}
		}
	}
	if !take {
		return 0, nil, nil
	}
	vals, err := splitArgs(rest[0])
	if err != nil {
		return 0, nil, errorf("%s for chisel %s", err.Error(), c.meta.Name)
	}
	req := c.required()
	if len(vals) > len(args) {
		return 0, nil, errorf("too many parameters for chisel %s, %d required, %d optional, %d given",
			c.meta.Name, req, len(args)-req, len(vals))
	}
	if len(vals) < req {
		return 0, nil, errorf("missing arguments for chisel %s", c.meta.Name)
	}
	return 1, vals, nil
}

func (c *Chisel) required() int {
	n := 0
	for _, a := range c.meta.Args {
		if !a.Optional {
			n++
		}
	}
	return n
}

// splitArgs splits an argument word on spaces; text between single quotes
// or backticks stays together.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var quote byte
	has := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
		case ch == '\'' || ch == '`':
			quote, has = ch, true
		case ch == ' ':
			if has || cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(ch)
			has = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unbalanced quotes in arguments")
	}
	if has || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}

// setArgs calls on_set_arg once per value, bound positionally.
func (c *Chisel) setArgs(vals []string) error {
	if len(vals) == 0 {
		return nil
	}
	fn, ok := c.L.GetGlobal("on_set_arg").(*lua.LFunction)
	if !ok {
		return errorf("chisel %s: on_set_arg() missing", c.meta.Name)
	}
	for i, v := range vals {
		ret, err := c.call(fn, 1, lua.LString(c.meta.Args[i].Name), lua.LString(v))
		if err != nil {
			c.flush()
			return errorf("%s: error in set_arg(): %s", c.meta.Name, luaErrorText(err))
		}
		if b, ok := ret.(lua.LBool); !ok || !bool(b) {
			c.flush()
			return errorf("set_arg() for chisel %s failed.", c.meta.Name)
		}
	}
	return nil
}
