// SPDX-License-Identifier: Apache-2.0

package netfs

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// ensureTools installs openssh-server and sshfs when missing.
func ensureTools(t *testing.T) {
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

// SSHFS is a loopback sshfs mount for tests.
type sshfsMount struct {
	Dir, Src string
	sshd     *exec.Cmd
}

// mountSSHFS starts sshd on 127.0.0.1:port with a generated key and mounts
// root@127.0.0.1:src on a fresh directory. Everything is undone by cleanup.
func mountSSHFS(t *testing.T) *sshfsMount {
	t.Helper()
	testutil.RequireRoot(t)
	ensureTools(t)
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
		if err := sshd.Start(); err != nil {
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
	m := &sshfsMount{Dir: filepath.Join(base, "mnt"), Src: filepath.Join(base, "src"), sshd: sshd}
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
func (m *sshfsMount) Unmount() {
	if err := exec.Command("fusermount3", "-u", m.Dir).Run(); err != nil {
		exec.Command("umount", "-l", m.Dir).Run()
	}
}

// TestLiveTableFollowsSSHFS mounts sshfs over loopback and checks that the
// live mount table sees it appear as a network mount and disappear again.
func TestLiveTableFollowsSSHFS(t *testing.T) {
	l, err := NewLive("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m := mountSSHFS(t)
	file := filepath.Join(m.Dir, "hello.txt")
	if err := os.WriteFile(file, []byte("hi\n"), 0o644); err != nil {
		t.Fatalf("write through sshfs: %v", err)
	}
	var got *Mount
	for i := 0; i < 100; i++ {
		if got = l.Table().Lookup(file); got != nil && got.Point == m.Dir {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if l.err != nil {
		t.Logf("reload error: %v", l.err)
	}
	if got == nil || got.Point != m.Dir || got.FSType != "fuse.sshfs" || !got.IsNet() ||
		!strings.HasSuffix(got.Source, ":"+m.Src) {
		t.Fatalf("mount of %s: %+v", file, got)
	}
	m.Unmount()
	for i := 0; i < 100; i++ {
		if got = l.Table().Lookup(file); got == nil || got.Point != m.Dir {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got != nil && got.Point == m.Dir {
		t.Fatalf("unmounted %s still in the table", m.Dir)
	}
}

// TestLiveNetfsCommand runs "ferret netfs" while a shell writes and reads a
// file on a loopback sshfs mount and a tmpfs is mounted and unmounted: the
// operations show up as fuse.sshfs slow-operation lines and table rows, the
// mount calls as mountsnoop-style lines.
func TestLiveNetfsCommand(t *testing.T) {
	m := mountSSHFS(t)
	bin := testutil.FerretBinary(t)
	outFile := filepath.Join(t.TempDir(), "netfs.out")
	out, err := os.Create(outFile)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	// A reader with the file open before ferret starts (tail -f polls a
	// FUSE file): its reads count like the others.
	file := filepath.Join(m.Dir, "data.txt")
	logf := filepath.Join(m.Dir, "follow.log")
	if err := os.WriteFile(logf, []byte("first\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tail := exec.Command("tail", "---disable-inotify", "-s", "0.05", "-f", logf)
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { tail.Process.Kill(); tail.Wait() }()
	cmd := exec.Command(bin, "netfs", "--slower", "0", "--interval", "1", "-n", "4")
	cmd.Stdout = out
	var stderr lockedBuilder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(outFile)
		if strings.Contains(stderr.String(), "capture started") && strings.Contains(string(b), "FILENAME") {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("ferret netfs ended early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("ferret netfs never started\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if o, err := exec.Command("sh", "-c", "echo more >> "+logf+"; echo hello-netfs > "+file+"; cat "+file).CombinedOutput(); err != nil {
		t.Fatalf("exercise: %v %s", err, o)
	}
	tm := filepath.Join(t.TempDir(), "tm")
	os.MkdirAll(tm, 0o755)
	if o, err := exec.Command("mount", "-t", "tmpfs", "ferrettest", tm).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, o)
	}
	exec.Command("umount", tm).Run()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ferret netfs: %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("ferret netfs did not stop\n%s", stderr.String())
	}
	b, _ := os.ReadFile(outFile)
	text := string(b)
	for _, re := range []string{
		`(?m)^\S+ +sh +\d+ +O 0 +\d+\.\d\d fuse\.sshfs +` + regexp.QuoteMeta(file) + `$`,
		`(?m)^\S+ +sh +\d+ +W 12 +\d+\.\d\d fuse\.sshfs +` + regexp.QuoteMeta(file) + `$`,
		`(?m)^\S+ +cat +\d+ +R 12 +\d+\.\d\d fuse\.sshfs +` + regexp.QuoteMeta(file) + `$`,
		`(?m)^\d+ +cat +fuse\.sshfs +` + regexp.QuoteMeta(m.Dir) + ` +2 +0 +1 +0 +12 +0 `,
		`(?m)^\S+ +tail +\d+ +R 5 +\d+\.\d\d fuse\.sshfs +` + regexp.QuoteMeta(logf) + `$`,
		`(?m)^\d\d:\d\d:\d\d\.\d{3} +mount +\d+ +M - +\d+\.\d\d tmpfs +mount\("ferrettest", "` + regexp.QuoteMeta(tm) + `", "tmpfs", [^)]*\) = 0$`,
		`(?m)^\d\d:\d\d:\d\d\.\d{3} +umount +\d+ +U - +\d+\.\d\d (tmpfs|-) +umount\("` + regexp.QuoteMeta(tm) + `", [^)]*\) = 0$`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("output lacks %s", re)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s\nstderr:\n%s", text, stderr.String())
	}
}

// freePort returns a loopback TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lockedBuilder is a strings.Builder a child process writes to while the
// test reads it.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
