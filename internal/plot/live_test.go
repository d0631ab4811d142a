// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// ioLoop starts a shell that runs dd over and over (a steady stream of
// read/write calls by processes named dd) until the test ends.
func ioLoop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "sh", "-c", "while :; do dd if=/dev/zero of=/dev/null bs=1 count=200 2>/dev/null; done")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
}

var eventsText = regexp.MustCompile(`>(\d+) events`)

// svgEvents returns the event count the picture's title shows.
func svgEvents(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := svgSize(t, b); w != 600 || h != 400 {
		t.Errorf("%s is %gx%g, want 600x400", path, w, h)
	}
	m := eventsText.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s shows no event count", path)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestLiveSeconds captures live for one second of trace time (-M) and
// checks that the dd calls made meanwhile are in the picture.
func TestLiveSeconds(t *testing.T) {
	testutil.RequireRoot(t)
	bin := testutil.FerretBinary(t)
	ioLoop(t)
	for _, kind := range []string{"heatmap", "timeline"} {
		out := filepath.Join(t.TempDir(), kind+".svg")
		cmd := exec.Command(bin, "plot", kind, "-M", "1", "-o", out, "--size", "600x400", "proc.name=dd")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", kind, err, errb.String())
		}
		if !strings.Contains(errb.String(), "Events captured:") {
			t.Errorf("no capture counters on stderr: %q", errb.String())
		}
		if n := svgEvents(t, out); n == 0 {
			t.Errorf("%s: no dd events in a second of capture; stderr:\n%s", kind, errb.String())
		}
	}
}

// TestLiveSignal ends a live capture with SIGTERM and with SIGINT: the
// picture is written and the command succeeds.
func TestLiveSignal(t *testing.T) {
	testutil.RequireRoot(t)
	bin := testutil.FerretBinary(t)
	ioLoop(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		out := filepath.Join(t.TempDir(), "live.svg")
		cmd := exec.Command(bin, "plot", "spectrogram", "-o", out, "--size", "600x400", "proc.name=dd")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := testutil.Start(cmd); err != nil {
			t.Fatal(err)
		}
		// The signal goes as soon as the command says it captures.
		sc := bufio.NewScanner(stderr)
		var lines []string
		started := false
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if strings.HasPrefix(sc.Text(), "capturing") {
				started = true
				break
			}
		}
		if !started {
			cmd.Wait()
			t.Fatalf("capture did not start: %q", lines)
		}
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: %v\n%s", sig, err, strings.Join(lines, "\n"))
		}
		svgEvents(t, out)
		if !strings.Contains(strings.Join(lines, "\n"), "Events captured:") {
			t.Errorf("%v: no capture counters: %q", sig, lines)
		}
	}
}

// TestUnprivileged reads a capture file as an unprivileged user, and asks
// for a live capture as that user: a clear error, no picture.
func TestUnprivileged(t *testing.T) {
	testutil.RequireRoot(t)
	bin := testutil.FerretBinary(t)
	dir, err := os.MkdirTemp("", "ferret-plot")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o777)
	trace, _ := filepath.Abs("testdata/curl_google.scap")
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(dir, "curl.scap")
	if err := os.WriteFile(own, b, 0o644); err != nil {
		t.Fatal(err)
	}
	nobody := &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	// The binary must be reachable by that user too.
	exe := filepath.Join(dir, "ferret")
	eb, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, eb, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "h.png")
	cmd := exec.Command(exe, "plot", "heatmap", "-r", own, "--interval", "10ms", "-o", out)
	cmd.SysProcAttr = nobody
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("unprivileged read: %v\n%s", err, b)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(dir, "live.png")
	cmd = exec.Command(exe, "plot", "heatmap", "-M", "1", "-o", live)
	cmd.SysProcAttr = nobody
	b, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "live capture") || !strings.Contains(string(b), "-r FILE") {
		t.Errorf("unprivileged live capture: %v, %q", err, b)
	}
	if _, err := os.Stat(live); err == nil {
		t.Error("picture written without a capture")
	}
}
