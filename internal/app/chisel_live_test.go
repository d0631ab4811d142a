// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// threadsHelperEnv makes the test binary a helper process: "threads:F1:F2"
// a threaded process holding files open (threadsHelper), "logs:DIR" a
// program writing log files (logsHelper).
const threadsHelperEnv = "FERRET_APP_THREADS_HELPER"

func runHelper(mode string) {
	if dir, ok := strings.CutPrefix(mode, "logs:"); ok {
		logsHelper(dir)
		return
	}
	threadsHelper(strings.Split(strings.TrimPrefix(mode, "threads:"), ":"))
}

// threadsHelper opens files, runs eight more threads, says "ready" and
// waits to be killed.
func threadsHelper(files []string) {
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			os.Exit(3)
		}
		defer f.Close()
	}
	for i := 0; i < 8; i++ {
		go func() {
			runtime.LockOSThread()
			select {}
		}()
	}
	os.Stdout.WriteString("ready\n")
	select {}
}

// logMessages are what logsHelper writes, one write call each.
var logMessages = []struct{ file, text string }{
	{"app.log", "request 1 done\n"},
	{"db_log", "warn: slow\nErr: failed\n"},
	{"app.log", "request 2 done\n"},
	{"old.log.gz", "skipped\n"},
	{"db_log", "ok\n"},
}

// logsHelper appends logMessages to files of dir with one write each.
func logsHelper(dir string) {
	for _, m := range logMessages {
		fd, err := syscall.Open(filepath.Join(dir, m.file), syscall.O_WRONLY|syscall.O_CREAT|syscall.O_APPEND, 0o644)
		if err != nil {
			os.Exit(3)
		}
		syscall.Write(fd, []byte(m.text))
		syscall.Close(fd)
	}
}

