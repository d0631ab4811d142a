// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestHostileNamesRecords writes records of files and programs whose names
// try to drive the terminal, as text and as JSON: no such byte reaches the
// output (JSON escapes them, and every non-ASCII character, as \uXXXX, but
// DEL, as sysdig -j does), one
// line per record, and JSON decodes back to the names.
func TestHostileNamesRecords(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		var b bytes.Buffer
		w := &Writer{W: &b, JSON: asJSON, Loc: time.UTC}
		for _, n := range testutil.HostileNames {
			if err := w.Write(&Record{PID: 7, TID: 7, Comm: n, Exe: "/bin/" + n, Path: "/tmp/" + n, FD: 3}); err != nil {
				t.Fatal(err)
			}
		}
		out := b.String()
		check := b.Bytes()
		if asJSON {
			// DEL stays raw in JSON, as in sysdig's -j (terminals ignore it)
			check = bytes.ReplaceAll(check, []byte{0x7f}, nil)
		}
		if i := testutil.UnsafeByte(check); i >= 0 || strings.Count(out, "\n") != len(testutil.HostileNames) {
			t.Fatalf("json %v: byte at %d: %q", asJSON, i, out)
		}
		if !asJSON {
			if !strings.Contains(out, "/tmp/clip.]52;c;aGk=.") {
				t.Errorf("text: names not shown with '.': %q", out)
			}
			continue
		}
		for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			var r jsonRecord
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			n := testutil.HostileNames[i]
			if !strings.Contains(n, "\xc2") && strings.ToValidUTF8(n, "\ufffd") == n && string(r.Path) != "/tmp/"+n {
				t.Errorf("path %q decodes as %q", "/tmp/"+n, r.Path)
			}
		}
	}
}
