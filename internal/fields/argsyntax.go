// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"math"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// ParseArg applies the argument syntax of field f to tok, the text from the
// field's name on, the way sysdig 0.29.3's field parsers do for filters and
// formats alike. It returns the argument, the bytes of tok the field and
// its argument cover, and sysdig's message when the argument is malformed
// (msg != ""). n is 0 for a field whose parser gives up on a malformed
// index without an error (proc.aname[x]): a format then shows the field
// without argument and its name again as literal text.
func ParseArg(f *Field, tok string) (arg string, n int, msg string) {
	name := f.Name
	rest := tok[len(name):]
	switch {
	case name == "evt.arg" || name == "evt.rawarg" || isSpanArg(name):
		// by position in brackets, or by the name of a parameter of
		// some event after a dot
		switch {
		case strings.HasPrefix(rest, "["):
			if name == "evt.rawarg" {
				return "", 0, "evt.arg fields must be expressed explicitly"
			}
			return bracketNumber(name, rest)
		case strings.HasPrefix(rest, "."):
			p := longestParam(rest[1:])
			if p == "" {
				return "", 0, "unknown event argument " + rest[1:]
			}
			return p, len(name) + 1 + len(p), ""
		}
		return "", 0, "filter syntax error: " + tok
	case strings.HasPrefix(name, "span.") && f.Flags&(FlagArgKey|FlagArgIndex) != 0:
		// tracer spans: a position in brackets; a key after a dot,
		// except for tags, which have positions only
		switch {
		case strings.HasPrefix(rest, "["):
			return bracketNumber(name, rest)
		case strings.HasPrefix(rest, ".") && f.Flags&FlagArgKey == 0:
			return "", 0, "invalid syntax for " + name
		case strings.HasPrefix(rest, "."):
			// the key is the whole rest of the token (in a format:
			// of the format), empty or not
			return rest[1:], len(tok), ""
		}
		return "", 0, "filter syntax error: " + tok
	case name == "evt.around":
		switch {
		case strings.HasPrefix(rest, "["):
			return bracketNumber(name, rest)
		case strings.HasPrefix(rest, "."):
			return "", 0, "wrong syntax for evt.around"
		}
		return "", 0, "filter syntax error: " + tok
	case f.Flags&FlagArgIndex != 0 && f.Flags&FlagArgKey == 0:
		// an optional index: anything but [integer] is no index; the
		// field alone at the end of the text is the field without one
		if rest == "" {
			return "", len(name), ""
		}
		if end := strings.IndexByte(rest, ']'); strings.HasPrefix(rest, "[") && end > 0 && IsNumber(rest[1:end]) {
			return rest[1:end], len(name) + end + 1, ""
		}
		return "", 0, ""
	case f.Flags&FlagArgKey != 0 && f.Flags&FlagArgIndex == 0:
		// a key of identifier characters after a dot only
		// (evt.type.is.open, thread.cgroup.cpuacct, k8s.pod.label.app); an
		// empty key is one, except for evt.type.is, which then has none
		if strings.HasPrefix(rest, ".") {
			// label keys also take dots and slashes
			// (k8s.pod.label.app.kubernetes.io/name)
			label := strings.HasSuffix(name, ".label")
			k := 0
			for k+1 < len(rest) && (isIdent(rest[1+k]) || label && (rest[1+k] == '.' || rest[1+k] == '/')) {
				k++
			}
			if k == 0 && name == "evt.type.is" {
				return "", 0, ""
			}
			return rest[1 : 1+k], len(name) + 1 + k, ""
		}
		if f.Flags&FlagArgRequired != 0 {
			return "", 0, "filter syntax error: " + tok
		}
		return "", len(name), ""
	case f.Flags&FlagArgKey != 0:
		// a key or an index in brackets only (container.mount[/data])
		if strings.HasPrefix(rest, "[") {
			if end := strings.IndexByte(rest, ']'); end >= 0 {
				return rest[1:end], len(name) + end + 1, ""
			}
		}
		if f.Flags&FlagArgRequired != 0 {
			return "", 0, "filter syntax error: " + tok
		}
		return "", len(name), ""
	}
	return "", len(name), ""
}

