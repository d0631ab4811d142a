// SPDX-License-Identifier: Apache-2.0

package tui_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// trigger starts a process that keeps writing to a file of its own and
// returns the file's name and the process.
func trigger(t *testing.T) (string, *exec.Cmd) {
	t.Helper()
	name := filepath.Join(t.TempDir(), fmt.Sprintf("ferret-top-live-%d", os.Getpid()))
	cmd := exec.Command("sh", "-c", "while :; do echo x >> "+name+"; sleep 0.05; done")
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return name, cmd
}

// topRun is a `ferret top` started by a test: its standard output is read
// line by line through the embedded scanner.
type topRun struct {
	*bufio.Scanner
	cmd      *exec.Cmd
	stderr   testutil.LockedBuffer
	deadline *time.Timer
	once     sync.Once
	err      error
}

// startTop starts `ferret top` with args. A deadline of limit kills a run
// that never ends (it only bounds a broken run); the test's cleanup stops
// a run the test did not stop.
func startTop(t *testing.T, bin string, limit time.Duration, args ...string) *topRun {
	t.Helper()
	r := &topRun{cmd: exec.Command(bin, append([]string{"top"}, args...)...)}
	out, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stderr = &r.stderr
	if err := testutil.Start(r.cmd); err != nil {
		t.Fatal(err)
	}
	r.deadline = time.AfterFunc(limit, func() { r.cmd.Process.Kill() })
	r.Scanner = bufio.NewScanner(out)
	r.Buffer(nil, 1<<20)
	t.Cleanup(func() { r.stop() })
	return r
}

// stop ends the run with SIGINT and returns how it exited; later calls
// return the same.
func (r *topRun) stop() error {
	r.once.Do(func() {
		r.deadline.Stop()
		r.cmd.Process.Signal(syscall.SIGINT)
		r.err = r.cmd.Wait()
	})
	return r.err
}

// TestLiveRaw: as root, `ferret top --raw` on the live system shows the
// trigger's file in the Files view at each refresh, and ends on SIGINT.
func TestLiveRaw(t *testing.T) {
	testutil.RequireRoot(t)
	bin := testutil.FerretBinary(t)
	name, _ := trigger(t)
	sc := startTop(t, bin, 120*time.Second, "--raw", "-d", "300", "-v", "files", "fd.name="+name)
	found, wrote := 0, false
	for (found < 3 || !wrote) && sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(strings.TrimSpace(line), name) {
			f := strings.Fields(line)
			// BYTES IN, BYTES OUT, OPS, OPENS, ERRORS, FILENAME: the
			// trigger opens the file, appends 2 bytes and closes it about
			// 6 times per sample; on a busy machine a sample may hold only
			// the end of one round (its close), so bytes are asked of
			// some row, operations of every one.
			if len(f) != 6 || f[0] != "0" || f[2] == "0" {
				t.Errorf("unexpected row %q", line)
			}
			wrote = wrote || (len(f) == 6 && f[1] != "0")
			found++
		}
	}
	err := sc.stop()
	if found < 3 || !wrote {
		t.Fatalf("the trigger's file showed up in %d samples, written in any: %v; stderr: %s", found, wrote, sc.stderr.String())
	}
	if err != nil {
		t.Errorf("exit after SIGINT: %v; stderr: %s", err, sc.stderr.String())
	}
}

// TestLiveInteractive: as root, the screen shows the live system; the
// trigger process is found, drilled into and killed through the F8
// action with its confirmation.
func TestLiveInteractive(t *testing.T) {
	testutil.RequireRoot(t)
	_, cmd := trigger(t)
	pid := fmt.Sprint(cmd.Process.Pid)
	tm := startTerm(t, "-d", "500", "proc.pid="+pid)
	tm.waitText("Source: Live System", "Viewing: Processes", "while :; do echo x")
	tm.keys("Enter")
	tm.waitText("Viewing: Threads", "For: proc.pid="+pid)
	tm.keys("BSpace")
	tm.waitText("Viewing: Processes", "For: whole machine", "while :; do echo x")
	tm.keys("F8")
	tm.waitText("Actions", "(kill %proc.pid)")
	tm.keys("k") // the action's hotkey; kill asks for a confirmation
	tm.waitText("Run kill " + pid + " ?")
	tm.keys("n")
	tm.waitFor("confirmation closed", func(s string) bool { return !strings.Contains(s, "Run kill") })
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process died although the kill was declined: %v", err)
	}
	tm.keys("k")
	tm.waitText("Run kill " + pid + " ?")
	tm.keys("y")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := <-done; err == nil {
		t.Fatal("the trigger was not killed")
	}
	tm.keys("q")
	tm.waitText("EXITED rc=0")
}

