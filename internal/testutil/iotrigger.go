// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// IOTriggerEnv makes a test binary run IOTrigger instead of its tests: a
// TestMain calls MaybeIOTrigger first.
const IOTriggerEnv = "FERRET_IO_TRIGGER_DIR"

// The I/O IOTrigger does, in bytes.
const (
	TriggerFileBytes = 100_003 // written to a file, then read back
	TriggerNetBytes  = 30_011  // sent over TCP on 127.0.0.1, then received
	TriggerPipeBytes = 777     // written to a pipe, then read back
)

// MaybeIOTrigger runs IOTrigger and exits when the process was started by
// RunIOTrigger.
func MaybeIOTrigger() {
	if dir := os.Getenv(IOTriggerEnv); dir != "" {
		runtime.LockOSThread()
		if err := IOTrigger(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// RunIOTrigger runs the test binary as the I/O trigger and waits for it;
// it returns the trigger's pid.
func RunIOTrigger(t testing.TB) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), IOTriggerEnv+"="+t.TempDir())
	// Its standard descriptors are pipes made here: a file (/dev/null)
	// opened by a tracer, which ferret does not see itself open, would be
	// unknown to ferret's state and its calls not counted by the events,
	// while the kernel's counters count them (fcntl F_GETFL's result, as
	// sysdig sums every I/O call's return value).
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("I/O trigger: %v: %s", err, out)
	}
	return cmd.Process.Pid
}

// IOTrigger does a known amount of I/O with raw system calls from the
// calling thread (locked to it): TriggerFileBytes written to a new file in
// dir and read back, TriggerNetBytes sent over a TCP connection to itself
// and received, TriggerPipeBytes written to a pipe and read back.
func IOTrigger(dir string) error {
	buf := make([]byte, 8192)
	for i := range buf {
		buf[i] = byte(i)
	}
	path := filepath.Join(dir, "trigger.dat")
	fd, err := unix.Open(path, unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := writeAll(fd, buf, TriggerFileBytes); err != nil {
		return err
	}
	unix.Close(fd)
	if fd, err = unix.Open(path, unix.O_RDONLY, 0); err != nil {
		return err
	}
	if err := readAll(fd, buf, TriggerFileBytes); err != nil {
		return err
	}
	unix.Close(fd)

	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	lo := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := unix.Bind(ln, lo); err != nil {
		return err
	}
	if err := unix.Listen(ln, 1); err != nil {
		return err
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		return err
	}
	cl, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	if err := unix.Connect(cl, sa); err != nil {
		return err
	}
	sv, _, err := unix.Accept(ln)
	if err != nil {
		return err
	}
	// (The connection's buffers hold it all: no reader is needed while
	// writing.)
	if err := writeAll(cl, buf, TriggerNetBytes); err != nil {
		return err
	}
	if err := readAll(sv, buf, TriggerNetBytes); err != nil {
		return err
	}
	unix.Close(cl)
	unix.Close(sv)
	unix.Close(ln)

	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return err
	}
	if err := writeAll(p[1], buf, TriggerPipeBytes); err != nil {
		return err
	}
	if err := readAll(p[0], buf, TriggerPipeBytes); err != nil {
		return err
	}
	unix.Close(p[0])
	unix.Close(p[1])
	return nil
}

func writeAll(fd int, buf []byte, n int) error {
	for n > 0 {
		k, err := unix.Write(fd, buf[:min(n, len(buf))])
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
		n -= k
	}
	return nil
}

func readAll(fd int, buf []byte, n int) error {
	for n > 0 {
		k, err := unix.Read(fd, buf[:min(n, len(buf))])
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if k == 0 {
			return fmt.Errorf("read: early end, %d bytes missing", n)
		}
		n -= k
	}
	return nil
}
