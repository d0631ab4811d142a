// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestSignalsFinalizeRotatedFiles ends a rotating live capture (-e/-W,
// plain and gzip) with each signal a terminal or a supervisor may send:
// ferret exits 0 and every file left, the newest included, is complete
// and holds events.
func TestSignalsFinalizeRotatedFiles(t *testing.T) {
	testutil.RequireRoot(t)
	if testing.Short() {
		t.Skip("loads the probe")
	}
	bin := testutil.FerretBinary(t)
	cases := []struct {
		sig syscall.Signal
		gz  bool
	}{
		{syscall.SIGHUP, false}, {syscall.SIGHUP, true},
		{syscall.SIGQUIT, true}, {syscall.SIGPIPE, false},
		{syscall.SIGTERM, true}, {syscall.SIGINT, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v gzip=%v", tc.sig, tc.gz), func(t *testing.T) {
			dir := t.TempDir()
			base := filepath.Join(dir, "cap.scap")
			args := []string{"-w", base, "-e", "200", "-W", "4"}
			if tc.gz {
				args = append(args, "-z")
			}
			cmd := exec.Command(bin, args...)
			var errb testutil.LockedBuffer
			cmd.Stderr = &errb
			if err := testutil.Start(cmd); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(errb.String(), "capture started"); {
				if time.Now().After(deadline) {
					t.Fatalf("no start line: %s", errb.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			// Wait until the capture has rotated at least twice; touching
			// files makes events if the machine is idle.
			for deadline := time.Now().Add(2 * time.Minute); ; {
				m, _ := filepath.Glob(base + "*")
				if len(m) >= 3 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no rotation: %v", m)
				}
				os.WriteFile(filepath.Join(dir, "poke"), []byte("x"), 0o600)
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("ferret after %v: %v: %s", tc.sig, err, errb.String())
			}
			files, _ := filepath.Glob(base + "*")
			sort.Strings(files)
			if len(files) == 0 {
				t.Fatal("no files")
			}
			for _, f := range files {
				st, _ := os.Stat(f)
				if st.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %04o", f, st.Mode().Perm())
				}
				src, err := file.Open(f)
				if err != nil {
					t.Errorf("%s: %v", f, err)
					continue
				}
				n := 0
				for {
					_, err := src.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Errorf("%s: after %d events: %v", f, n, err)
						break
					}
					n++
				}
				src.Close()
				if n == 0 {
					t.Errorf("%s: no events", f)
				}
			}
		})
	}
}
