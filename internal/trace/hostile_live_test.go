// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestLiveHostileNames traces a command that opens, reads, lists and
// executes files whose names try to drive the terminal, with -y (paths
// behind descriptors) and -f: no such byte reaches the trace, and the names
// are there as strace escapes them (\33 for ESC).
func TestLiveHostileNames(t *testing.T) {
	bin := ferretBin(t)
	dir := t.TempDir()
	var files []string
	for _, n := range testutil.HostileNames {
		if strings.ContainsAny(n, "\x00/") {
			n = strings.NewReplacer("\x00", "", "/", "").Replace(n)
		}
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(n+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	// a program started through a hostile name
	link := filepath.Join(dir, "run\x1b]0;owned\x07")
	if err := os.Symlink("/bin/cat", link); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(t.TempDir(), "trace.out")
	args := append([]string{"trace", "-f", "-y", "-s", "256", "-o", outFile, "--", link}, files...)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if i := testutil.UnsafeByte(out); i >= 0 {
		t.Fatalf("trace prints byte 0x%02x at %d: %q", out[i], i, out[max(0, i-60):min(len(out), i+60)])
	}
	text := string(out)
	for _, want := range []string{`run\33]0;owned\7`, `x\33[31mred\33[0m`, `c1\302\2332J`, `<` + dir + `/clip\x1b]52;c;aGk=\x07>`} {
		if !strings.Contains(text, want) {
			t.Errorf("trace lacks %q:\n%s", want, text)
		}
	}
}
