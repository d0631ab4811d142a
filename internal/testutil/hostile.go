// SPDX-License-Identifier: Apache-2.0

package testutil

import "unicode/utf8"

// HostileNames are names a local user can give files, processes and
// arguments to take over the terminal of whoever watches the output:
// colours, screen clearing, window titles, OSC 52 clipboard writes, C1
// controls in UTF-8 and as raw bytes, NUL, DEL, bidi overrides, line breaks.
var HostileNames = []string{
	"x\x1b[31mred\x1b[0m",
	"clear\x1b[2J\x1b[H",
	"title\x1b]0;owned\x07",
	"clip\x1b]52;c;aGk=\x07",
	"bell\x07bs\x08cr\rlf\nvt\x0bff\x0ctab\t",
	"del\x7fesc\x1b",
	"c1\xc2\x9b2J\xc2\x9d0;t\xc2\x9c",
	"raw\x9b2J\x90q\x9c",
	"bidi\xe2\x80\xaeevil\xc3\xa9",
	"nul\x00hidden\x1b[2J",
}

// UnsafeByte returns the offset of the first byte of out that could drive
// a terminal (C0 but line feed and tab, DEL, C1 raw or UTF-8), or -1.
func UnsafeByte(out []byte) int {
	for i := 0; i < len(out); {
		c := out[i]
		if c < 0x80 {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(out[i:])
		if (r == utf8.RuneError && n <= 1 && c < 0xa0) || (r >= 0x80 && r < 0xa0) {
			return i
		}
		i += n
	}
	return -1
}
