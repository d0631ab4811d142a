// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		in     string
		layout bool
		want   string
	}{
		{"plain text", false, "plain text"},
		{"a\x1b[31mb\x07c", false, "a.[31mb.c"},
		{"tab\tcr\rlf\nnul\x00del\x7f", false, "tab.cr.lf.nul.del."},
		{"lf\nkept\r\ttab", true, "lf\nkept.\ttab"},
		{"é ü 中 😀", false, "é ü 中 😀"},
		{"c1 \xc2\x9b[2J \xc2\x85", false, "c1 ..[2J .."},
		{"raw \x9b[2J \x80 \xa0\xff", false, "raw .[2J . \xa0\xff"},
		{"cut \xc3", false, "cut \xc3"},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		Sanitize(b, tt.layout)
		if string(b) != tt.want {
			t.Errorf("Sanitize(%q, %v) = %q, want %q", tt.in, tt.layout, b, tt.want)
		}
		if got := SafeString(tt.in, tt.layout); got != tt.want {
			t.Errorf("SafeString(%q, %v) = %q, want %q", tt.in, tt.layout, got, tt.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"a\x1b]0;t\x07", "\xc2\x9b", "\xe2\x80\xae", "\x00\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		Sanitize(b, false)
		if len(b) != len(s) {
			t.Fatalf("length changed")
		}
		for i := 0; i < len(b); i++ {
			if c := b[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("control byte 0x%02x left in %q", c, b)
			}
		}
		for _, r := range string(b) {
			if r >= 0x80 && r < 0xa0 {
				t.Fatalf("C1 control U+%04X left in %q", r, b)
			}
		}
	})
}

// Plain agrees with a byte-by-byte test on every byte value at every
// position of words and tails.
func TestPlainLikeByteTest(t *testing.T) {
	slow := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c > 0x7e {
				return false
			}
		}
		return true
	}
	for n := 0; n <= 19; n++ {
		for pos := 0; pos < n; pos++ {
			for v := 0; v < 256; v++ {
				b := []byte(strings.Repeat("a~ ", 7)[:n])
				b[pos] = byte(v)
				if got, want := Plain(b), slow(b); got != want {
					t.Fatalf("Plain(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
