// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
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
