// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"bytes"
	"github.com/ferret-observability/ferret/internal/testutil"
	"os"
	"regexp"
	"strings"
	"testing"
)

var listName = regexp.MustCompile(`(?m)^([a-z][a-z0-9_.]*) +(?:\(Type: ([A-Z0-9_]+)\))?`)

// TestListCoversSysdigFields checks that -lv lists every field of sysdig's
// listing, in the same order and with the same types.
func TestListCoversSysdigFields(t *testing.T) {
	ref, err := os.ReadFile(testutil.Reference(t, "sysdig-fields-verbose.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Default.WriteList(&out, true); err != nil {
		t.Fatal(err)
	}
	want := listName.FindAllStringSubmatch(string(ref), -1)
	got := listName.FindAllStringSubmatch(out.String(), -1)
	// sysdig's fields must appear in the same order with the same types;
	// ferret may list extra fields of its own in between.
	j := 0
	for i := 0; i < len(want); i++ {
		for j < len(got) && got[j][1] != want[i][1] {
			j++
		}
		if j == len(got) {
			t.Fatalf("field %s missing or out of order", want[i][1])
		}
		if got[j][2] != want[i][2] {
			t.Errorf("%s: type %s, want %s", want[i][1], got[j][2], want[i][2])
		}
	}
	// sysdig's class headers in the same order.
	hdr := regexp.MustCompile(`(?m)^Field Class: +(.*?) ?$`)
	wh, gh := hdr.FindAllStringSubmatch(string(ref), -1), hdr.FindAllStringSubmatch(out.String(), -1)
	j = 0
	for i := range wh {
		for j < len(gh) && strings.TrimSpace(gh[j][1]) != strings.TrimSpace(wh[i][1]) {
			j++
		}
		if j == len(gh) {
			t.Fatalf("class %q missing or out of order", wh[i][1])
		}
	}
}
