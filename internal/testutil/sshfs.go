// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ensureTools installs openssh-server and sshfs when missing.
func ensureSSHFSTools(t testing.TB) {
	t.Helper()
	_, e1 := exec.LookPath("sshfs")
	_, e2 := os.Stat("/usr/sbin/sshd")
	if e1 == nil && e2 == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	install := func() ([]byte, error) {
		cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "openssh-server", "sshfs")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	if _, err := install(); err != nil {
		// Stale package lists: refresh once and retry.
		exec.CommandContext(ctx, "apt-get", "update").Run()
		if out, err := install(); err != nil {
			t.Fatalf("apt-get install openssh-server sshfs: %v\n%s", err, out)
		}
	}
}

// SSHFSMount is a loopback sshfs mount for tests.
type SSHFSMount struct {
	Dir, Src string
	sshd     *exec.Cmd
}

// MountSSHFS starts sshd on 127.0.0.1:port with a generated key and mounts
// root@127.0.0.1:src on a fresh directory. Everything is undone by cleanup.
func MountSSHFS(t testing.TB) *SSHFSMount {
	t.Helper()
	RequireRoot(t)
	ensureSSHFSTools(t)
	base := t.TempDir()
	key := filepath.Join(base, "id")
	hostKey := filepath.Join(base, "hostkey")
	for _, k := range []string{key, hostKey} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	auth := filepath.Join(base, "authorized_keys")
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(auth, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	// A free port is picked by the kernel; another program may take it
	// between our probe and sshd's bind, so sshd's own report decides
	// (it logs "Server listening" with -e, or exits on a bind error).
	var sshd *exec.Cmd
	var port int
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		cfg := filepath.Join(base, "sshd_config")
		conf := fmt.Sprintf("Port %d\nListenAddress 127.0.0.1\nHostKey %s\nAuthorizedKeysFile %s\nPermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\nSubsystem sftp internal-sftp\nPidFile %s\n",
			port, hostKey, auth, filepath.Join(base, "sshd.pid"))
		if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		os.MkdirAll("/run/sshd", 0o755)
		sshd = exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", cfg)
		stderr, err := sshd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := Start(sshd); err != nil {
			t.Fatalf("start sshd: %v", err)
		}
		listening := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(stderr)
			ok := false
			for sc.Scan() {
				if !ok && strings.Contains(sc.Text(), fmt.Sprintf("Server listening on 127.0.0.1 port %d", port)) {
					ok = true
					listening <- true
				}
			}
			if !ok {
				listening <- false
			}
		}()
		if <-listening {
			break
		}
		sshd.Wait()
		if attempt == 5 {
			t.Fatalf("sshd could not listen on a free port")
		}
	}
	t.Cleanup(func() { sshd.Process.Kill(); sshd.Wait() })
	m := &SSHFSMount{Dir: filepath.Join(base, "mnt"), Src: filepath.Join(base, "src"), sshd: sshd}
	os.MkdirAll(m.Dir, 0o755)
	os.MkdirAll(m.Src, 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sshfs", "-p", fmt.Sprint(port), "-o",
		"IdentityFile="+key+",StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,BatchMode=yes",
		"root@127.0.0.1:"+m.Src, m.Dir).CombinedOutput()
	if err != nil {
		t.Fatalf("sshfs: %v\n%s", err, out)
	}
	t.Cleanup(func() { m.Unmount() })
	return m
}

// Unmount removes the mount (idempotent).
func (m *SSHFSMount) Unmount() {
	if err := exec.Command("fusermount3", "-u", m.Dir).Run(); err != nil {
		exec.Command("umount", "-l", m.Dir).Run()
	}
}

// freePort returns a loopback TCP port nothing listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
