// SPDX-License-Identifier: Apache-2.0

package app

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestLiveCapture captures a child process's opens live, prints them and
// writes them (with the state events, -F) to a capture file that reads
// back with process names.
func TestLiveCapture(t *testing.T) {
	testutil.RequireRoot(t)
	if testing.Short() {
		t.Skip("loads the probe")
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
				exec.Command("cat", "/etc/hostname").Run()
			}
		}
	}()
	out := filepath.Join(t.TempDir(), "live.scap")
	got, rc := runCLI(t, ".", []string{"-n", "4", "-F", "-w", out, "proc.name=cat and evt.type in (open, openat) and evt.dir=<"})
	if rc != 0 {
		t.Fatalf("live capture: rc %d: %s", rc, got)
	}
	if !strings.Contains(got, "Events captured:") {
		t.Errorf("no end-of-capture report: %q", got)
	}
	got, rc = runCLI(t, ".", []string{"-r", out, "-p", "%proc.name %evt.type"})
	if rc != 0 {
		t.Fatalf("reading back: rc %d: %s", rc, got)
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 4 {
		t.Fatalf("read back %d events, want 4: %q", len(lines), got)
	}
	for _, l := range lines {
		if l != "cat openat" && l != "cat open" {
			t.Errorf("unexpected event %q", l)
		}
	}
}
