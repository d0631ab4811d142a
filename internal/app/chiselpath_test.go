// SPDX-License-Identifier: Apache-2.0

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChiselHijack runs a built-in chisel from a directory anyone can
// write to, where ./chisels holds a same-named chisel and libraries of the
// built-ins' names: none of them runs, and the skipped path is reported.
func TestChiselHijack(t *testing.T) {
	t.Setenv("FERRET_CHISEL_DIR", "")
	t.Setenv("SYSDIG_CHISEL_DIR", "")
	t.Setenv("HOME", t.TempDir())
	capPath, err := filepath.Abs("testdata/curl_google.scap")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	dir := filepath.Join(work, "chisels")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	evil := `error("HIJACKED")`
	for _, n := range []string{"topfiles_bytes.lua", "ferret_top.lua", "ferret_common.lua"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(evil), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	out, rc := runCLI(t, work, []string{"-r", capPath, "-c", "topfiles_bytes"})
	if rc != 0 || strings.Contains(out, "HIJACKED") || !strings.Contains(out, "Bytes") {
		t.Fatalf("exit %d, output:\n%s", rc, out)
	}
	if !strings.Contains(out, "warning: ignoring chisel path chisels: writable by group or others") {
		t.Errorf("no warning about ./chisels:\n%s", out)
	}
	// Made safe, the directory's own chisel of that name wins (as in
	// sysdig), but the built-in's libraries still cannot be replaced.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, rc = runCLI(t, work, []string{"-r", capPath, "-c", "topfiles_bytes"})
	if rc == 0 || !strings.Contains(out, "HIJACKED") {
		t.Errorf("safe ./chisels not used: exit %d\n%s", rc, out)
	}
	os.Remove(filepath.Join(dir, "topfiles_bytes.lua"))
	out, rc = runCLI(t, work, []string{"-r", capPath, "-c", "topfiles_bytes"})
	if rc != 0 || strings.Contains(out, "HIJACKED") {
		t.Errorf("built-in loaded a library of ./chisels: exit %d\n%s", rc, out)
	}
}

func TestHelpNamesChiselPath(t *testing.T) {
	out, _ := runCLI(t, ".", []string{"--help"})
	for _, w := range []string{"$FERRET_CHISEL_DIR", "./chisels", "~/.chisels", "/usr/share/sysdig/chisels", "writable by its group or others", "Built-in chisels load built-in libraries only"} {
		if !strings.Contains(out, w) {
			t.Errorf("--help does not mention %q", w)
		}
	}
}
