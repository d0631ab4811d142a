// SPDX-License-Identifier: Apache-2.0

package filter

import "github.com/ferret-observability/ferret/internal/filter/syntax"

// The parsed form of a filter, from the syntax package.
type (
	Expr    = syntax.Expr
	Group   = syntax.Group
	Item    = syntax.Item
	Check   = syntax.Check
	Literal = syntax.Literal
	Error   = syntax.Error
	BoolOp  = syntax.BoolOp
	CmpOp   = syntax.CmpOp
)

// Boolean operators.
const (
	OpNone   = syntax.OpNone
	OpNot    = syntax.OpNot
	OpOr     = syntax.OpOr
	OpOrNot  = syntax.OpOrNot
	OpAnd    = syntax.OpAnd
	OpAndNot = syntax.OpAndNot
)

// Comparison operators.
const (
	CmpEq         = syntax.CmpEq
	CmpNe         = syntax.CmpNe
	CmpLe         = syntax.CmpLe
	CmpLt         = syntax.CmpLt
	CmpGe         = syntax.CmpGe
	CmpGt         = syntax.CmpGt
	CmpContains   = syntax.CmpContains
	CmpIContains  = syntax.CmpIContains
	CmpStartsWith = syntax.CmpStartsWith
	CmpEndsWith   = syntax.CmpEndsWith
	CmpGlob       = syntax.CmpGlob
	CmpIn         = syntax.CmpIn
	CmpIntersects = syntax.CmpIntersects
	CmpPmatch     = syntax.CmpPmatch
	CmpExists     = syntax.CmpExists
)
