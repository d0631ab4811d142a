// SPDX-License-Identifier: Apache-2.0

package procfs

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestScannerGrows reads files, links and directories larger than the
// scanner's first buffers.
func TestScannerGrows(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 3000)
	if err := os.WriteFile(filepath.Join(dir, "big"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	target := "/" + strings.Repeat("d", 900)
	if err := os.Symlink(target, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	var want []int64
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 2999; i >= 0; i-- {
		if err := os.WriteFile(filepath.Join(sub, strconv.Itoa(i*7)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		want = append(want, int64(i*7))
	}
	for _, name := range []string{"self", "x1", "-", ""} {
		if name != "" {
			os.WriteFile(filepath.Join(sub, name), nil, 0o644)
		}
	}
	slices.Sort(want)
	d := openDir(dir)
	if d < 0 {
		t.Fatal("openDir failed")
	}
	defer closeFD(d)
	sc := newScanner()
	if b, ok := sc.read(d, "big"); !ok || !bytes.Equal(b, big) {
		t.Errorf("read: ok %v, %d bytes, want %d", ok, len(b), len(big))
	}
	if _, ok := sc.read(d, "missing"); ok {
		t.Error("read a missing file")
	}
	if l, ok := sc.readlinkString(d, "link"); !ok || l != target {
		t.Errorf("readlink: ok %v, %d bytes", ok, len(l))
	}
	if got := sc.numericDirsAt(d, "sub"); !slices.Equal(got, want) {
		t.Errorf("numericDirsAt: %d entries, want %d", len(got), len(want))
	}
	if got := sc.numericDirsAt(d, "missing"); got != nil {
		t.Errorf("numericDirsAt of a missing directory: %v", got)
	}
}

func TestAtoi(t *testing.T) {
	for _, s := range []string{"0", "12", "-3", "+4", "-", "+", "", "1a", "99999999999999999999", "9223372036854775807"} {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := atoi([]byte(s))
		if ok != (err == nil) || (ok && got != want) {
			t.Errorf("atoi(%q) = %d %v, want %d %v", s, got, ok, want, err)
		}
	}
}
