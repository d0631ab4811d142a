// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Filter selects flows with a small subset of the sysdig filter grammar:
//
//	expr    = and { "or" and }
//	and     = unary { "and" unary }
//	unary   = "not" unary | "(" expr ")" | cmp
//	cmp     = field op value | field "in" "(" value { "," value } ")"
//	field   = proc.name | proc.pid | fd.rip | fd.rport | fd.l4proto | fd.rnet
//	op      = "=" | "!=" | "<" | "<=" | ">" | ">=" | contains | startswith
//
// fd.rnet takes a CIDR prefix and matches with "=" / "!=".
type Filter struct {
	root node
}

// Match reports whether f passes the filter.
func (f *Filter) Match(k FlowKey) bool { return f == nil || f.root.eval(k) }

type node interface{ eval(FlowKey) bool }

type orNode []node
type andNode []node
type notNode struct{ n node }

func (o orNode) eval(k FlowKey) bool {
	for _, n := range o {
		if n.eval(k) {
			return true
		}
	}
	return false
}

func (a andNode) eval(k FlowKey) bool {
	for _, n := range a {
		if !n.eval(k) {
			return false
		}
	}
	return true
}

func (n notNode) eval(k FlowKey) bool { return !n.n.eval(k) }

type cmpNode struct {
	field string
	op    string
	strs  []string
	nums  []uint64
	addrs []netip.Addr
	pfx   netip.Prefix
}

func (c *cmpNode) eval(k FlowKey) bool {
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
		return hit == (c.op != "!=")
	case "fd.rnet":
		return (c.pfx.Contains(k.Addr.Unmap())) == (c.op != "!=")
	}
	return false
}

func (c *cmpNode) str(s string) bool {
	switch c.op {
	case "=", "in":
		for _, v := range c.strs {
			if s == v {
				return true
			}
		}
		return false
	case "!=":
		return s != c.strs[0]
	case "contains":
		return strings.Contains(s, c.strs[0])
	case "startswith":
		return strings.HasPrefix(s, c.strs[0])
	}
	return false
}

func (c *cmpNode) num(n uint64) bool {
	switch c.op {
	case "=", "in":
		for _, v := range c.nums {
			if n == v {
				return true
			}
		}
		return false
	case "!=":
		return n != c.nums[0]
	case "<":
		return n < c.nums[0]
	case "<=":
		return n <= c.nums[0]
	case ">":
		return n > c.nums[0]
	case ">=":
		return n >= c.nums[0]
	}
	return false
}

// ParseFilter compiles a filter expression; an empty one matches all.
func ParseFilter(s string) (*Filter, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	p := &parser{toks: toks}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("filter: unexpected %q at column %d", p.toks[p.i].s, p.toks[p.i].col)
	}
	return &Filter{root: n}, nil
}

type token struct {
	s   string
	col int
	str bool // quoted literal
}

func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, token{s: s[i : i+1], col: i + 1})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			if s[i:j] == "!" {
				return nil, fmt.Errorf("filter: unexpected '!' at column %d", i+1)
			}
			toks = append(toks, token{s: s[i:j], col: i + 1})
			i = j
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("filter: unterminated string at column %d", i+1)
			}
			toks = append(toks, token{s: s[i+1 : i+1+j], col: i + 1, str: true})
			i += j + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n(),=<>!\"'", rune(s[j])) {
				j++
			}
			toks = append(toks, token{s: s[i:j], col: i + 1})
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	toks []token
	i    int
}

const maxDepth = 64

func (p *parser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

func (p *parser) keyword(w string) bool {
	t, ok := p.peek()
	if ok && !t.str && t.s == w {
		p.i++
		return true
	}
	return false
}

func (p *parser) expr(depth int) (node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("filter: nested too deeply")
	}
	var or orNode
	for {
		var and andNode
		for {
			n, err := p.unary(depth)
			if err != nil {
				return nil, err
			}
			and = append(and, n)
			if !p.keyword("and") {
				break
			}
		}
		or = append(or, and)
		if !p.keyword("or") {
			break
		}
	}
	if len(or) == 1 {
		if a := or[0].(andNode); len(a) == 1 {
			return a[0], nil
		}
		return or[0], nil
	}
	return or, nil
}

func (p *parser) unary(depth int) (node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("filter: nested too deeply")
	}
	if p.keyword("not") {
		n, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	}
	if p.keyword("(") {
		n, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.keyword(")") {
			return nil, p.errExpected("')'")
		}
		return n, nil
	}
	return p.cmp()
}

func (p *parser) errExpected(what string) error {
	if t, ok := p.peek(); ok {
		return fmt.Errorf("filter: expected %s at column %d, got %q", what, t.col, t.s)
	}
	return fmt.Errorf("filter: expected %s at end of filter", what)
}

var fieldKinds = map[string]byte{
	"proc.name": 's', "fd.l4proto": 's',
	"proc.pid": 'n', "fd.rport": 'n',
	"fd.rip": 'a', "fd.rnet": 'p',
}

func (p *parser) cmp() (node, error) {
	t, ok := p.peek()
	if !ok || t.str {
		return nil, p.errExpected("a field")
	}
	kind, known := fieldKinds[t.s]
	if !known {
		return nil, fmt.Errorf("filter: unknown field %q at column %d (known: proc.name, proc.pid, fd.rip, fd.rnet, fd.rport, fd.l4proto)", t.s, t.col)
	}
	p.i++
	c := &cmpNode{field: t.s}
	op, ok := p.peek()
	if !ok {
		return nil, p.errExpected("an operator")
	}
	p.i++
	c.op = op.s
	var vals []token
	switch op.s {
	case "in":
		if !p.keyword("(") {
			return nil, p.errExpected("'('")
		}
		for {
			v, ok := p.peek()
			if !ok {
				return nil, p.errExpected("a value")
			}
			p.i++
			vals = append(vals, v)
			if p.keyword(")") {
				break
			}
			if !p.keyword(",") {
				return nil, p.errExpected("',' or ')'")
			}
		}
	case "=", "!=", "<", "<=", ">", ">=", "contains", "startswith":
		v, ok := p.peek()
		if !ok {
			return nil, p.errExpected("a value")
		}
		p.i++
		vals = append(vals, v)
	default:
		return nil, fmt.Errorf("filter: unknown operator %q at column %d", op.s, op.col)
	}
	allowed := map[byte]string{'s': "= != in contains startswith", 'n': "= != in < <= > >=", 'a': "= != in", 'p': "= !="}[kind]
	if !strings.Contains(" "+allowed+" ", " "+c.op+" ") {
		return nil, fmt.Errorf("filter: operator %q not allowed for %s at column %d", c.op, c.field, op.col)
	}
	for _, v := range vals {
		switch kind {
		case 's':
			c.strs = append(c.strs, v.s)
		case 'n':
			n, err := strconv.ParseUint(v.s, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("filter: %s needs a number at column %d, got %q", c.field, v.col, v.s)
			}
			c.nums = append(c.nums, n)
		case 'a':
			a, err := netip.ParseAddr(v.s)
			if err != nil {
				return nil, fmt.Errorf("filter: %s needs an address at column %d, got %q", c.field, v.col, v.s)
			}
			c.addrs = append(c.addrs, a.Unmap())
		case 'p':
			pf, err := netip.ParsePrefix(v.s)
			if err != nil {
				return nil, fmt.Errorf("filter: %s needs a CIDR prefix at column %d, got %q", c.field, v.col, v.s)
			}
			c.pfx = pf.Masked()
		}
	}
	return c, nil
}
