// SPDX-License-Identifier: Apache-2.0

package view

import (
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	a, err := ParseArgs(strings.Fields("-d 500 -pc --raw -n5 --view=files -A proc.name=x and fd.num>2"))
	if err != nil {
		t.Fatal(err)
	}
	if a.DelayMS != 500 || !a.Containers || !a.Raw || a.NumEvents != 5 || a.View != "files" || a.Filter != "proc.name=x and fd.num>2" {
		t.Errorf("parsed %+v", a)
	}
	for args, want := range map[string]string{"-d 50": "Period must be bigger then 100ms", "-n": "requires an argument",
		"--nope": "unknown option -nope", "-s -1": "invalid snaplen -1"} {
		if _, err := ParseArgs(strings.Fields(args)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", args, err, want)
		}
	}
	if a, _ := ParseArgs([]string{"-h"}); a == nil || !a.Help {
		t.Error("-h")
	}
}
