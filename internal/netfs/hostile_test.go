// SPDX-License-Identifier: Apache-2.0

package netfs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestHostileNamesNetfs prints the table, slow operations and mount calls
// of processes, mounts and files with names that try to drive the
// terminal: no such byte reaches the output, and the names are there with
// those bytes shown as '.'.
func TestHostileNamesNetfs(t *testing.T) {
	for _, n := range testutil.HostileNames {
		var b bytes.Buffer
		row := Row{Key: Key{PID: 7, Comm: n, Mount: "/mnt/" + n}}
		row.FSType = "fuse." + n
		if err := WriteTable(&b, []Row{row}); err != nil {
			t.Fatal(err)
		}
		if err := WriteSlow(&b, &Slow{PID: 7, Comm: n, Op: OpRead, Path: "/mnt/" + n + "/f" + n, FSType: "nfs" + n}); err != nil {
			t.Fatal(err)
		}
		for _, call := range []string{"mount", "umount"} {
			if err := WriteMountEvent(&b, &MountEvent{PID: 7, Comm: n, Call: call, Source: "h:/" + n, Target: "/mnt/" + n, FSType: "nfs" + n}); err != nil {
				t.Fatal(err)
			}
		}
		out := b.String()
		if i := testutil.UnsafeByte(b.Bytes()); i >= 0 || strings.Count(out, "\n") != 5 {
			t.Errorf("%q: byte at %d, %d lines: %q", n, i, strings.Count(out, "\n"), out)
		}
		if !strings.Contains(out, "/mnt/x.[31mred.[0m") && strings.HasPrefix(n, "x\x1b") {
			t.Errorf("%q: mount not shown with '.': %q", n, out)
		}
	}
}
