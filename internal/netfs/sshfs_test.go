// SPDX-License-Identifier: Apache-2.0

package netfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestLiveTableFollowsSSHFS mounts sshfs over loopback and checks that the
// live mount table sees it appear as a network mount and disappear again.
func TestLiveTableFollowsSSHFS(t *testing.T) {
	l, err := NewLive("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m := testutil.MountSSHFS(t)
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
	m := testutil.MountSSHFS(t)
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
	if err := testutil.Start(tail); err != nil {
		t.Fatal(err)
	}
	defer func() { tail.Process.Kill(); tail.Wait() }()
	cmd := exec.Command(bin, "netfs", "--slower", "0", "--interval", "1", "-n", "4")
	cmd.Stdout = out
	var stderr testutil.LockedBuffer
	cmd.Stderr = &stderr
	if err := testutil.Start(cmd); err != nil {
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
