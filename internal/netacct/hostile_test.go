// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestHostileProgramNames prints the table of programs whose names try to
// drive the terminal: no such byte reaches the output, one line per row.
func TestHostileProgramNames(t *testing.T) {
	var rows []Row
	for _, n := range testutil.HostileNames {
		rows = append(rows, Row{Key: Key{Program: n, Addr: netip.MustParseAddr("127.0.0.1"), Port: 80, Proto: TCP}, Counters: Counters{TxBytes: 1}})
	}
	for _, by := range []By{ByProc, ByProcIP, ByProcIPPort} {
		var b bytes.Buffer
		if err := WriteTable(&b, by, rows, Counters{}); err != nil {
			t.Fatal(err)
		}
		if i := testutil.UnsafeByte(b.Bytes()); i >= 0 || strings.Count(b.String(), "\n") != len(rows)+2 {
			t.Errorf("by %v: byte at %d: %q", by, i, b.String())
		}
		if !strings.Contains(b.String(), "c1..2J..0;t..") {
			t.Errorf("by %v: C1 controls not shown as '.': %q", by, b.String())
		}
	}
}
