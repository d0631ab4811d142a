// SPDX-License-Identifier: Apache-2.0

package syntax

// The scanner reproduces sysdig 0.29.3's filter compiler character by
// character, including where it leaves its position when an error is found:
// error positions and messages are part of the observable behaviour.

// MaxDepth bounds the nesting of parentheses. sysdig has no limit of its
// own; this one is above what a command-line argument (at most 128 KiB on
// Linux) can hold, and keeps filters built by chisels from exhausting
// memory.
const MaxDepth = 1 << 17

const (
	stNeedExpr = iota
	stExprDone
)

// Hooks let a compiler validate fields and values at the moment the
// scanner reads them, so that errors come out in scan order with the
// scanner's position. A nil Hooks accepts every field and value.
type Hooks interface {
	// Field validates c.Field; charbuf reports whether value lists of the
	// field are string sets ('in/pmatch' clause) rather than numeric
	// alternatives ('in' clause).
	Field(c *Check) (charbuf bool, msg string)
	// Value validates the last value appended to c.Values.
	Value(c *Check) (msg string)
}

type parser struct {
	s       string
	n       int
	pos     int
	state   int
	last    BoolOp
	nest    int
	cur     *Group
	root    *Group
	orphan  bool // a ')' closed the root group
	h       Hooks
	charbuf bool
}

// Parse parses a filter without checking field names or values.
func Parse(s string) (*Expr, error) { return ParseWith(s, nil) }

// ParseWith parses a filter, validating fields and values with h as they
// are read.
func ParseWith(s string, h Hooks) (*Expr, error) {
	p := &parser{s: s, n: len(s), pos: -1, h: h}
	p.root = &Group{Pos: -1}
	p.cur = p.root
	if err := p.run(); err != nil {
		return nil, err
	}
	return &Expr{Src: s, Root: p.root}, nil
}

func (p *parser) fail(msg string) error { return &Error{Pos: p.pos, Msg: msg} }

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isSpecial(c byte) bool {
	return c == '(' || c == ')' || c == '!' || c == '=' || c == '<' || c == '>'
}

// at returns the byte at i, or 0 outside the string.
func (p *parser) at(i int) byte {
	if i < 0 || i >= p.n {
		return 0
	}
	return p.s[i]
}

// next advances to the next non-blank byte and returns it (0 at the end).
func (p *parser) next() byte {
	for {
		p.pos++
		if p.pos >= p.n {
			return 0
		}
		if !isBlank(p.s[p.pos]) {
			return p.s[p.pos]
		}
	}
}

func (p *parser) run() error {
	for {
		a := p.next()
		switch a {
		case 0:
			if p.nest != 0 || p.state != stExprDone {
				return p.fail("filter error: unexpected end of filter")
			}
			if mixed(p.cur) {
				return p.fail(msgMixed)
			}
			return nil
		case '(':
			if p.state != stNeedExpr {
				return p.fail("unexpected '(' after " + p.s[:p.pos])
			}
			if p.orphan {
				return p.fail("syntax error in filter")
			}
			if p.nest >= MaxDepth {
				return p.fail("filter error: too many nested parentheses")
			}
			g := &Group{Pos: p.pos, parent: p.cur}
			p.cur.Items = append(p.cur.Items, Item{Op: p.last, Group: g})
			p.cur = g
			p.last = OpNone
			p.nest++
		case ')':
			if mixed(p.cur) {
				return p.fail(msgMixed)
			}
			if p.cur.parent == nil {
				p.orphan = true
			} else {
				p.cur = p.cur.parent
			}
			p.nest--
		case 'o':
			if p.pos != 0 && p.state != stNeedExpr {
				if p.next() != 'r' {
					return p.fail("syntax error in filter")
				}
				p.last = OpOr
				p.state = stNeedExpr
			} else if err := p.check(); err != nil {
				return err
			}
		case 'a':
			if p.pos != 0 && p.state != stNeedExpr {
				if p.next() != 'n' || p.next() != 'd' {
					return p.fail("syntax error in filter")
				}
				p.last = OpAnd
				p.state = stNeedExpr
			} else if err := p.check(); err != nil {
				return err
			}
		case 'n':
			if p.next() != 'o' || p.next() != 't' {
				return p.fail("syntax error in filter")
			}
			p.last |= OpNot
			p.state = stNeedExpr
		default:
			if p.state != stNeedExpr {
				return p.fail("syntax error in filter")
			}
			if err := p.check(); err != nil {
				return err
			}
		}
	}
}

const msgMixed = "expression mixes 'and' and 'or' in an ambiguous way. Please use brackets."

// mixed reports whether g combines 'and' and 'or' at one level. The first
// item's operator and every "not" bit are ignored.
func mixed(g *Group) bool {
	if len(g.Items) <= 2 {
		return false
	}
	b0 := g.Items[1].Op &^ OpNot
	for _, it := range g.Items[2:] {
		if it.Op&^OpNot != b0 {
			return true
		}
	}
	return false
}

