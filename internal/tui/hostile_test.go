// SPDX-License-Identifier: Apache-2.0

package tui_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestScreenHostileNames shows processes whose names try to drive the
// terminal (a window title, colours, clearing the screen) on the screen:
// the title stays tmux's, and the names show with those bytes as '.'.
func TestScreenHostileNames(t *testing.T) {
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1, MemBytes: 1 << 30, Hostname: "h"},
		Users: []event.User{{UID: 0, Name: "root"}}}
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 1000}
	for i, n := range testutil.HostileNames {
		tid := int64(100 + i)
		snap.Threads = append(snap.Threads, event.Thread{TID: tid, PID: tid, PTID: 1, Comm: "p" + n, Exe: "/bin/" + n,
			ExePath: "/bin/" + n, Args: []string{n}, FDLimit: 1024, VTID: tid, VPID: tid, Root: "/", LoginUID: -1})
		g.Open(tid, "/tmp/"+n, synth.ORdonly, 0, 3)
	}
	var buf bytes.Buffer
	w, err := capfile.NewWriter(&buf, snap, capfile.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range g.Events() {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "hostile.scap")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := startTerm(t, "-r", p)
	tm.waitText("Viewing: Processes", "title.]0;owned.", "x.[31mred.[0m")
	out, err := exec.Command("tmux", "-L", tm.socket, "display", "-p", "-t", "t", "#{pane_title}").Output()
	if err != nil {
		t.Fatal(err)
	}
	if title := strings.TrimSpace(string(out)); strings.Contains(title, "owned") {
		t.Errorf("a process name set the window title: %q", title)
	}
	tm.keys("F10")
}
