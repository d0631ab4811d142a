// SPDX-License-Identifier: Apache-2.0

package syntax

import "strconv"

// BoolOp is the boolean operator stored on an item of a group. As in sysdig
// 0.29.3, "not" is a bit OR-ed into the operator, so "and not" is AndNot and
// "not not" is just Not.
type BoolOp uint8

// Boolean operators.
const (
	OpNone   BoolOp = 0
	OpNot    BoolOp = 1
	OpOr     BoolOp = 2
	OpOrNot  BoolOp = 3
	OpAnd    BoolOp = 4
	OpAndNot BoolOp = 5
)

func (o BoolOp) String() string {
	switch o {
	case OpNone:
		return ""
	case OpNot:
		return "not"
	case OpOr:
		return "or"
	case OpOrNot:
		return "or not"
	case OpAnd:
		return "and"
	case OpAndNot:
		return "and not"
	}
	return "op" + strconv.Itoa(int(o))
}

// CmpOp is a comparison operator.
type CmpOp uint8

// Comparison operators, in the order the scanner tries them.
const (
	CmpEq CmpOp = iota
	CmpNe
	CmpLe
	CmpLt
	CmpGe
	CmpGt
	CmpContains
	CmpIContains
	CmpStartsWith
	CmpEndsWith
	CmpGlob
	CmpIn
	CmpIntersects
	CmpPmatch
	CmpExists
)

var cmpNames = [...]string{"=", "!=", "<=", "<", ">=", ">", "contains", "icontains",
	"startswith", "endswith", "glob", "in", "intersects", "pmatch", "exists"}

func (c CmpOp) String() string {
	if int(c) < len(cmpNames) {
		return cmpNames[c]
	}
	return "cmp" + strconv.Itoa(int(c))
}

// IsList reports whether the operator takes a parenthesised value list.
func (c CmpOp) IsList() bool { return c == CmpIn || c == CmpIntersects || c == CmpPmatch }

// Expr is a parsed filter.
type Expr struct {
	Src  string
	Root *Group
}

// Group is a parenthesised expression (or the whole filter): its items are
// evaluated left to right, each combined with the result so far by its Op.
type Group struct {
	Pos    int // position of '(' (-1 for the root)
	Items  []Item
	parent *Group
}

// Item is one element of a group: a check or a nested group.
type Item struct {
	Op    BoolOp
	Check *Check
	Group *Group
}

// Check is one comparison: Field Op Values.
type Check struct {
	Field    string // field token as written, e.g. "proc.aname[1]"
	FieldPos int    // position of the field token
	Op       CmpOp
	Values   []Literal // one value, a list for in/pmatch, none for exists
}

// Literal is one value of a check after quote and escape processing.
type Literal struct {
	Text string
	End  int // scanner position after the value (where sysdig reports value errors)
}

// Error is a filter compilation error. Error() renders it as sysdig does:
// "filter error at position N: MSG". Runtime errors (operators that
// sysdig only rejects while evaluating, e.g. 'contains' on a number) have
// Pos -1 and render as the bare message.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string {
	if e.Pos < 0 {
		return e.Msg
	}
	return "filter error at position " + strconv.Itoa(e.Pos) + ": " + e.Msg
}

// String renders the parsed tree with explicit groups, for tests and
// debugging: items as "op check", groups in parentheses.
func (e *Expr) String() string {
	var b []byte
	b = appendGroup(b, e.Root)
	return string(b)
}

func appendGroup(b []byte, g *Group) []byte {
	for i, it := range g.Items {
		if i > 0 {
			b = append(b, ' ')
		}
		if it.Op != OpNone {
			b = append(b, it.Op.String()...)
			b = append(b, ' ')
		}
		if it.Group != nil {
			b = append(b, '(')
			b = appendGroup(b, it.Group)
			b = append(b, ')')
			continue
		}
		c := it.Check
		b = append(b, c.Field...)
		b = append(b, ' ')
		b = append(b, c.Op.String()...)
		if c.Op.IsList() {
			b = append(b, " ("...)
			for j, v := range c.Values {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendQuote(b, v.Text)
			}
			b = append(b, ')')
		} else if len(c.Values) > 0 {
			b = append(b, ' ')
			b = strconv.AppendQuote(b, c.Values[0].Text)
		}
	}
	return b
}
