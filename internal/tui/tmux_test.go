// SPDX-License-Identifier: Apache-2.0

package tui_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// term is a ferret top running in a private tmux server.
type term struct {
	t      *testing.T
	socket string
}

func startTerm(t *testing.T, args ...string) *term {
	t.Helper()
	return startTermEnv(t, "", args...)
}

// startTermEnv starts ferret top with environment assignments env
// ("TERM=xterm-256color") before the command.
func startTermEnv(t *testing.T, env string, args ...string) *term {
	t.Helper()
	testutil.RequireTool(t, "tmux")
	bin := testutil.FerretBinary(t)
	tm := &term{t: t, socket: fmt.Sprintf("ferret-top-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "_"))}
	cmd := env + " " + bin + " top " + strings.Join(args, " ") + "; echo EXITED rc=$?; sleep 600"
	out, err := exec.Command("tmux", "-L", tm.socket, "new-session", "-d", "-x", "160", "-y", "45", "-s", "t", "sh", "-c", cmd).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *term) screen() string {
	out, err := exec.Command("tmux", "-L", tm.socket, "capture-pane", "-p", "-t", "t").Output()
	if err != nil {
		tm.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

// screenEscapes returns the screen with its colour escape sequences.
func (tm *term) screenEscapes() string {
	out, err := exec.Command("tmux", "-L", tm.socket, "capture-pane", "-p", "-e", "-t", "t").Output()
	if err != nil {
		tm.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"-L", tm.socket, "send-keys", "-t", "t"}, keys...)...).CombinedOutput(); err != nil {
		tm.t.Fatalf("send-keys: %v: %s", err, out)
	}
}

func (tm *term) typeText(s string) {
	tm.t.Helper()
	if out, err := exec.Command("tmux", "-L", tm.socket, "send-keys", "-t", "t", "-l", s).CombinedOutput(); err != nil {
		tm.t.Fatalf("send-keys: %v: %s", err, out)
	}
}

// waitFor waits until the screen satisfies ok (checked on every redraw
// poll; the deadline only bounds a broken run).
func (tm *term) waitFor(what string, ok func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *term) waitText(subs ...string) string {
	tm.t.Helper()
	return tm.waitFor(strings.Join(subs, " & "), func(s string) bool {
		for _, x := range subs {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

func (tm *term) alternateScreen() bool {
	out, _ := exec.Command("tmux", "-L", tm.socket, "display", "-p", "-t", "t", "#{alternate_on}").Output()
	return strings.TrimSpace(string(out)) == "1"
}

func trace(t *testing.T) string {
	p, err := filepath.Abs("../view/testdata/traces/curl_google.scap")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInteractive walks through csysdig's main keys on a capture file:
// start, search, drill-down and back, a filter with an error and its fix,
// sort, view switch, help, echo/dig, quit.
func TestInteractive(t *testing.T) {
	tm := startTerm(t, "-r", trace(t))
	tm.waitText("Viewing: Processes", "For: whole machine", "sysdig -zw curl.scap", "F2Views")

	// Search, then drill down into the found process and come back.
	tm.keys("/")
	tm.waitText("Search:")
	tm.typeText("curl -6")
	tm.keys("Enter")
	tm.keys("Enter")
	tm.waitText("Viewing: Threads", "For: proc.pid=17497", "curl -6 http://www.google.com")
	tm.keys("BSpace")
	tm.waitText("Viewing: Processes", "For: whole machine", "/sbin/init")

	// A filter with an error shown as it is typed, then fixed.
	tm.keys("F4")
	tm.waitText("Filter:")
	tm.typeText("proc.name=curl and")
	tm.waitText("unexpected end of filter")
	tm.keys("Enter") // refused
	tm.waitText("Filter: proc.name=curl and", "unexpected end of filter")
	tm.typeText(" evt.type=open")
	tm.waitFor("the filter accepted", func(s string) bool { return strings.Contains(s, "\nok\n") })
	tm.keys("Enter")
	s := tm.waitText("Filter: proc.name=curl and evt.type=open", "curl -6 http://www.google.com", "F2Views")
	tm.waitFor("only curl", func(s string) bool { return !strings.Contains(s, "/sbin/init") })
	_ = s

	// Clear the filter, sort by PID (F9 picker), then reverse with a click-free key.
	tm.keys("\\")
	tm.waitText("Filter:")
	tm.keys("C-u", "Enter")
	tm.waitFor("filter cleared", func(s string) bool {
		return strings.Contains(s, "/sbin/init") && !strings.Contains(s, "Filter: proc.name")
	})
	tm.keys("F9")
	tm.waitText("Sort by")
	tm.keys("Home", "Enter")
	tm.waitText("PIDv")
	tm.keys(">")
	tm.waitText("Sort by")
	tm.keys("Home", "Enter")
	tm.waitText("PID^")

	// View switch through F2.
	tm.keys("F2")
	tm.waitText("Views", "Connections")
	tm.keys("Home", "Enter")
	tm.waitText("Viewing: Connections", "2607:f8b0:4004:8", "BPS IN")

	// Dig (F6) into the selected connection, then back.
	tm.keys("F6")
	tm.waitText("Viewing: sysdig output", "connect")
	tm.keys("BSpace")
	tm.waitText("Viewing: Connections")

	// Help, then quit: the terminal is restored.
	tm.keys("F7")
	tm.waitText("Enter (or double click)")
	tm.keys("Escape")
	tm.waitFor("help closed", func(s string) bool { return !strings.Contains(s, "Enter (or double click)") })
	tm.keys("q")
	tm.waitText("EXITED rc=0")
	if tm.alternateScreen() {
		t.Error("the terminal was left in the alternate screen")
	}
}

// TestInterruptRestoresTerminal: Ctrl-C quits and leaves a usable terminal.
func TestInterruptRestoresTerminal(t *testing.T) {
	tm := startTerm(t, "-r", trace(t), "-v", "syscalls")
	tm.waitText("Viewing: System Calls", "mmap")
	tm.keys("C-c")
	tm.waitText("EXITED rc=0")
	if tm.alternateScreen() {
		t.Error("the terminal was left in the alternate screen")
	}
}

// TestStepping moves through a capture's intervals with [ and ].
func TestStepping(t *testing.T) {
	tm := startTerm(t, "-r", trace(t), "-d", "1000", "-v", "syscalls")
	tm.waitText("Viewing: System Calls", "step through")
	tm.keys("]")
	tm.waitText("interval 1/")
	tm.keys("]")
	tm.waitText("interval 2/")
	tm.keys("[", "[")
	tm.waitText("whole capture")
}

// TestBadInvocations: errors are reported without touching the terminal.
func TestBadInvocations(t *testing.T) {
	bin := testutil.FerretBinary(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"top", "-r", "/nonexistent.scap"}, "can't open file /nonexistent.scap"},
		{[]string{"top", "-r", trace(t), "-v", "nope"}, "unknown view nope"},
		{[]string{"top", "-r", trace(t), "proc.name=("}, "filter"},
	} {
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: err=%v out=%q, want %q", c.args, err, out, c.want)
		}
	}
}

// TestSpectrogram shows a spectro view as csysdig draws it: a line per
// interval in sysdig's 256 colours above the latency axis, stepping with
// [ and ] (the lines up to the interval shown), and a switch back to a
// table view.
func TestSpectrogram(t *testing.T) {
	tm := startTermEnv(t, "TERM=xterm-256color", "-r", trace(t), "-d", "100", "-v", "spectro_all")
	tm.waitText("Viewing: Spectrogram-All", "|1ns ", "|1.00us ", "|10.00s", "step through")
	var whole int
	tm.waitFor("coloured cells", func(string) bool { whole = spectroCells(tm.screenEscapes()); return whole > 0 })
	// The first interval alone has fewer coloured cells than the whole capture.
	tm.keys("]")
	tm.waitText("interval 1/")
	first := spectroCells(tm.screenEscapes())
	if first >= whole {
		t.Errorf("interval 1 has %d coloured cells, the whole capture %d", first, whole)
	}
	tm.keys("[")
	tm.waitText("whole capture")
	tm.keys("F2")
	tm.waitText("Views", "Connections")
	tm.keys("Home", "Enter")
	tm.waitText("Viewing: Connections", "BPS IN")
	tm.keys("q")
	tm.waitText("EXITED rc=0")
}

// spectroCells counts the cells drawn on a background of sysdig's
// spectrogram palette (48;5;N) in screen lines other than the key bar.
func spectroCells(screen string) int {
	n := 0
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "F1") {
			continue
		}
		for _, c := range []int{22, 28, 64, 34, 2, 76, 46, 118, 154, 191, 227, 226, 11, 220, 209, 208, 202, 197, 9, 1} {
			n += strings.Count(l, fmt.Sprintf("48;5;%dm", c))
		}
	}
	return n
}

// TestSortingColOption: --sortingcol picks the column the screen starts
// sorted by.
func TestSortingColOption(t *testing.T) {
	tm := startTerm(t, "-r", trace(t), "-v", "syscalls", "--sortingcol=3")
	s := tm.waitText("Viewing: System Calls", "poll")
	if !strings.Contains(s, "AVG TIMEv") {
		t.Errorf("not sorted by AVG TIME:\n%s", s)
	}
	tm.keys("q")
	tm.waitText("EXITED rc=0")
}
