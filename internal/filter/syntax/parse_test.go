// SPDX-License-Identifier: Apache-2.0

package syntax

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseTree(t *testing.T) {
	tests := []struct{ in, want string }{
		{`evt.type=open`, `evt.type = "open"`},
		{`evt.type = open and fd.name = "/etc/hosts"`, `evt.type = "open" and fd.name = "/etc/hosts"`},
		{`fd.name='/etc/hosts'`, `fd.name = "/etc/hosts"`},
		{`evt.type in (open, "connect")`, `evt.type in ("open","connect")`},
		{`evt.type in ( 'select' , "poll" )`, `evt.type in ("select","poll")`},
		{`not not evt.num=211`, `not evt.num = "211"`},
		{`not (not evt.num=211)`, `not (not evt.num = "211")`},
		{`a=1 and not b=2`, `a = "1" and not b = "2"`},
		{`a=1 or not b=2`, `a = "1" or not b = "2"`},
		{`a=1 not b=2`, `a = "1" not b = "2"`},
		{`a=1 a n d b=2`, `a = "1" and b = "2"`},
		{`a=1 orb=2`, `a = "1" or b = "2"`},
		{`(a=1 or b=2) and c exists`, `(a = "1" or b = "2") and c exists`},
		{`evt.type==open`, `evt.type = "=open"`},
		{`fd.name contains "\x2fhosts"`, `fd.name contains "/hosts"`},
		{`fd.name contains \x2fhosts`, `fd.name contains "/hosts"`},
		{`fd.name contains "a\\b\"c\'d\qe"`, `fd.name contains "a\\b\"c\\'d\\qe"`},
		{`fd.name contains x\`, `fd.name contains "x"`},
		{`evt.type='open"`, `evt.type = "open"`},
		{`fd.name = ""`, `fd.name = ""`},
		{`evt.num=`, `evt.num = ""`},
		{`evt.num= 211`, `evt.num = "211"`},
		{`a in(1,2)`, `a in ("1","2")`},
		{`a pmatch (/etc, /usr/lib)`, `a pmatch ("/etc","/usr/lib")`},
		{`a containsx`, `a contains "x"`},
		{`(a exists)`, `(a exists)`},
		{`(a exists) and not (b exists)`, `(a exists) and not (b exists)`},
		{"a=1\tand\nb=2", `a = "1" and b = "2"`},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// Expected texts come from sysdig 0.29.3 runs on the same inputs.
func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`evt.type=open && fd.name contains hosts`, `filter error at position 14: syntax error in filter`},
		{`fd.name intersects (/etc/hosts)`, `filter error at position 10: expected '(' after 'in/intersects/pmatch' operand`},
		{`proc.name=bash or proc.name=curl and evt.type=execve`, `filter error at position 53: expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.`},
		{`evt.num=1 and evt.num=2 or evt.num=3`, `filter error at position 37: expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.`},
		{`(evt.num=211 and evt.num=211 or evt.num=212)`, `filter error at position 43: expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.`},
		{`((evt.num=211 and evt.num=211 or evt.num=212))`, `filter error at position 44: expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.`},
		{`evt.num=211 and (evt.num=211 or evt.num=212) or evt.num=213`, `filter error at position 60: expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.`},
		{`evt.num=211 and not evt.num=212 or evt.num=2`, `filter error at position 45: expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.`},
		{`not`, `filter error at position 3: filter error: unexpected end of filter`},
		{`evt.num=211 and`, `filter error at position 15: filter error: unexpected end of filter`},
		{`evt.num=211 and (`, `filter error at position 17: filter error: unexpected end of filter`},
		{`(evt.num=211`, `filter error at position 13: filter error: unexpected end of filter`},
		{`evt.num=211)`, `filter error at position 12: filter error: unexpected end of filter`},
		{`()`, `filter error at position 2: filter error: unexpected end of filter`},
		{`evt.num=211 and ()`, `filter error at position 18: filter error: unexpected end of filter`},
		{`evt.num=211 and )`, `filter error at position 17: filter error: unexpected end of filter`},
		{``, `filter error at position 0: filter error: unexpected end of filter`},
		{`evt.num ~ 3`, `filter error at position 8: filter error: unrecognized comparison operator after evt.num `},
		{`evt.num`, `filter error at position 7: filter error: unrecognized comparison operator after evt.num`},
		{`evt.num!3`, `filter error at position 7: filter error: unrecognized comparison operator after evt.num`},
		{`evt.num=211 (evt.num=3)`, `filter error at position 12: unexpected '(' after evt.num=211 `},
		{`evt.num=211 oR evt.num=212`, `filter error at position 13: syntax error in filter`},
		{`evt.num=211 And evt.num=212`, `filter error at position 12: syntax error in filter`},
		{`evt.num=211 nt evt.num=212`, `filter error at position 13: syntax error in filter`},
		{`not not evt.res>E not evt.res contains E or not evt.rawarg.fd exists`, `filter error at position 68: expression mixes 'and' and 'or' in an ambiguous way. Please use brackets.`},
		{`evt.num exists and`, `filter error at position 18: filter error: unexpected end of filter`},
		{`evt.num=211 "x"`, `filter error at position 12: syntax error in filter`},
		{`fd.name="it's"`, `filter error at position 12: syntax error in filter`},
		{`evt.num in 211`, `filter error at position 11: expected '(' after 'in/intersects/pmatch' operand`},
		{`evt.num in`, `filter error at position 10: expected '(' after 'in/intersects/pmatch' operand`},
		{`evt.type in (open`, `filter error at position 18: expected either ')' or ',' after a value inside the 'in/pmatch' clause`},
		{`evt.type="open`, `filter error at position 14: filter error: unclosed quotes`},
		{`fd.name contains "\"`, `filter error at position 20: filter error: unclosed quotes`},
		{`fd.name contains "\x2"`, `filter error at position 21: filter error: unrecognized escape sequence at \x2"`},
		{`fd.name contains "\x2g"`, `filter error at position 22: filter error: unrecognized escape sequence at \x2g"`},
		{`evt.num=211) and evt.num=3`, `filter error at position 26: syntax error in filter`},
		{strings.Repeat("(", MaxDepth+1) + "a=1" + strings.Repeat(")", MaxDepth+1), fmt.Sprintf("filter error at position %d: filter error: too many nested parentheses", MaxDepth)},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var fe *Error
		if err == nil || !errors.As(err, &fe) {
			t.Errorf("Parse(%q) = %v, want %q", tt.in, err, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q)\n got %q\nwant %q", tt.in, err.Error(), tt.want)
		}
	}
}

// TestDeepNesting parses and evaluates filters nested as deep as a
// command-line argument allows (sysdig accepts them).
func TestDeepNesting(t *testing.T) {
	for _, n := range []int{1001, 20000, 60000} {
		s := strings.Repeat("(", n) + "evt.num=1" + strings.Repeat(")", n)
		if _, err := Parse(s); err != nil {
			t.Errorf("depth %d: %v", n, err)
		}
		s = strings.Repeat("not ", n) + "evt.num=1"
		if _, err := Parse(s); err != nil {
			t.Errorf("%d nots: %v", n, err)
		}
	}
}