// FormatArg is ParseArg for output formats, where sysdig's formatter shows
// evt.type.is without a value once its argument is well formed. Its type
// is read from the whole rest of the format: when that is an event name of
// the table or an integer (typeIsName), the field covers it all; otherwise
// it covers nothing and its text is shown again as literal text (n 0, no
// argument).
func FormatArg(f *Field, tok string) (arg string, n int, msg string) {
	arg, n, msg = ParseArg(f, tok)
	if msg == "" && f.Name == "evt.type.is" {
		if rest := tok[len(f.Name):]; strings.HasPrefix(rest, ".") && typeIsName(rest[1:]) {
			return "", len(tok), ""
		}
		return "", 0, ""
	}
	return arg, n, msg
}

// typeIsName reports whether s, the whole rest of a format after
// "evt.type.is.", is what sysdig's formatter takes as the field's event
// type: an event name of the table (unused slots' NA1... included), or an
// integer with optional leading blanks and sign, of any size.
func typeIsName(s string) bool {
	if len(event.ByName(s)) > 0 {
		return true
	}
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isSpanArg reports whether name is one of the tracer span argument or tag
// fields, which parse their argument as evt.arg does.
func isSpanArg(name string) bool {
	return strings.HasPrefix(name, "evtin.span") && (strings.HasSuffix(name, ".arg") || strings.HasSuffix(name, ".tag"))
}

// bracketNumber parses "[N]" after name: the text up to the closing
// bracket (or the end) must be a decimal integer.
func bracketNumber(name, rest string) (string, int, string) {
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		end = len(rest)
	}
	a := rest[1:end]
	if !IsNumber(a) {
		return "", 0, a + " is not a valid number"
	}
	return a, min(len(name)+end+1, len(name)+len(rest)), ""
}

// IsNumber reports whether s is a decimal integer as sysdig's number
// parser reads one (ScanDigits).
func IsNumber(s string) bool {
	_, _, _, ok := ScanDigits(s)
	return ok
}

// ParseNumber returns the value of a decimal integer ScanDigits accepts,
// saturated to the int64 range, and false for anything else.
func ParseNumber(s string) (int64, bool) {
	mag, neg, over, ok := ScanDigits(s)
	switch {
	case !ok:
		return 0, false
	case neg && (over || mag > 1<<63):
		return math.MinInt64, true
	case neg:
		return -int64(mag), true
	case over || mag > math.MaxInt64:
		return math.MaxInt64, true
	}
	return int64(mag), true
}

// ScanDigits parses what C's scanf("%d%c") accepts as a whole: optional
// leading white space, an optional sign, decimal digits and nothing else.
// It returns the magnitude (saturated at MaxUint64), the sign and whether
// the magnitude overflowed.
func ScanDigits(s string) (mag uint64, neg, over, ok bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i >= len(s) {
		return 0, false, false, false
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false, false, false
		}
		d := uint64(c - '0')
		if mag > (math.MaxUint64-d)/10 {
			over = true
			mag = math.MaxUint64
			continue
		}
		if !over {
			mag = mag*10 + d
		}
	}
	return mag, neg, over, true
}

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// keyLen is the length of the key at the start of s: identifier characters
// and dots, without trailing dots (they belong to the literal text).
func keyLen(s string) int {
	j := 0
	for j < len(s) && (isIdent(s[j]) || s[j] == '.') {
		j++
	}
	for j > 0 && s[j-1] == '.' {
		j--
	}
	return j
}

// longestParam returns the longest event parameter name that s starts
// with, or "".
func longestParam(s string) string {
	best := ""
	for t := event.Type(0); t.Known(); t++ {
		for _, p := range t.Info().Params {
			if len(p.Name) > len(best) && strings.HasPrefix(s, p.Name) {
				best = p.Name
			}
		}
	}
	return best
}
