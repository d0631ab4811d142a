// SPDX-License-Identifier: Apache-2.0

package procfs

import (
	"bufio"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestScanThreadsInChildPidNamespace: as root, a process with threads in a
// pid namespace of its own (unshare -p -f) is scanned with each thread's
// id inside that namespace, and a process of the scan's namespace with its
// own ids.
func TestScanThreadsInChildPidNamespace(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireTool(t, "unshare")
	testutil.RequireTool(t, "python3")
	script := `import threading, os, sys
ev = threading.Event()
ts = [threading.Thread(target=ev.wait) for _ in range(3)]
for x in ts: x.start()
print(os.getpid(), " ".join(str(x.native_id) for x in ts), flush=True)
sys.stdin.read()
ev.set()
`
	for _, ns := range []bool{true, false} {
		args := []string{"python3", "-c", script}
		if ns {
			args = append([]string{"unshare", "-p", "-f", "--kill-child"}, args...)
		}
		cmd := exec.Command(args[0], args[1:]...)
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := testutil.Start(cmd); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		inner := strings.Fields(line) // ids as the process sees them: its pid, then its threads'
		if len(inner) != 4 {
			t.Fatalf("%v printed %q", args, line)
		}
		s, err := Scan(Options{NoFDs: true, NoEnv: true})
		in.Close()
		cmd.Wait()
		if err != nil {
			t.Fatal(err)
		}
		pid := int64(cmd.Process.Pid)
		if ns {
			// python is the child unshare forked
			pid = -1
			for _, th := range s.Threads {
				if th.PTID == int64(cmd.Process.Pid) && th.TID == th.PID {
					pid = th.PID
				}
			}
		}
		var vtids []string
		for _, th := range s.Threads {
			if th.PID == pid {
				if th.VPID != mustInt(t, inner[0]) {
					t.Errorf("ns %v: thread %d has vpid %d, want %s", ns, th.TID, th.VPID, inner[0])
				}
				vtids = append(vtids, strconv.FormatInt(th.VTID, 10))
			}
		}
		// as sets: ids may wrap past pid_max between the threads
		sort.Strings(vtids)
		sort.Strings(inner)
		if got, want := strings.Join(vtids, " "), strings.Join(inner, " "); got != want {
			t.Errorf("ns %v: vtids %q, want %q", ns, got, want)
		}
	}
}

func mustInt(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
