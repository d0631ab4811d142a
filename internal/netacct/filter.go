// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/filter/syntax"
)

// Filter selects flows with ferret's filter language (internal/filter/syntax:
// the grammar, precedence rules and syntax errors of `ferret 'FILTER'`) over
// the fields a flow key has:
//
//	proc.name, fd.l4proto   = != in contains startswith
//	proc.pid, fd.rport      = != in < <= > >=
//	fd.rip                  = != in      (IPv4 or IPv6 address)
//	fd.rnet                 = !=         (CIDR prefix, IPv4 or IPv6)
//
// and "exists" on each.
type Filter struct {
	root   *syntax.Group
	checks map[*syntax.Check]*cmpNode
}

// Match reports whether k passes the filter (a nil Filter passes all).
func (f *Filter) Match(k FlowKey) bool {
	if f == nil {
		return true
	}
	return f.root.Eval(func(c *syntax.Check) bool { return f.checks[c].eval(k) })
}

type cmpNode struct {
	field string
	op    syntax.CmpOp
	kind  byte // 's' string, 'n' number, 'a' address, 'p' prefix
	strs  []string
	nums  []uint64
	addrs []netip.Addr
	pfx   netip.Prefix
}

func (c *cmpNode) eval(k FlowKey) bool {
	if c.op == syntax.CmpExists {
		return true // every flow key has every field
	}
	switch c.field {
	case "proc.name":
		return c.str(k.Comm)
	case "proc.pid":
		return c.num(uint64(k.PID))
	case "fd.rport":
		return c.num(uint64(k.Port))
	case "fd.l4proto":
		return c.str(k.Proto.String())
	case "fd.rip":
		a := k.Addr.Unmap()
		hit := false
		for _, b := range c.addrs {
			if a == b {
				hit = true
			}
		}
		return hit == (c.op != syntax.CmpNe)
	case "fd.rnet":
		return c.pfx.Contains(k.Addr.Unmap()) == (c.op != syntax.CmpNe)
	}
	return false
}

func (c *cmpNode) str(s string) bool {
	switch c.op {
	case syntax.CmpEq, syntax.CmpIn:
		for _, v := range c.strs {
			if s == v {
				return true
			}
		}
		return false
	case syntax.CmpNe:
		return s != c.strs[0]
	case syntax.CmpContains:
		return strings.Contains(s, c.strs[0])
	case syntax.CmpStartsWith:
		return strings.HasPrefix(s, c.strs[0])
	}
	return false
}

func (c *cmpNode) num(n uint64) bool {
	switch c.op {
	case syntax.CmpEq, syntax.CmpIn:
		for _, v := range c.nums {
			if n == v {
				return true
			}
		}
		return false
	case syntax.CmpNe:
		return n != c.nums[0]
	case syntax.CmpLt:
		return n < c.nums[0]
	case syntax.CmpLe:
		return n <= c.nums[0]
	case syntax.CmpGt:
		return n > c.nums[0]
	case syntax.CmpGe:
		return n >= c.nums[0]
	}
	return false
}

// fieldKinds are the fields of a flow key and the kind of their values.
var fieldKinds = map[string]byte{
	"proc.name": 's', "fd.l4proto": 's',
	"proc.pid": 'n', "fd.rport": 'n',
	"fd.rip": 'a', "fd.rnet": 'p',
}

// kindOps are the operators each kind of field takes.
var kindOps = map[byte][]syntax.CmpOp{
	's': {syntax.CmpEq, syntax.CmpNe, syntax.CmpIn, syntax.CmpContains, syntax.CmpStartsWith},
	'n': {syntax.CmpEq, syntax.CmpNe, syntax.CmpIn, syntax.CmpLt, syntax.CmpLe, syntax.CmpGt, syntax.CmpGe},
	'a': {syntax.CmpEq, syntax.CmpNe, syntax.CmpIn},
	'p': {syntax.CmpEq, syntax.CmpNe},
}

// ParseFilter compiles a filter expression; an empty one matches all.
func ParseFilter(s string) (*Filter, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	f := &Filter{checks: map[*syntax.Check]*cmpNode{}}
	ex, err := syntax.ParseWith(s, f)
	if err != nil {
		return nil, err
	}
	f.root = ex.Root
	for c, n := range f.checks {
		n.op = c.Op // "exists" takes no value
	}
	return f, nil
}

// Field implements syntax.Hooks: only the fields of a flow key exist here.
func (f *Filter) Field(c *syntax.Check) (bool, string) {
	kind, ok := fieldKinds[c.Field]
	if !ok {
		return false, "filter error: unrecognized field " + c.Field + " at pos " + strconv.Itoa(c.FieldPos) +
			" (ferret net knows proc.name, proc.pid, fd.rip, fd.rnet, fd.rport and fd.l4proto)"
	}
	f.checks[c] = &cmpNode{field: c.Field, kind: kind}
	return kind == 's', ""
}

// Value implements syntax.Hooks.
func (f *Filter) Value(c *syntax.Check) string {
	n := f.checks[c]
	n.op = c.Op
	ok := false
	for _, op := range kindOps[n.kind] {
		ok = ok || op == c.Op
	}
	if !ok {
		return "operator " + c.Op.String() + " not supported on " + c.Field
	}
	text := c.Values[len(c.Values)-1].Text
	switch n.kind {
	case 's':
		n.strs = append(n.strs, text)
	case 'n':
		v, err := strconv.ParseUint(text, 10, 32)
		if err != nil {
			return text + " is not a valid number"
		}
		n.nums = append(n.nums, v)
	case 'a':
		a, err := netip.ParseAddr(text)
		if err != nil {
			return "unrecognized IP address " + text
		}
		n.addrs = append(n.addrs, a.Unmap())
	case 'p':
		p, err := netip.ParsePrefix(text)
		if err != nil {
			return "unrecognized IP network " + text
		}
		n.pfx = p.Masked()
	}
	return ""
}
