// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"strings"
	"testing"
)

func runTopCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := newCLI(&out, &errb).main(append([]string{"top"}, args...))
	return out.String(), errb.String(), rc
}

func TestTopBatchAndErrors(t *testing.T) {
	const trace = "../view/testdata/traces/curl_google.scap"
	out, errs, rc := runTopCmd(t, "-r", trace, "-v", "connections", "--raw")
	if rc != 0 || !strings.Contains(out, "2607:f8b0:4004:802::2004 80") {
		t.Fatalf("rc=%d out=%q err=%q", rc, out, errs)
	}
	out, _, rc = runTopCmd(t, "-r", trace, "-vsyscalls", "-j", "evt.type=open")
	if rc != 0 || !strings.HasPrefix(out, "{\"slices\": [\n") || !strings.Contains(out, `"k":"open"`) {
		t.Fatalf("rc=%d out=%q", rc, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-r", "/nonexistent.scap", "--raw"}, "can't open file /nonexistent.scap"},
		{[]string{"-r", trace, "-v", "nope", "--raw"}, "unknown view nope"},
		{[]string{"-r", trace, "--raw", "bad.field=3"}, "unrecognized field bad.field"},
		{[]string{"-d", "50", "--raw"}, "Period must be bigger then 100ms"},
		{[]string{"-n", "x", "--raw"}, "can't parse the -n argument"},
		{[]string{"-r"}, "requires an argument"},
		{[]string{"--bogus"}, "unknown option"},
		// csysdig's messages for --sortingcol, --from and --to.
		{[]string{"-r", trace, "--raw", "--sortingcol=0"}, "cannot sort by key"},
		{[]string{"-r", trace, "--raw", "--sortingcol", "x"}, "x is not a valid number"},
		{[]string{"-r", trace, "-j", "--from=abc"}, "abc is not a valid number"},
		{[]string{"-r", trace, "-j", "--from=2"}, "'to' argument cannot be smaller than the 'from' one."},
		{[]string{"-r", trace, "-j", "--from=5", "--to=2"}, "'to' argument cannot be smaller than the 'from' one."},
	} {
		_, errs, rc := runTopCmd(t, c.args...)
		if rc != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: rc=%d stderr=%q, want %q", c.args, rc, errs, c.want)
		}
	}
	// --sortingcol sorts --raw too (csysdig: column 3 of System Calls is
	// AVG TIME, descending), and a column out of range keeps the view's.
	out, _, rc = runTopCmd(t, "-r", trace, "-v", "syscalls", "--raw", "--sortingcol=3")
	if f := strings.Fields(strings.Split(out, "\n")[1]); rc != 0 || len(f) < 4 || f[3] != "poll" {
		t.Errorf("--sortingcol=3: rc=%d first row %q", rc, f)
	}
	out, _, rc = runTopCmd(t, "-r", trace, "-v", "syscalls", "--raw", "--sortingcol=9")
	if f := strings.Fields(strings.Split(out, "\n")[1]); rc != 0 || len(f) < 4 || f[3] != "mmap" {
		t.Errorf("--sortingcol=9: rc=%d first row %q", rc, f)
	}
	out, _, rc = runTopCmd(t, "--list-views")
	if rc != 0 || !strings.Contains(out, `"id":"procs"`) {
		t.Errorf("--list-views: rc=%d %q", rc, out)
	}
}
