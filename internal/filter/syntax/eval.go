// SPDX-License-Identifier: Apache-2.0

package syntax

// Eval evaluates group g with the filter language's semantics: items left
// to right, each combined with the result so far by its operator, with
// short-circuit "and" and "or". check evaluates one comparison.
func (g *Group) Eval(check func(c *Check) bool) bool {
	res := true
	for j := range g.Items {
		it := &g.Items[j]
		val := func() bool {
			if it.Group != nil {
				return it.Group.Eval(check)
			}
			return check(it.Check)
		}
		if j == 0 {
			switch it.Op {
			case OpNone:
				res = val()
			case OpNot:
				res = !val()
			}
			continue
		}
		switch it.Op {
		case OpOr:
			if res {
				return true
			}
			res = val()
		case OpAnd:
			if !res {
				return false
			}
			res = val()
		case OpOrNot:
			if res {
				return true
			}
			res = !val()
		case OpAndNot:
			if !res {
				return false
			}
			res = !val()
		}
	}
	return res
}
