// SPDX-License-Identifier: Apache-2.0

package trace

import "strconv"

// appendQuoted appends s as strace quotes it: C escapes for \t \n \v \f \r,
// \" and \\, printable ASCII as is, other bytes in octal (three digits when
// the next byte is an octal digit). When max >= 0 and s is longer than max
// bytes, only max bytes are shown and "..." follows the closing quote.
func appendQuoted(b []byte, s []byte, max int) []byte {
	trunc := false
	if max >= 0 && len(s) > max {
		s, trunc = s[:max], true
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\v':
			b = append(b, '\\', 'v')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			if c >= 0x20 && c < 0x7f {
				b = append(b, c)
				continue
			}
			b = append(b, '\\')
			nextOct := i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'
			if nextOct || c >= 0100 {
				b = append(b, '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
			} else if c >= 010 {
				b = append(b, '0'+(c>>3)&7, '0'+c&7)
			} else {
				b = append(b, '0'+c)
			}
		}
	}
	b = append(b, '"')
	if trunc {
		b = append(b, "..."...)
	}
	return b
}

// appendQuotedX quotes s as the renderer's quote does with Options.Hex
// hex: plain, hex when not printable (-x), all hex (-xx).
func appendQuotedX(b []byte, s []byte, max int, hex int) []byte {
	if hex == 0 {
		return appendQuoted(b, s, max)
	}
	return appendQuotedHex(b, s, max, hex > 1)
}

// appendHex appends v as 0x%x.
func appendHex(b []byte, v uint64) []byte {
	b = append(b, '0', 'x')
	return strconv.AppendUint(b, v, 16)
}

// appendQuotedHex quotes s with every byte as \xNN when all is set or when
// the part shown holds a byte that is neither printable ASCII nor
// whitespace (\t, \n, \v, \f, \r) (strace -xx, -x).
func appendQuotedHex(b []byte, s []byte, max int, all bool) []byte {
	if !all {
		printable := true
		shown := s
		if max >= 0 && len(shown) > max {
			shown = shown[:max]
		}
		for _, c := range shown {
			if c >= 0x7f || c < 0x20 && (c < 9 || c > 13) {
				printable = false
				break
			}
		}
		if printable {
			return appendQuoted(b, s, max)
		}
	}
	trunc := false
	if max >= 0 && len(s) > max {
		s, trunc = s[:max], true
	}
	const digits = "0123456789abcdef"
	b = append(b, '"')
	for _, c := range s {
		b = append(b, '\\', 'x', digits[c>>4], digits[c&15])
	}
	b = append(b, '"')
	if trunc {
		b = append(b, "..."...)
	}
	return b
}
