// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// Unavailable skips the test with the reason, or fails it when CI=true.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: required)", msg)
	}
	t.Skip(msg)
}

// RequireRoot gates a test that needs root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "test needs root (euid=%d)", os.Geteuid())
	}
}

// RequireTool gates a test that runs an installed program.
func RequireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		Unavailable(t, "%s not installed", name)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// FerretBinary builds cmd/ferret once per test binary and returns its path.
func FerretBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ferret-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ferret")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/ferret-observability/ferret/cmd/ferret").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build ferret: %v", buildErr)
	}
	return binPath
}

// CloseInheritedOnExec marks every descriptor above 2 that the test
// process has open close-on-exec, so that the programs a test starts get
// only stdin, stdout, stderr and the files it hands them (exec.Cmd's
// ExtraFiles). A descriptor the test binary inherited (flock(1)'s lock,
// a shell's redirection) would otherwise pass on to every command and
// shift the numbers its opens return. Call it from TestMain.
func CloseInheritedOnExec() error {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
	return nil
}

// Start starts cmd so that the kernel kills it when the test binary dies
// (SIGKILL as its parent death signal): a test binary ended by its timeout or
// a crash leaves no capture, server or workload running behind it. Other
// SysProcAttr settings of cmd are kept.
func Start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	return cmd.Start()
}

// LockedBuffer collects a child's output, written by exec's copying
// goroutine while the test reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is what was written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