// TestChiselsOnThreadedCapture records a threaded process holding files and
// a program writing log files, then runs lsof and spy_logs on the capture
// with ferret and with sysdig: the outputs must agree (lsof lists a
// process's fds under each of its threads, as sysdig does on its own
// captures too; spy_logs names the writer and the log file before each
// message).
func TestChiselsOnThreadedCapture(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireTool(t, "sysdig")
	if testing.Short() {
		t.Skip("loads the probe")
	}
	bin := testutil.FerretBinary(t)
	dir := t.TempDir()
	held := []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")}
	for _, p := range held {
		os.WriteFile(p, []byte("x"), 0o644)
	}
	helper := exec.Command(os.Args[0])
	helper.Env = append(os.Environ(), threadsHelperEnv+"=threads:"+strings.Join(held, ":"))
	hout, _ := helper.StdoutPipe()
	if err := testutil.Start(helper); err != nil {
		t.Fatal(err)
	}
	defer func() { helper.Process.Kill(); helper.Wait() }()
	if l, _ := bufio.NewReader(hout).ReadString('\n'); l != "ready\n" {
		t.Fatalf("helper: %q", l)
	}
	self, _ := os.Executable()
	logw := filepath.Join(dir, "logw")
	if b, err := os.ReadFile(self); err != nil || os.WriteFile(logw, b, 0o755) != nil {
		t.Fatalf("copy the test binary: %v", err)
	}

	// The capture ends on SIGINT once the log writer has exited: ferret
	// then hands out every event recorded before the signal and finalizes
	// the file, so none of the writes is left in the kernel's buffers, and
	// the test cannot wait for ever when the machine drops some of them
	// (as a count with -n would).
	capPath := filepath.Join(dir, "threads.scap")
	rec := exec.Command(bin, "-F", "-w", capPath, "proc.name=logw and evt.type=write")
	var recErr testutil.LockedBuffer
	rec.Stderr = &recErr
	if err := testutil.Start(rec); err != nil {
		t.Fatal(err)
	}
	recDone := false
	defer func() {
		if !recDone {
			rec.Process.Kill()
			rec.Wait()
		}
	}()
	for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(recErr.String(), "capture started"); {
		if time.Now().After(deadline) {
			rec.Process.Kill()
			rec.Wait()
			t.Fatalf("capture did not start: %s", recErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	lw := exec.Command(logw)
	lw.Env = append(os.Environ(), threadsHelperEnv+"=logs:"+dir)
	if out, err := lw.CombinedOutput(); err != nil {
		t.Fatalf("log writer: %v %s", err, out)
	}
	if err := rec.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := rec.Wait()
	recDone = true
	if err != nil {
		t.Fatalf("recording: %v\n%s", err, recErr.String())
	}
	// The filter keeps every process's state-changing events in the
	// kernel's buffers, so a loaded machine can drop the log writer's
	// writes too: ferret and sysdig must still agree on what was recorded,
	// but what the writes alone show may then be missing.
	dropped := regexp.MustCompile(`Events dropped: [1-9]`).MatchString(recErr.String())
	lacking := t.Errorf
	if dropped {
		t.Logf("the recording dropped events (the outputs below may lack some writes): %s", recErr.String())
		lacking = t.Logf
	}

	run := func(name string, args ...string) string {
		out, err := exec.Command(name, append([]string{"-r", capPath}, args...)...).CombinedOutput()
		if err != nil && !(dropped && strings.Contains(string(out), "no event")) {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	// lsof: sysdig prints a process's fds in hash order; compare as sets.
	pid := strconv.Itoa(helper.Process.Pid)
	sorted := func(s string) string {
		l := strings.Split(strings.TrimSpace(s), "\n")
		sort.Strings(l)
		return strings.Join(l, "\n")
	}
	want, got := run("sysdig", "-c", "lsof", "proc.pid="+pid), run(bin, "-c", "lsof", "proc.pid="+pid)
	if sorted(got) != sorted(want) {
		t.Errorf("lsof of a threaded process:\nferret:\n%s\nsysdig:\n%s", got, want)
	}
	// like sysdig, under every thread sharing the process's fd table
	for _, p := range held {
		if n := strings.Count(got, " "+p+"\n"); n < 9 {
			t.Errorf("lsof lists %s %d times, want once per thread:\n%s", p, n, got)
		}
	}
	want, got = run("sysdig", "-c", "spy_logs"), run(bin, "-c", "spy_logs")
	if got != want {
		t.Errorf("spy_logs:\nferret:\n%s\nsysdig:\n%s", got, want)
	}
	if !strings.Contains(got, "logw "+filepath.Join(dir, "app.log")+" request 1 done\n") {
		lacking("spy_logs shows no write of request 1:\n%s", got)
	}
	want, got = run("sysdig", "-pc", "-c", "spy_logs"), run(bin, "-pc", "-c", "spy_logs")
	if got != want {
		t.Errorf("spy_logs -pc:\nferret:\n%s\nsysdig:\n%s", got, want)
	}
}

// TestSpectrogramLikeSysdig draws the spectrogram of a capture on a
// terminal (script(1) gives both a 100-column pty) with ferret and with
// sysdig: the same rows of shade characters in the same colours, and the
// same axis. sysdig writes one attribute reset of its own mid-stream
// (ESC[00m), which is not part of the drawing and is left out.
func TestSpectrogramLikeSysdig(t *testing.T) {
	testutil.RequireTool(t, "sysdig")
	testutil.RequireTool(t, "script")
	bin := testutil.FerretBinary(t)
	trace, _ := filepath.Abs(filepath.Join("testdata", "curl_google.scap"))
	draw := func(prog string) string {
		cmd := exec.Command("script", "-qc", "stty cols 100 rows 30; "+prog+" -r "+trace+" -c spectrogram 100", "/dev/null")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", prog, err)
		}
		return strings.ReplaceAll(string(out), "\x1b[00m", "")
	}
	want, got := draw("sysdig"), draw(bin)
	if got != want {
		t.Errorf("spectrogram differs:\nferret: %q\nsysdig: %q", got, want)
	}
	if !strings.Contains(got, "░") || !strings.Contains(got, "|1.00us") {
		t.Errorf("no shade characters or axis: %q", got)
	}
}
