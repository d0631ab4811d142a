// SPDX-License-Identifier: Apache-2.0

package capture

import (
	"strings"
	"testing"
)

func TestWriteLost(t *testing.T) {
	var b strings.Builder
	Stats{Events: 10}.WriteLost(&b, "ferret files")
	if b.Len() != 0 {
		t.Errorf("nothing lost, but %q", b.String())
	}
	Stats{Drops: map[string]uint64{"ring buffer full": 3, "payload read failed": 2}}.WriteLost(&b, "ferret files")
	if got := b.String(); got != "ferret files: 5 events lost\n" {
		t.Errorf("got %q", got)
	}
	Stats{Drops: map[string]uint64{"x": 1}}.WriteLost(nil, "ferret files") // no writer: nothing, no panic
}
