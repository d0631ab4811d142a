// SPDX-License-Identifier: Apache-2.0

package syntax

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: any input either parses or fails with a *Error whose position
// lies within [0, len+1]; parsing never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`evt.type=open`, `not not evt.num=211`, `(a=1 or b=2) and c exists`,
		`evt.type in (open, "connect")`, `fd.name contains "\x2fhosts"`, `a=1 and b=2 or c=3`,
		`evt.type=open && fd.name contains hosts`, `"`, `(`, `)`, `a in (1,`, `a="\x2`,
		strings.Repeat("(", 2000), strings.Repeat("not ", 100) + "a=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q): error of type %T", s, err)
			}
			if fe.Pos < 0 || fe.Pos > len(s)+1 {
				t.Fatalf("Parse(%q): position %d out of range", s, fe.Pos)
			}
			return
		}
		_ = e.String()
	})
}
