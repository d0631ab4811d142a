// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bytes"
	"github.com/ferret-observability/ferret/internal/testutil"
	"os"
	"strings"
	"testing"
)

const sysdigDir = "/usr/share/sysdig/chisels"

// needSysdigChisels skips when sysdig's chisels are not installed, except
// in CI where they are part of the test image.
func needSysdigChisels(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sysdigDir + "/common.lua"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sysdig chisels missing in CI: %v", err)
		}
		t.Skip("sysdig chisels not installed")
	}
}

func TestListMatchesSysdig(t *testing.T) {
	needSysdigChisels(t)
	want, err := os.ReadFile(testutil.Reference(t, "sysdig-chisels.txt"))
	if err != nil {
		t.Skip(err)
	}
	var b bytes.Buffer
	// Only sysdig's directory: the embedded built-ins share names with it,
	// so the listing must be identical.
	if err := List(&b, []string{sysdigDir}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("-cl differs:\n%s", firstDiff(got, string(want)))
	}
}

func TestInfoMatchesSysdig(t *testing.T) {
	needSysdigChisels(t)
	ref, err := os.ReadFile(testutil.Reference(t, "sysdig-chisel-info.txt"))
	if err != nil {
		t.Skip(err)
	}
	parts := strings.Split(string(ref), "=================== ")
	n, ok := 0, 0
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, "\n")
		i := strings.LastIndex(body, "[rc=")
		want := body[:i]
		var b bytes.Buffer
		err := Info(&b, name, []string{sysdigDir})
		got := b.String()
		if err != nil {
			got = err.Error() + "\n"
		}
		n++
		if got == want {
			ok++
		} else {
			t.Errorf("-i %s differs:\n%s", name, firstDiff(got, want))
		}
	}
	t.Logf("-i: %d/%d identical", ok, n)
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n got: " + a + "\nwant: " + b
		}
	}
	return ""
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }
