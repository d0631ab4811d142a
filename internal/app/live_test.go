// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// TestLiveProcessesBornDuringLoad starts shells before and while the probe
// loads and keeps them running: every one of their events must carry the
// process's name and executable, whether the snapshot, the capture of its
// creation or the lookup of an unknown thread described it.
func TestLiveProcessesBornDuringLoad(t *testing.T) {
	testutil.RequireRoot(t)
	if testing.Short() {
		t.Skip("loads the probe")
	}
	bin := testutil.FerretBinary(t)
	marker := filepath.Join(t.TempDir(), "marker")
	if err := os.WriteFile(marker, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", "%proc.pid %proc.name %proc.exepath", "fd.name="+marker)
	var out, errb testutil.LockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	var kids []*exec.Cmd
	defer func() {
		for _, k := range kids {
			k.Process.Kill()
			k.Wait()
		}
	}()
	spawn := func() {
		k := exec.Command("sh", "-c", `while :; do read x < "$1"; sleep 0.1; done`, "sh", marker)
		if err := testutil.Start(k); err != nil {
			t.Fatal(err)
		}
		kids = append(kids, k)
	}
	spawn()
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	// Shells start while the probe loads, ever less often (loading takes
	// from a fraction of a second to many on a busy machine), until the
	// capture is announced; then a few more, and the capture runs until
	// each has been seen.
	started := false
	pause := 20 * time.Millisecond
	for deadline := time.Now().Add(3 * time.Minute); !started && time.Now().Before(deadline); {
		if len(kids) < 40 {
			spawn()
		}
		time.Sleep(pause)
		pause = min(pause*5/4, time.Second)
		started = strings.Contains(errb.String(), "capture started")
	}
	if !started {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no start line: %q", errb.String())
	}
	for i := 0; i < 5; i++ {
		spawn()
	}
	seen := map[int]bool{}
	for deadline := time.Now().Add(2 * time.Minute); len(seen) < len(kids) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		for _, l := range strings.Split(out.String(), "\n") {
			if f := strings.Fields(l); len(f) == 3 {
				pid, _ := strconv.Atoi(f[0])
				seen[pid] = true
			}
		}
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ferret: %v: %s", err, errb.String())
	}
	want := map[int]bool{}
	for _, k := range kids {
		want[k.Process.Pid] = true
	}
	// the path exec was given (seen executing) or the link resolved (/proc)
	resolved, _ := filepath.EvalSymlinks("/bin/sh")
	sh, _ := exec.LookPath("sh")
	exes := map[string]bool{resolved: true, sh: true}
	// The filter cannot be pushed to the kernel: the whole machine is
	// captured, and on a loaded one its buffers may overflow. A shell whose
	// execve exit was lost then keeps its parent's name (as in sysdig), and
	// one may have no event left: with drops counted, that is reported, not
	// failed.
	fail := t.Errorf
	if m := regexp.MustCompile(`Events dropped: ([1-9][0-9]*)`).FindStringSubmatch(errb.String()); m != nil {
		t.Logf("the capture dropped %s events: descriptions may be stale", m[1])
		fail = t.Logf
	}
	wrong := map[int]int{}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		pid, _ := strconv.Atoi(f[0])
		if want[pid] && (len(f) != 3 || f[1] != "sh" || !exes[f[2]]) {
			if wrong[pid]++; wrong[pid] == 1 {
				fail("shell %d described as %q", pid, l)
			}
		}
	}
	for pid := range want {
		if !seen[pid] {
			fail("no event of shell %d", pid)
		}
	}
	if t.Failed() {
		t.Logf("ferret's stderr: %s", errb.String())
	}
}

// TestLiveStartedLine: every live mode says once on stderr that capture has
// started, and not with -q.
func TestLiveStartedLine(t *testing.T) {
	testutil.RequireRoot(t)
	if testing.Short() {
		t.Skip("loads the probe")
	}
	bin := testutil.FerretBinary(t)
	modes := [][]string{
		{"-n", "1"},
		{"trace", "-e", "trace=none", "--", "true"},
		{"files", "--", "true"},
		{"netfs", "-n", "1", "--interval", "0.2"},
		{"net", "-n", "1", "--interval", "200ms"},
	}
	for _, m := range modes {
		for _, quiet := range []bool{false, true} {
			args := m
			if quiet {
				// -q goes before the command of trace and files
				args = append([]string{m[0], "-q"}, m[1:]...)
				if m[0] == "-n" {
					args = append([]string{"-q"}, m...)
				}
			}
			cmd := exec.Command(bin, args...)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Run(); err != nil {
				t.Errorf("%v: %v\n%s", args, err, errb.String())
				continue
			}
			n := strings.Count(errb.String(), "ferret: capture started\n")
			if want := map[bool]int{false: 1, true: 0}[quiet]; n != want {
				t.Errorf("%v: %d start lines, want %d:\n%s", args, n, want, errb.String())
			}
		}
	}
}

// TestLiveNetZabbixUndelivered: ferret net reports each push to an
// unreachable Zabbix server and ends with a failure status because values
// stayed undelivered; -q keeps only the final error.
func TestLiveNetZabbixUndelivered(t *testing.T) {
	testutil.RequireRoot(t)
	if testing.Short() {
		t.Skip("loads the probe")
	}
	bin := testutil.FerretBinary(t)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := dead.Addr().String()
	dead.Close()
	for _, quiet := range []bool{false, true} {
		args := []string{"net", "-n", "2", "--interval", "200ms", "--zabbix-server", addr}
		if quiet {
			args = append(args, "-q")
		}
		cmd := exec.Command(bin, args...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("%v: status %v, want 1\n%s", args, err, errb.String())
		}
		pushes := strings.Count("\n"+errb.String(), "\nzabbix ")
		final := strings.Contains(errb.String(), "ferret net: zabbix: ") && strings.Contains(errb.String(), " values undelivered, 0 dropped")
		if !final || pushes != map[bool]int{false: 2, true: 0}[quiet] {
			t.Errorf("%v: %d push lines, final line %v:\n%s", args, pushes, final, errb.String())
		}
	}
}
