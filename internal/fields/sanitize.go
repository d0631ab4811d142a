// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// Sanitize replaces the bytes of b that could drive a terminal by '.'
// (event.Sanitize): every text rendering of untrusted text goes through it.
func Sanitize(b []byte, layout bool) { event.Sanitize(b, layout) }

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
