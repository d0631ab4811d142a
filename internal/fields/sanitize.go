// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"encoding/binary"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// Sanitize replaces the bytes of b that could drive a terminal by '.'
// (event.Sanitize): every text rendering of untrusted text goes through it.
func Sanitize(b []byte, layout bool) {
	if !Plain(b) {
		event.Sanitize(b, layout)
	}
}

// Plain reports whether every byte of b is printable ASCII (0x20-0x7e):
// such text has no NUL and nothing Sanitize would change. It looks at
// eight bytes at a time.
func Plain(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		// a byte below 0x20, or a byte above 0x7e (high bit set after
		// adding 1, or already set)
		if (x-ones*0x20)&^x&highs != 0 || ((x+ones)|x)&highs != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// SafeString is event.SafeString.
func SafeString(s string, layout bool) string { return event.SafeString(s, layout) }

// KeepsLineBreaks reports whether the text of field name renders event
// arguments, among them I/O payloads whose line feeds and tabs are kept (as
// in -A/-X output and the stdout chisel); names rendered inside them are
// sanitized as they are rendered. Raw byte values (KindBytes) keep them too.
func KeepsLineBreaks(name string) bool {
	for _, p := range []string{"evt.info", "evt.args", "evt.arg", "evt.rawarg", "evt.buffer"} {
		if name == p || strings.HasPrefix(name, p+".") || strings.HasPrefix(name, p+"[") {
			return true
		}
	}
	return false
}
