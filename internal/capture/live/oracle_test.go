// SPDX-License-Identifier: Apache-2.0

package live

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/event"
)

// writeScap writes a capture file of snap and evs and returns its path.
func writeScap(t *testing.T, snap *event.Snapshot, evs []*event.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "live.scap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := capfile.NewWriter(f, snap, capfile.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// TestSysdigReadsLiveEvents records the helper scenarios live, writes them to
// a capture file and has sysdig 0.29.3 print them: every event must parse
// and the parameters must render as sysdig renders its own capture.
func TestSysdigReadsLiveEvents(t *testing.T) {
	sysdig, err := exec.LookPath("sysdig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sysdig not installed")
		}
		t.Skip("sysdig not installed")
	}
	requireBPF(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "oracle.txt")
	miscDir := filepath.Join(dir, "misc")
	if err := os.Mkdir(miscDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sc, arg string
		want    []string
	}{
		{"file", path, []string{
			"> openat dirfd=-100(AT_FDCWD) name=" + path + " flags=262(O_TRUNC|O_CREAT|O_WRONLY) mode=0644",
			"< write res=12 data=hello ferret",
			"< read res=12 data=hello ferret",
			"< openat fd=-2(ENOENT) dirfd=-100(AT_FDCWD) name=/nonexistent-ferret/x",
		}},
		{"tcp", "", []string{
			"< connect res=0 tuple=127.0.0.1:",
			"< sendto res=4 data=ping",
			"< recvfrom res=4 data=ping tuple=127.0.0.1:",
		}},
		{"misc", miscDir, []string{
			"< chdir res=0 path=" + miscDir,
			"< mkdirat res=0 dirfd=-100(AT_FDCWD) path=sub(" + miscDir + "/sub) mode=1ED",
			"> openat dirfd=-100(AT_FDCWD) name=sub/a.txt(" + miscDir + "/sub/a.txt) flags=7(O_CREAT|O_RDWR) mode=0600",
			"/sub/a.txt) size=6 pos=2",
			"< pwrite res=6 data=abcdef",
			"< pread res=8 data=..abcdef",
			"/sub/a.txt) offset=1 whence=0(SEEK_SET)",
			"/sub/a.txt) size=3",
			"< writev res=3 data=xyz",
			"(<f>" + miscDir + "/sub/a.txt)",
			"< renameat res=0 olddirfd=-100(AT_FDCWD) oldpath=sub/a.txt(" + miscDir + "/sub/a.txt) newdirfd=-100(AT_FDCWD) newpath=sub/b.txt(" + miscDir + "/sub/b.txt)",
			"< symlinkat res=0 target=b.txt linkdirfd=-100(AT_FDCWD) linkpath=sub/l(" + miscDir + "/sub/l)",
			"< linkat res=0 olddir=-100(AT_FDCWD) oldpath=sub/b.txt(" + miscDir + "/sub/b.txt) newdir=-100(AT_FDCWD) newpath=sub/h(" + miscDir + "/sub/h) flags=0",
			"< unlinkat res=0 dirfd=-100(AT_FDCWD) name=sub/h(" + miscDir + "/sub/h) flags=0",
			"(<p>) fd2=",
			"> socketpair domain=1(AF_LOCAL) type=1 proto=0",
			"(<u>) fd2=",
			"> mmap addr=0 length=8192 prot=3(PROT_READ|PROT_WRITE) flags=10(MAP_PRIVATE|MAP_ANONYMOUS) fd=-1(EPERM) offset=0",
			"prot=1(PROT_READ)",
			"> munmap addr=",
			"> nanosleep interval=1000(1e-06s)",
			"< unlinkat res=-2(ENOENT) dirfd=-100(AT_FDCWD) name=nonexistent-dir(" + miscDir + "/nonexistent-dir) flags=512(AT_REMOVEDIR)",
		}},
		{"exec", "", []string{
			"> execve filename=/bin/echo",
			"< execve res=0 exe=/bin/echo args=hello.world. ",
			"> procexit status=0 ret=0 sig=0 core=0",
		}},
	} {
		t.Run(tc.sc, func(t *testing.T) {
			s, err := Open(Options{FilterPIDs: true, FollowChildren: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			cmd, release := startHelper(t, tc.sc, tc.arg)
			if err := s.AddPID(cmd.Process.Pid); err != nil {
				t.Fatal(err)
			}
			release()
			evs := collect(t, s, cmd)
			scap := writeScap(t, s.Snapshot(), evs)
			out, err := exec.Command(sysdig, "-r", scap).CombinedOutput()
			if err != nil {
				t.Fatalf("sysdig -r: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
			if len(lines) != len(evs) {
				t.Errorf("sysdig printed %d lines for %d events", len(lines), len(evs))
			}
			for _, w := range tc.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("sysdig output lacks %q", w)
				}
			}
			if t.Failed() || os.Getenv("FERRET_KEEP_ORACLE") != "" {
				os.WriteFile(filepath.Join(os.TempDir(), "ferret-oracle-"+tc.sc+".txt"), out, 0o644)
				t.Logf("output saved to %s", filepath.Join(os.TempDir(), "ferret-oracle-"+tc.sc+".txt"))
			}
		})
	}
}
