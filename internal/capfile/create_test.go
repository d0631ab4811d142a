// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCreateIsPrivate writes over an existing world-readable file: the
// capture ends up 0600 whatever the old mode and the umask.
func TestCreateIsPrivate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "old.scap")
	if err := os.WriteFile(p, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"old.scap", "new.scap"} {
		fw, err := Create(filepath.Join(dir, name), testSnapshot(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", name, st.Mode().Perm())
		}
	}
}

// TestCreateSymlinkInStickyDir plants a symbolic link where the capture is
// to be written: in a sticky world-writable directory it is refused and its
// target left alone; elsewhere it is followed like any path.
func TestCreateSymlinkInStickyDir(t *testing.T) {
	base := t.TempDir()
	target := filepath.Join(base, "victim")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(base, "tmp")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(shared, "cap.scap")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, err := Create(link, testSnapshot(), Options{})
	if err == nil || !strings.Contains(err.Error(), "symbolic link in the sticky world-writable directory") {
		t.Fatalf("symlink in sticky directory: err = %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Fatalf("link target changed: %q", b)
	}
	// A regular file there is fine.
	fw, err := Create(filepath.Join(shared, "plain.scap"), testSnapshot(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	fw.Close()

	own := filepath.Join(base, "own")
	if err := os.Mkdir(own, 0o755); err != nil {
		t.Fatal(err)
	}
	link2 := filepath.Join(own, "cap.scap")
	if err := os.Symlink(target, link2); err != nil {
		t.Fatal(err)
	}
	fw, err = Create(link2, testSnapshot(), Options{})
	if err != nil {
		t.Fatalf("symlink in a private directory: %v", err)
	}
	fw.Close()
	st, err := os.Stat(target)
	if err != nil || st.Mode().Perm() != 0o600 || st.Size() == 0 {
		t.Fatalf("followed link: target %v %v", st, err)
	}
}