// TestLiveSpectrogram: as root, the file latency spectrogram of the
// trigger's writes gets coloured lines as refreshes go by.
func TestLiveSpectrogram(t *testing.T) {
	testutil.RequireRoot(t)
	name, _ := trigger(t)
	tm := startTermEnv(t, "TERM=xterm-256color", "-d", "200", "-v", "spectro_file", "fd.name="+name)
	tm.waitText("Source: Live System", "Viewing: Spectrogram-File", "|1.00us")
	tm.waitFor("two coloured lines", func(string) bool {
		n := 0
		for _, l := range strings.Split(tm.screenEscapes(), "\n") {
			if spectroCells(l) > 0 {
				n++
			}
		}
		return n >= 2
	})
	tm.keys("q")
	tm.waitText("EXITED rc=0")
}

// TestLiveNetworkFS: as root, with a loopback sshfs mount, the Network FS
// view shows the writes of a process to a file on it, per mount (with its
// type and source) and, for that mount, per process; local I/O stays out.
func TestLiveNetworkFS(t *testing.T) {
	testutil.RequireRoot(t)
	m := testutil.MountSSHFS(t)
	bin := testutil.FerretBinary(t)
	file := filepath.Join(m.Dir, "netfs-view.txt")
	w := exec.Command("sh", "-c", "while :; do echo x >> "+file+"; echo y >> /dev/null; sleep 0.05; done")
	if err := testutil.Start(w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Process.Kill(); w.Wait() })
	pid := fmt.Sprint(w.Process.Pid)
	// Rows: the mount's (key fd.mnt.point), then the writer's per process.
	for _, c := range []struct {
		args []string
		ok   func(f []string) bool
	}{
		{[]string{"-v", "netfs"}, func(f []string) bool {
			// BYTES IN, BYTES OUT, OPS, ERRORS, AVG, MAX, TYPE, SOURCE, MOUNT
			return len(f) == 9 && f[8] == m.Dir && f[6] == "fuse.sshfs" && strings.HasSuffix(f[7], ":"+m.Src) && f[1] != "0" && f[2] != "0"
		}},
		{[]string{"-v", "netfs_procs", "fd.mnt.point=" + m.Dir}, func(f []string) bool {
			// PID, BYTES IN, BYTES OUT, OPS, ERRORS, AVG, MOUNT, Command...
			return len(f) >= 8 && f[0] == pid && f[2] != "0" && f[6] == m.Dir
		}},
	} {
		sc := startTop(t, bin, 60*time.Second, append([]string{"--raw", "-d", "300"}, c.args...)...)
		found := false
		var seen []string
		for !found && sc.Scan() {
			seen = append(seen, sc.Text())
			f := strings.Fields(sc.Text())
			if len(f) > 0 && strings.HasPrefix(f[0], "/") && f[0] != m.Dir && len(f) == 9 {
				t.Errorf("%v: a local mount shows: %q", c.args, sc.Text())
			}
			found = c.ok(f)
		}
		sc.stop()
		if !found {
			t.Errorf("%v: the writes to %s never showed; output:\n%s\nstderr: %s", c.args, file, strings.Join(seen[max(0, len(seen)-20):], "\n"), sc.stderr.String())
		}
	}
}

// TestLiveCPU: as root, `ferret top --raw` shows the CPU use of a process
// that burns CPU (in slices ended by a short sleep, so it leaves its CPU
// often): the procinfo events the live probe sends give it a non-zero CPU
// column, never above 100 % for its one thread.
func TestLiveCPU(t *testing.T) {
	testutil.RequireRoot(t)
	bin := testutil.FerretBinary(t)
	burner := exec.Command("sh", "-c", "while :; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 0.01; done")
	if err := testutil.Start(burner); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { burner.Process.Kill(); burner.Wait() })
	pid := fmt.Sprint(burner.Process.Pid)
	sc := startTop(t, bin, 120*time.Second, "--raw", "-d", "1000", "-v", "procs", "proc.pid="+pid)
	var rows []string
	busy := false
	// Rows: PID PPID CPU USER TH VIRT RES FILE NET Command. A sample may
	// lack the burner's procinfo (one a second), so some sample of the
	// first 30 must show its CPU.
	for !busy && len(rows) < 30 && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != pid {
			continue
		}
		rows = append(rows, sc.Text())
		cpu, err := strconv.ParseFloat(f[2], 64)
		if err != nil || cpu < 0 || cpu > 100 {
			t.Fatalf("CPU column of the burner: %q", sc.Text())
		}
		busy = cpu >= 1
	}
	if !busy {
		t.Fatalf("the burner never showed CPU use in %d samples: %q; stderr: %s", len(rows), rows, sc.stderr.String())
	}
}
