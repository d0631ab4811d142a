// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary act as a parent that starts a long sleep
// with Start and exits at once.
func TestMain(m *testing.M) {
	if os.Getenv("FERRET_TESTUTIL_PARENT") == "1" {
		sleep := exec.Command("sleep", "3600")
		sleep.ExtraFiles = []*os.File{os.NewFile(3, "pipe")}
		if err := Start(sleep); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString(strconv.Itoa(sleep.Process.Pid) + "\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStartKillsWithParent: a child started with Start dies with the process
// that started it. The child holds the write end of a pipe, so the read end
// sees end-of-file only once both the parent and the child are gone; without
// the parent death signal the read would wait for the hour-long sleep.
func TestStartKillsWithParent(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), "FERRET_TESTUTIL_PARENT=1")
	parent.ExtraFiles = []*os.File{w}
	out, err := parent.Output()
	w.Close()
	if err != nil {
		t.Fatalf("parent: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("parent printed %q", out)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	if n, err := io.Copy(io.Discard, bufio.NewReader(r)); n != 0 || err != nil {
		t.Fatalf("pipe: %d bytes, %v", n, err)
	}
}
