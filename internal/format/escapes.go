// SPDX-License-Identifier: Apache-2.0

package format

import "strings"

// TranslateEscapes applies the command-line escapes of -p formats: \n, \t,
// \e (ESC) and \\; other backslash pairs stay as typed.
func TranslateEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case 'e':
				b.WriteByte(0x1b)
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
