// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// NATSServer is a nats-server with JetStream started by a test on a free
// loopback port with a temporary store; it is stopped when the test ends.
// Stop, Kill and Start take it down and up again on the same port and
// store (a restart keeps the streams).
type NATSServer struct {
	URL  string
	Port int
	Dir  string
	Args []string // extra arguments (a config file)

	t    testing.TB
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *LockedBuffer
}

// StartNATS starts nats-server -js (Debian package nats-server); without
// it the test skips, or fails when CI=true.
func StartNATS(t testing.TB, args ...string) *NATSServer {
	t.Helper()
	RequireTool(t, "nats-server")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &NATSServer{Port: port, URL: "nats://127.0.0.1:" + strconv.Itoa(port), Dir: t.TempDir(), Args: args, t: t}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start starts the server (again) and waits until it accepts connections.
func (s *NATSServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	args := append([]string{"-js", "-a", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-sd", s.Dir}, s.Args...)
	cmd := exec.Command("nats-server", args...)
	s.out = &LockedBuffer{}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := Start(cmd); err != nil {
		s.t.Fatalf("nats-server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	// Ready once it accepts a connection and says so.
	for {
		select {
		case <-done:
			s.cmd = nil
			s.t.Fatalf("nats-server exited:\n%s", s.out.String())
		default:
		}
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port)); err == nil {
			c.Close()
			if strings.Contains(s.out.String(), "Server is ready") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pid returns the server's process id (0 when stopped).
func (s *NATSServer) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Output returns what the server printed so far.
func (s *NATSServer) Output() string { return s.out.String() }

// Kill stops the server with SIGKILL (nothing flushed, connections cut).
func (s *NATSServer) Kill() { s.stop(syscall.SIGKILL) }

// Stop stops the server with SIGTERM (a clean shutdown).
func (s *NATSServer) Stop() { s.stop(syscall.SIGTERM) }

func (s *NATSServer) stop(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	syscall.Kill(-s.cmd.Process.Pid, sig)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}
