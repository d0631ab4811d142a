// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sharedRef returns the path of a file of the shared reference directory
// (../shared beside the repository root), skipping when it is absent.
func sharedRef(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference file %s missing", p)
		}
		t.Skip("reference file missing: " + p)
	}
	return p
}

var listName = regexp.MustCompile(`(?m)^([a-z][a-z0-9_.]*) +(?:\(Type: ([A-Z0-9_]+)\))?`)

// TestListCoversSysdigFields checks that -lv lists every field of sysdig's
// listing, in the same order and with the same types.
func TestListCoversSysdigFields(t *testing.T) {
	ref, err := os.ReadFile(sharedRef(t, "reference/sysdig-fields-verbose.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Default.WriteList(&out, true); err != nil {
		t.Fatal(err)
	}
	want := listName.FindAllStringSubmatch(string(ref), -1)
	got := listName.FindAllStringSubmatch(out.String(), -1)
	if len(want) != len(got) {
		t.Errorf("listed %d fields, sysdig lists %d", len(got), len(want))
	}
	for i := 0; i < len(want) && i < len(got); i++ {
		if want[i][1] != got[i][1] || want[i][2] != got[i][2] {
			t.Fatalf("entry %d: got %s (%s), want %s (%s)", i, got[i][1], got[i][2], want[i][1], want[i][2])
		}
	}
	// Class headers in the same order.
	hdr := regexp.MustCompile(`(?m)^Field Class: +(.*?) ?$`)
	wh, gh := hdr.FindAllStringSubmatch(string(ref), -1), hdr.FindAllStringSubmatch(out.String(), -1)
	if len(wh) != len(gh) {
		t.Fatalf("got %d classes, want %d", len(gh), len(wh))
	}
	for i := range wh {
		if strings.TrimSpace(wh[i][1]) != strings.TrimSpace(gh[i][1]) {
			t.Errorf("class %d: got %q want %q", i, gh[i][1], wh[i][1])
		}
	}
}
