// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// threadsHelperEnv makes the test binary a threaded process holding files
// open (see threadsHelper).
const threadsHelperEnv = "FERRET_APP_THREADS_HELPER"

// threadsHelper opens the files named in its environment, runs eight more
// threads, says "ready" and waits to be killed.
func threadsHelper() {
	for _, p := range strings.Split(os.Getenv(threadsHelperEnv), ":") {
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

// TestChiselsOnThreadedCapture records a threaded process holding files and
// a program writing log files, then runs lsof and spy_logs on the capture
// with ferret and with sysdig: the outputs must agree (lsof lists a
// process's fds once, not once per thread; spy_logs names the writer and
// the log file before each message).
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
	helper.Env = append(os.Environ(), threadsHelperEnv+"="+strings.Join(held, ":"))
	hout, _ := helper.StdoutPipe()
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { helper.Process.Kill(); helper.Wait() }()
	if l, _ := bufio.NewReader(hout).ReadString('\n'); l != "ready\n" {
		t.Fatalf("helper: %q", l)
	}
	sh, _ := exec.LookPath("sh")
	logw := filepath.Join(dir, "logw")
	if b, err := os.ReadFile(sh); err != nil || os.WriteFile(logw, b, 0o755) != nil {
		t.Fatalf("copy sh: %v", err)
	}

	capPath := filepath.Join(dir, "threads.scap")
	rec := exec.Command(bin, "-F", "-w", capPath, "proc.name=logw")
	var recErr lockedBuffer
	rec.Stderr = &recErr
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(recErr.String(), "capture started"); {
		if time.Now().After(deadline) {
			rec.Process.Kill()
			rec.Wait()
			t.Fatalf("capture did not start: %s", recErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	script := `cd "$1"; for i in 1 2; do echo "request $i done" >> app.log; printf 'warn: slow\nErr: failed\n' >> db_log; done; echo skipped >> old.log.gz`
	if out, err := exec.Command(logw, "-c", script, "logw", dir).CombinedOutput(); err != nil {
		t.Fatalf("log writer: %v %s", err, out)
	}
	rec.Process.Signal(os.Interrupt)
	if err := rec.Wait(); err != nil {
		t.Fatalf("recording: %v\n%s", err, recErr.String())
	}

	run := func(name string, args ...string) string {
		out, err := exec.Command(name, append([]string{"-r", capPath}, args...)...).CombinedOutput()
		if err != nil {
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
	for _, p := range held {
		if strings.Count(got, " "+p+"\n") != 1 {
			t.Errorf("lsof lists %s %d times:\n%s", p, strings.Count(got, " "+p+"\n"), got)
		}
	}
	want, got = run("sysdig", "-c", "spy_logs"), run(bin, "-c", "spy_logs")
	if got != want || !strings.Contains(got, "logw "+filepath.Join(dir, "app.log")+" request 1 done\n") {
		t.Errorf("spy_logs:\nferret:\n%s\nsysdig:\n%s", got, want)
	}
	want, got = run("sysdig", "-pc", "-c", "spy_logs"), run(bin, "-pc", "-c", "spy_logs")
	if got != want {
		t.Errorf("spy_logs -pc:\nferret:\n%s\nsysdig:\n%s", got, want)
	}
}
