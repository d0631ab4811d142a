// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var flagCrashMsg = flag.String("oracle.crashmsg", "", "with -oracle.crash: shrink while sysdig's output holds this text instead of while it crashes")

var flagCrash = flag.Uint64("oracle.crash", 0, "shrink the capture of this seed while sysdig fails on it (default output)")

// TestShrinkSysdigFailure shrinks a capture sysdig cannot replay, to find
// what the generator must not produce (or what sysdig gets wrong).
func TestShrinkSysdigFailure(t *testing.T) {
	if *flagCrash == 0 {
		t.Skip("no -oracle.crash seed given")
	}
	p := filepath.Join(t.TempDir(), "x.scap")
	small := ShrinkWhile(Generate(*flagCrash), 300, func(c *Capture) bool {
		os.WriteFile(p, c.Encode(), 0o644)
		cmd := exec.Command("sysdig", "-r", p)
		out, _ := cmd.CombinedOutput()
		if *flagCrashMsg != "" {
			return strings.Contains(string(out), *flagCrashMsg)
		}
		return cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == -1
	})
	out := filepath.Join(os.TempDir(), "crash.scap")
	os.WriteFile(out, small.Encode(), 0o644)
	for _, e := range small.Events {
		t.Logf("event %s (%d) tid %d params %d raw %x", e.Type.Name(), e.Type, e.TID, e.NParams, e.Raw[26:])
	}
	t.Logf("written to %s, layout %+v", out, small.Layout)
	for _, th := range small.Snap.Threads {
		t.Logf("thread %+v", th)
	}
}
