// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// reSigPID matches the pid of a SIGCHLD's child.
var reSigPID = regexp.MustCompile(`si_pid=\d+`)

// TestLiveStackTraceMatchesStrace compares -k's stacks with strace's on
// dynamic commands (all gone before ferret reads their calls, so their
// objects come from their exit_group records), a shell that runs a
// builtin and forks (-f) and static busybox (no PT_GNU_EH_FRAME: unwound
// by frame pointer, as strace does). Frames print file offsets, so nothing
// but pids is normalised. Left out: the stacks under signal lines (see
// withoutSignalStacks; one command checks them) and the frames strace
// cannot place (words a frame pointer leads to, outside the stack ferret
// copies).
func TestLiveStackTraceMatchesStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	cmds := [][]string{
		{"echo", "hi"},
		{"cat", "/etc/hostname"},
		{"ls", "/"},
		{"id"},
		{"sort", "/etc/hostname"},
		{"head", "-c", "10", "/etc/passwd"},
		{"sh", "-c", "echo hi; cat /etc/hostname"},
		// a signal delivered to a handler: its stack is where it
		// interrupted the task
		{"sh", "-c", "trap 'echo t' USR1; kill -USR1 $$; echo done"},
	}
	if _, err := exec.LookPath("busybox"); err == nil {
		cmds = append(cmds, []string{"busybox", "echo", "hi"}, []string{"busybox", "ls", "/"})
	} else {
		testutil.Unavailable(t, "busybox not installed (static binary)")
	}
	dir := t.TempDir()
	var total, same, frames, skipped, sigFrames int
	for _, cmd := range cmds {
		name := strings.Join(cmd, " ")
		sOut, fOut := filepath.Join(dir, "strace"), filepath.Join(dir, "ferret")
		args := append([]string{"-k", "-f", "-e", "trace=write,openat"}, cmd...)
		sc := exec.Command("strace", append([]string{"-o", sOut}, args...)...)
		sc.Env = append(os.Environ(), "LC_ALL=C")
		if out, err := sc.CombinedOutput(); err != nil {
			t.Fatalf("strace %s: %v %s", name, err, out)
		}
		fc := exec.Command(bin, append([]string{"trace", "-q", "-o", fOut}, args...)...)
		fc.Env = sc.Env
		if out, err := fc.CombinedOutput(); err != nil {
			t.Fatalf("ferret trace %s: %v %s", name, err, out)
		}
		sb, _ := os.ReadFile(sOut)
		fb, _ := os.ReadFile(fOut)
		all, fl := stackLines(string(sb)), stackLines(string(fb))
		sigFrames += len(onlyIn(fl, withoutSignalStacks(fl)))
		sl := all
		if !strings.Contains(name, "trap ") {
			sl, fl = withoutSignalStacks(all), withoutSignalStacks(fl)
		}
		// where a frame pointer leads out of the stack, libdw reads the
		// word anyway and strace prints it as a frame it cannot place;
		// ferret's copy holds the stack only and ends the stack there
		sl, fl = withoutUnplaced(sl), withoutUnplaced(fl)
		n := commonLines(sl, fl)
		total += len(all)
		same += n
		skipped += len(all) - len(sl)
		for _, l := range sl {
			if strings.HasPrefix(l, " > ") {
				frames++
			}
		}
		t.Logf("%s: %d of %d lines identical (%d from ferret)", name, n, len(sl), len(fl))
		if n != len(sl) || n != len(fl) {
			t.Errorf("%s: lines differ\nonly strace's:\n%s\nonly ferret's:\n%s", name,
				strings.Join(onlyIn(sl, fl), "\n"), strings.Join(onlyIn(fl, sl), "\n"))
		}
	}
	t.Logf("all: %d of %d lines identical (%d stack frames; %d lines not compared: frames of signal stops and unplaced frames)", same, total, frames, skipped)
	if sigFrames == 0 {
		t.Error("no stack under a signal line")
	}
	if frames < 100 {
		t.Errorf("only %d stack frames in strace's output", frames)
	}
}

// withoutSignalStacks drops the stacks printed under signal lines (at the
// signal-delivery stop): ferret has them only for signals delivered to a
// handler or a default action, not for those the receiver ignores (sent
// to it from another task's context, SIGCHLD's default), and for a
// SIGCHLD where it interrupts the parent depends on timing. The signal
// delivered to a handler below checks them.
func withoutSignalStacks(lines []string) []string {
	var out []string
	sig := false
	for _, l := range lines {
		if strings.HasPrefix(l, " > ") && sig {
			continue
		}
		_, rest, _ := strings.Cut(l, " ")
		sig = strings.HasPrefix(l, "--- ") || strings.HasPrefix(strings.TrimLeft(rest, " "), "--- ")
		out = append(out, l)
	}
	return out
}

// withoutUnplaced drops the frames strace could not place.
func withoutUnplaced(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !strings.Contains(l, "unexpected_backtracing_error") {
			out = append(out, l)
		}
	}
	return out
}

// stackLines returns the lines of a -k trace, the pids of -f's prefixes
// and of SIGCHLD's children normalised.
func stackLines(text string) []string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	pids := map[string]string{}
	for i, l := range lines {
		if p, rest, ok := strings.Cut(l, " "); ok && p != "" && strings.Trim(p, "0123456789") == "" {
			if pids[p] == "" {
				pids[p] = "PID" + string(rune('A'+len(pids)))
			}
			// (-o pads the pid to five columns: a pid that wrapped to
			// fewer digits in one of the two runs pads differently)
			l = pids[p] + " " + strings.TrimLeft(rest, " ")
		}
		lines[i] = reSigPID.ReplaceAllString(l, "si_pid=N")
	}
	return lines
}