// check parses "field op value(s)" starting at the current position.
func (p *parser) check() error {
	start := p.pos
	name, err := p.operand(true, false)
	if err != nil {
		return err
	}
	c := &Check{Field: name, FieldPos: start}
	p.charbuf = true
	if p.h != nil {
		cb, msg := p.h.Field(c)
		if msg != "" {
			return p.fail(msg)
		}
		p.charbuf = cb
	}
	op, err := p.cmpOp()
	if err != nil {
		return err
	}
	c.Op = op
	switch {
	case op.IsList():
		if isBlank(p.at(p.pos)) {
			p.next()
		}
		if p.at(p.pos) != '(' {
			return p.fail("expected '(' after 'in/intersects/pmatch' operand")
		}
		p.pos++
		if !p.charbuf && op == CmpPmatch {
			return p.fail("pmatch requires all charbuf arguments")
		}
		var ch byte
		for {
			if err := p.value(c, true); err != nil {
				return err
			}
			ch = p.next()
			if ch != ',' {
				break
			}
			p.pos++
		}
		if ch != ')' {
			if p.charbuf {
				return p.fail("expected either ')' or ',' after a value inside the 'in/pmatch' clause")
			}
			return p.fail("expected either ')' or ',' after a value inside the 'in' clause")
		}
	case op != CmpExists:
		if err := p.value(c, false); err != nil {
			return err
		}
	}
	if p.orphan {
		return p.fail("syntax error in filter")
	}
	p.cur.Items = append(p.cur.Items, Item{Op: p.last, Check: c})
	p.state = stExprDone
	return nil
}

func (p *parser) value(c *Check, list bool) error {
	v, err := p.operand(false, list)
	if err != nil {
		return err
	}
	c.Values = append(c.Values, Literal{Text: v, End: p.pos})
	if p.h != nil {
		if msg := p.h.Value(c); msg != "" {
			return p.fail(msg)
		}
	}
	return nil
}

func (p *parser) cmpOp() (CmpOp, error) {
	if isBlank(p.at(p.pos)) {
		p.next()
	}
	start := p.pos
	for op := CmpEq; op <= CmpExists; op++ {
		w := cmpNames[op]
		if p.pos >= 0 && p.pos+len(w) <= p.n && p.s[p.pos:p.pos+len(w)] == w {
			p.pos += len(w)
			if op == CmpExists {
				// the scanner stays on the last letter, so a ')' right
				// after "exists" is read by the main loop
				p.pos--
			}
			return op, nil
		}
	}
	if start > p.n {
		start = p.n
	}
	return 0, p.fail("filter error: unrecognized comparison operator after " + p.s[:start])
}

const (
	escNormal = iota
	escSlash
	escNumber
	escError
)

// operand reads a field name (first) or a value. Values may be quoted with
// ' or " (either quote closes), and support \\, \" and \xHH escapes; any
// other backslash pair is kept as written.
func (p *parser) operand(first, list bool) (string, error) {
	if isBlank(p.at(p.pos)) {
		p.next()
	}
	quoted := false
	if q := p.at(p.pos); q == '"' || q == '\'' {
		quoted = true
		p.pos++
	}
	start := p.pos
	state := escNormal
	var buf []byte
	plain := true // buf not used yet: the value is s[start:p.pos]
	var nums [2]byte
	npos := 0
	for p.pos < p.n && state != escError {
		c := p.s[p.pos]
		var end bool
		if first {
			end = isBlank(c) || isSpecial(c)
		} else {
			end = (!quoted && (isBlank(c) || c == '(' || c == ')' || (list && c == ','))) ||
				(quoted && state != escSlash && (c == '"' || c == '\''))
		}
		if end {
			if state != escNormal {
				state = escError
				break
			}
			v := p.result(buf, plain, start, p.pos)
			if c == '(' || c == ')' || (list && c == ',') {
				p.pos--
			}
			return v, nil
		}
		switch state {
		case escNormal:
			if c == '\\' && !first {
				if plain {
					buf = append(buf, p.s[start:p.pos]...)
					plain = false
				}
				state = escSlash
			} else if !plain {
				buf = append(buf, c)
			}
		case escSlash:
			switch c {
			case '\\', '"':
				state = escNormal
				buf = append(buf, c)
			case 'x':
				state = escNumber
			default:
				state = escNormal
				buf = append(buf, '\\', c)
			}
		case escNumber:
			switch {
			case c >= '0' && c <= '9':
				nums[npos] = c - '0'
				npos++
			case c >= 'a' && c <= 'f':
				nums[npos] = c - 'a' + 10
				npos++
			case c >= 'A' && c <= 'F':
				nums[npos] = c - 'A' + 10
				npos++
			default:
				state = escError
			}
			if npos == 2 && state != escError {
				buf = append(buf, nums[0]*16+nums[1])
				npos = 0
				state = escNormal
			}
		}
		p.pos++
	}
	if state == escError {
		end := start + p.pos
		if end > p.n {
			end = p.n
		}
		return "", p.fail("filter error: unrecognized escape sequence at " + p.s[start:end])
	}
	if quoted && p.pos >= p.n {
		return "", p.fail("filter error: unclosed quotes")
	}
	return p.result(buf, plain, start, p.pos), nil
}

func (p *parser) result(buf []byte, plain bool, start, end int) string {
	if plain {
		if end > p.n {
			end = p.n
		}
		return p.s[start:end]
	}
	return string(buf)
}
