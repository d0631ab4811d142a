// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestVersion: --version keeps sysdig's first line, then the commit and
// date given at link time and the Go version; the kernel features only
// when live capture is possible.
func TestVersion(t *testing.T) {
	oc, od := Commit, BuildDate
	defer func() { Commit, BuildDate = oc, od }()
	Commit, BuildDate = "0123abcd", "2026-12-01T10:00:00Z"

	unprivileged := func(c *cli) { c.livePrivileges = func() error { return errors.New("no") } }
	got, rc := runCLIWith(t, ".", []string{"--version"}, unprivileged)
	want := "ferret version " + Version + "\ncommit:     0123abcd\nbuilt:      2026-12-01T10:00:00Z\ngo:         " +
		runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if rc != 0 || got != want {
		t.Fatalf("rc %d, got\n%s\nwant\n%s", rc, got, want)
	}

	testutil.RequireRoot(t)
	got, rc = runCLI(t, ".", []string{"--version"})
	rel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	wantTail := "kernel:     " + strings.TrimSpace(string(rel)) + "\n  BTF:         yes\n  ring buffer: yes\n  tp_btf:      yes\n"
	if rc != 0 || !strings.HasPrefix(got, want) || got[len(want):] != wantTail {
		t.Fatalf("as root: rc %d, got\n%s", rc, got)
	}
}
