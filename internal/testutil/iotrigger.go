// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

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

// ioLauncherEnv makes a test binary serve as an IOLauncher instead of
// running its tests.
const ioLauncherEnv = "FERRET_IO_LAUNCHER"

// MaybeIOTrigger runs IOTrigger and exits when the process was started by
// RunIOTrigger, and serves as a launcher when started by StartIOLauncher.
func MaybeIOTrigger() {
	if os.Getenv(ioLauncherEnv) != "" {
		serveLauncher(os.Stdin, os.Stdout)
		os.Exit(0)
	}
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
	pid, err := runTrigger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func runTrigger(dir string) (int, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, ioLauncherEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, IOTriggerEnv+"="+dir)
	// Its standard descriptors are pipes made here: a file (/dev/null)
	// opened by a tracer, which ferret does not see itself open, would be
	// unknown to ferret's state and its calls not counted by the events,
	// while the kernel's counters count them (fcntl F_GETFL's result, as
	// sysdig sums every I/O call's return value).
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("I/O trigger: %v: %s", err, out)
	}
	return cmd.Process.Pid, nil
}

// IOLauncher is a child process (the test binary, so it has the test's
// command name) that runs I/O triggers on request, for tests that capture
// live: a capture ignores its own process, so the state it keeps of the
// test process is the snapshot taken when it started, and a trigger forked
// by the test would inherit that stale descriptor table (descriptor
// numbers since reused for the trigger's pipes, typed as what they were).
// The launcher's own calls are captured, so its children's descriptors are
// known. While it runs, the launcher also opens and closes /dev/null every
// 20 ms: events of the test's command name keep coming for a capture that
// keeps only those.
type IOLauncher struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// StartIOLauncher starts a launcher; it is stopped when the test ends.
func StartIOLauncher(t testing.TB) *IOLauncher {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), ioLauncherEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("I/O launcher: %v", err)
	}
	l := &IOLauncher{cmd: cmd, in: in, out: bufio.NewReader(out)}
	t.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	return l
}

// Pid returns the launcher's pid.
func (l *IOLauncher) Pid() int { return l.cmd.Process.Pid }

// Run has the launcher run one I/O trigger and wait for it; it returns the
// trigger's pid.
func (l *IOLauncher) Run(t testing.TB) int {
	t.Helper()
	if _, err := fmt.Fprintln(l.in, t.TempDir()); err != nil {
		t.Fatalf("I/O launcher: %v", err)
	}
	line, err := l.out.ReadString('\n')
	if err != nil {
		t.Fatalf("I/O launcher: %v", err)
	}
	var pid int
	if _, err := fmt.Sscanf(line, "pid %d", &pid); err != nil {
		t.Fatalf("I/O launcher: %s", strings.TrimSpace(line))
	}
	return pid
}

// serveLauncher runs a trigger for each directory read from in and answers
// "pid N" or the error on out, until in ends.
func serveLauncher(in io.Reader, out io.Writer) {
	go func() {
		for {
			if f, err := os.Open(os.DevNull); err == nil {
				f.Close()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		pid, err := runTrigger(sc.Text())
		if err != nil {
			fmt.Fprintf(out, "error: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		fmt.Fprintf(out, "pid %d\n", pid)
	}
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
