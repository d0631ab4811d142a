// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

const probeChisel = `
description = "probe"
short_description = "probe"
category = "misc"
args = {}
function on_init() print("PROBE LOADED") return true end
`

// writeChiselDir makes dir (mode perm) holding the given scripts (0644).
func writeChiselDir(t *testing.T, dir string, perm os.FileMode, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, perm); err != nil {
		t.Fatal(err)
	}
}

// TestBuiltinLoadsBuiltinModules plants a library of the same name as one
// a built-in chisel requires in a chisel directory: the built-in must not
// run it.
func TestBuiltinLoadsBuiltinModules(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "chisels")
	writeChiselDir(t, dir, 0o755, map[string]string{
		"ferret_top.lua":    `print("HIJACKED") os.exit(7)`,
		"ferret_common.lua": `print("HIJACKED") os.exit(7)`,
	})
	var out bytes.Buffer
	c, _, err := Load("topfiles_bytes", nil, Options{Dirs: []string{dir}, Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Init(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "HIJACKED") {
		t.Fatalf("built-in chisel ran a module from %s: %q", dir, out.String())
	}
	// A chisel of the directory still finds its libraries there.
	writeChiselDir(t, dir, 0o755, map[string]string{
		"mine.lua":  `require "mylib"` + probeChisel,
		"mylib.lua": `print("MYLIB")`,
	})
	out.Reset()
	c2, _, err := Load("mine", nil, Options{Dirs: []string{dir}, Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if !strings.Contains(out.String(), "MYLIB") {
		t.Fatalf("user chisel did not load its own library: %q", out.String())
	}
}

// TestUnsafeChiselDirsSkipped checks that directories and scripts others
// can write, or that belong to another user, are skipped with a warning.
func TestUnsafeChiselDirsSkipped(t *testing.T) {
	base := t.TempDir()
	load := func(dir string) (string, error) {
		var out, errb bytes.Buffer
		c, _, err := Load("probe", nil, Options{Dirs: []string{dir}, Stdout: &out, Stderr: &errb})
		if err == nil {
			if ierr := c.Init(); ierr != nil {
				t.Fatal(ierr)
			}
			c.Close()
		}
		return out.String() + errb.String(), err
	}

	safe := filepath.Join(base, "safe")
	writeChiselDir(t, safe, 0o755, map[string]string{"probe.lua": probeChisel})
	if got, err := load(safe); err != nil || !strings.Contains(got, "PROBE LOADED") {
		t.Fatalf("safe directory: %v %q", err, got)
	}

	for _, perm := range []os.FileMode{0o777, 0o775, 0o1777} {
		d := filepath.Join(base, "open"+perm.String())
		writeChiselDir(t, d, perm, map[string]string{"probe.lua": probeChisel})
		got, err := load(d)
		if err == nil || strings.Contains(got, "PROBE LOADED") {
			t.Errorf("directory mode %v: chisel loaded (%q)", perm, got)
		}
		if !strings.Contains(got, "warning: ignoring chisel path "+d+": writable by group or others") {
			t.Errorf("directory mode %v: no warning: %q", perm, got)
		}
	}

	d := filepath.Join(base, "openfile")
	writeChiselDir(t, d, 0o755, map[string]string{"probe.lua": probeChisel})
	if err := os.Chmod(filepath.Join(d, "probe.lua"), 0o666); err != nil {
		t.Fatal(err)
	}
	if got, err := load(d); err == nil || !strings.Contains(got, "writable by group or others") {
		t.Errorf("world-writable script loaded or not reported: %v %q", err, got)
	}

	t.Run("other owner", func(t *testing.T) {
		testutil.RequireRoot(t)
		d := filepath.Join(base, "other")
		writeChiselDir(t, d, 0o755, map[string]string{"probe.lua": probeChisel})
		if err := os.Chown(d, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		got, err := load(d)
		if err == nil || !strings.Contains(got, "owned by uid 12345") {
			t.Errorf("directory of another user used or not reported: %v %q", err, got)
		}
	})
}
