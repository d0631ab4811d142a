// SPDX-License-Identifier: Apache-2.0

package event

import "unicode/utf8"

// Text that comes from the traced system (file names, command lines,
// process names, payloads) is untrusted: a file name can hold terminal
// escape sequences. Every text rendering goes through Sanitize, which
// replaces each byte that could drive a terminal by '.', the way sysdig
// renders non-printable bytes of fd names and payloads:
//   - C0 controls (0x00-0x1f) and DEL (0x7f), except line feeds and tabs
//     where layout is set (payload renderings: -A keeps line breaks, -X
//     indents with tabs);
//   - C1 controls (U+0080-U+009F), both UTF-8 encoded and as raw bytes
//     outside a valid UTF-8 sequence (a Latin-1 terminal reads 0x9b as CSI).
//
// Other valid UTF-8 text is kept as it is.

// Sanitize replaces the unsafe bytes of b in place (see above).
func Sanitize(b []byte, layout bool) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if (c < 0x20 && !(layout && (c == '\n' || c == '\t'))) || c == 0x7f {
				b[i] = '.'
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if c < 0xa0 {
				b[i] = '.'
			}
			i++
			continue
		}
		if r >= 0x80 && r < 0xa0 {
			for j := i; j < i+n; j++ {
				b[j] = '.'
			}
		}
		i += n
	}
}

// SafeString returns s with its unsafe bytes replaced (see Sanitize); s
// itself when it has none.
func SafeString(s string, layout bool) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			b := []byte(s)
			Sanitize(b, layout)
			if string(b) == s {
				return s
			}
			return string(b)
		}
	}
	return s
}
