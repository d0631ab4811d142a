// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestLiveTriggerTree runs a process tree under "ferret files": the parent
// and a background child open files inside and outside the prefix, and a
// program matched by --comm, started from outside the tree once monitoring
// runs, opens one more. Exactly the files under the prefix are reported.
func TestLiveTriggerTree(t *testing.T) {
	bin := ferretBin(t)
	dir := t.TempDir()
	in, outside := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	os.MkdirAll(in, 0o755)
	os.MkdirAll(outside, 0o755)
	sizes := map[string]int{"a": 3, "b": 5, "d": 7, "late": 11}
	for name, n := range sizes {
		os.WriteFile(filepath.Join(in, name), bytes.Repeat([]byte("x"), n), 0o644)
	}
	os.WriteFile(filepath.Join(outside, "c"), []byte("outside"), 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	catBin, _ := exec.LookPath("cat")
	late := filepath.Join(dir, "latecomer")
	if b, err := os.ReadFile(catBin); err != nil || os.WriteFile(late, b, 0o755) != nil {
		t.Fatalf("copy cat: %v", err)
	}
	script := `cd "$1"; cat in/a >/dev/null; (cat in/b >/dev/null; cat out/c >/dev/null) & wait; touch ready; read x < fifo; cat in/d >/dev/null`
	records := filepath.Join(dir, "records.json")
	cmd := exec.Command(bin, "files", "--json", "--prefix", in, "--comm", "latecomer", "-o", records, "--", "sh", "-c", script, "sh", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("ferret files ended early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("tree never got ready\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := exec.Command(late, filepath.Join(in, "late")).CombinedOutput(); err != nil {
		t.Fatalf("latecomer: %v %s", err, out)
	}
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("go\n")
	f.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ferret files: %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("ferret files did not end\n%s", stderr.String())
	}

	rf, err := os.Open(records)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	var got []string
	sc := bufio.NewScanner(rf)
	for sc.Scan() {
		var r jsonRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad record %q: %v", sc.Text(), err)
		}
		rel := strings.TrimPrefix(r.Path, in+"/")
		if r.Result != "ok" || r.End != EndClose || r.Flags != "O_RDONLY" || r.BytesRead != uint64(sizes[rel]) ||
			r.BytesWritten != 0 || r.CloseTS < r.OpenTS || r.PID == 0 || r.PPID == 0 || r.FD < 0 {
			t.Errorf("unexpected record: %s", sc.Text())
		}
		got = append(got, rel+" "+r.Comm)
	}
	sort.Strings(got)
	want := []string{"a cat", "b cat", "d cat", "late latecomer"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("records %v, want %v\nstderr: %s", got, want, stderr.String())
	}
}

// ferretBin returns the ferret binary for tests that run it as root.
func ferretBin(t testing.TB) string {
	t.Helper()
	testutil.RequireRoot(t)
	return testutil.FerretBinary(t)
}
