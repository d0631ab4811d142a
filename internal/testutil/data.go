// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	rootOnce sync.Once
	root     string
)

// Root returns the repository root (the directory holding go.mod above the
// test's working directory).
func Root(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				root = dir
				return
			}
			up := filepath.Dir(dir)
			if up == dir {
				return
			}
			dir = up
		}
	})
	if root == "" {
		t.Fatal("repository root (go.mod) not found above the working directory")
	}
	return root
}

// Reference returns the path of rel below testdata/reference, the sysdig
// 0.29.3 reference material kept with the project: golden outputs
// (golden/), sample captures (traces/) and listings (sysdig-*.txt).
func Reference(t testing.TB, rel ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Root(t), "testdata", "reference"}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("reference data: %v", err)
	}
	return p
}

// TracesExtra returns the directory of the larger shared captures
// (reference/traces-extra), which are read where they are and never copied
// into the project: ../shared beside the repository or beside its parent.
// Without them the test skips, or fails under CI=true.
func TracesExtra(t testing.TB) string {
	t.Helper()
	r := Root(t)
	for _, dir := range []string{filepath.Join(r, "..", "shared"), filepath.Join(r, "..", "..", "shared")} {
		p := filepath.Join(dir, "reference", "traces-extra")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	Unavailable(t, "shared reference/traces-extra not found beside the repository")
	return ""
}
