// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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
	if err := testutil.Start(cmd); err != nil {
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
		rel := strings.TrimPrefix(string(r.Path), in+"/")
		if r.Result != "ok" || r.End != EndClose || r.Flags != "O_RDONLY" || r.BytesRead != uint64(sizes[rel]) ||
			r.BytesWritten != 0 || r.CloseTS < r.OpenTS || r.PID == 0 || r.PPID == 0 || r.FD < 0 {
			t.Errorf("unexpected record: %s", sc.Text())
		}
		got = append(got, rel+" "+string(r.Comm))
	}
	sort.Strings(got)
	want := []string{"a cat", "b cat", "d cat", "late latecomer"}
	if strings.Contains(stderr.String(), "events lost") {
		// --comm watches the whole machine: on a loaded one the kernel's
		// buffers can overflow, which ferret must then say. Records may
		// be missing, but none may be wrong.
		t.Logf("the capture lost events: %s", stderr.String())
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("record %q, want one of %v", g, want)
			}
		}
		return
	}
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

// TestLiveRunningTree watches a process tree that runs before monitoring
// starts: a child started earlier, holding a file open, writes to it and
// closes it, then opens another. Both are reported, the first as opened
// before monitoring.
func TestLiveRunningTree(t *testing.T) {
	bin := ferretBin(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "later"), []byte("12345"), 0o644)
	// The child opens "held" for writing, then waits for the fifo.
	script := `cd "$1"; (exec 7>held; read x < fifo; printf abc >&7; exec 7>&-; cat later >/dev/null) & wait`
	tree := exec.Command("sh", "-c", script, "sh", dir)
	if err := testutil.Start(tree); err != nil {
		t.Fatal(err)
	}
	defer tree.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "held")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("tree never got ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	records := filepath.Join(dir, "records.json")
	files := exec.Command(bin, "files", "--json", "--until-exit", "--prefix", dir, "-o", records, "--pid", strconv.Itoa(tree.Process.Pid))
	stderrPipe, err := files.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.Start(files); err != nil {
		t.Fatal(err)
	}
	// Wait for "watching process N": probe loaded and /proc read.
	var stderr bytes.Buffer // read only once the reader is done
	ready, readerDone := make(chan bool, 1), make(chan struct{})
	go func() {
		defer close(readerDone)
		sc := bufio.NewScanner(stderrPipe)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "watching process") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("ferret files ended before watching\n%s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		files.Process.Kill()
		<-readerDone
		t.Fatalf("ferret files never started watching\n%s", stderr.String())
	}
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("go\n")
	f.Close()
	tree.Wait()
	done := make(chan error, 1)
	go func() {
		<-readerDone // all of stderr read before Wait closes the pipe
		done <- files.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ferret files: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		files.Process.Kill()
		<-done
		t.Fatalf("ferret files did not end\n%s", stderr.String())
	}
	b, err := os.ReadFile(records)
	if err != nil {
		t.Fatal(err)
	}
	// (the shell's redirections dup descriptors: copies are reported too)
	var heldBefore, laterRead bool
	var heldWritten uint64
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r jsonRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("bad record %q: %v", line, err)
		}
		switch filepath.Base(string(r.Path)) {
		case "held":
			heldWritten += r.BytesWritten
			if r.FD == 7 && r.Before && r.End == EndClose && r.Flags == "O_WRONLY|O_LARGEFILE" {
				heldBefore = true
			} else if r.Before {
				t.Errorf("copy reported as opened before monitoring: %s", line)
			}
		case "later":
			laterRead = r.BytesRead == 5 && !r.Before && r.End == EndClose
		}
	}
	if !heldBefore || heldWritten != 3 || !laterRead {
		t.Errorf("held open before: %v, bytes written to it %d (want 3), later read: %v\n%s\nstderr: %s",
			heldBefore, heldWritten, laterRead, b, stderr.String())
	}
}

// TestLiveCommandText: the text form of a command's records is aligned
// under its header and names the shell by its executable's path, with its
// parent, even once the command has exited.
func TestLiveCommandText(t *testing.T) {
	bin := ferretBin(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "f")
	os.WriteFile(target, []byte("abc"), 0o644)
	out, err := exec.Command(bin, "files", "--prefix", dir, "--", "sh", "-c", `read x < "$1"; cat "$1" >/dev/null`, "sh", target).Output()
	if err != nil {
		t.Fatalf("ferret files: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	// sh opens the file as 3 and moves it to 0: two records, then cat's
	if len(lines) != 4 {
		t.Fatalf("want a header and 3 records: %q", out)
	}
	head := strings.Fields(lines[0])
	sh, _ := exec.LookPath("sh")
	cat, _ := exec.LookPath("cat")
	want := map[string]string{"sh": sh, "cat": cat}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != len(head) {
			t.Fatalf("%d columns under %d labels: %q", len(f), len(head), l)
		}
		for _, h := range head {
			j := strings.Index(lines[0], h)
			if l[j] == ' ' || (j > 0 && l[j-1] != ' ') {
				t.Errorf("column %s misaligned:\n%s\n%s", h, lines[0], l)
			}
		}
		rec := map[string]string{}
		for i, h := range head {
			rec[h] = f[i]
		}
		if rec["EXE"] != want[rec["COMM"]] || rec["PPID"] == "0" || rec["PATH"] != target {
			t.Errorf("record %v", rec)
		}
	}
}
