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
