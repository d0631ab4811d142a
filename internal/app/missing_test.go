// SPDX-License-Identifier: Apache-2.0

package app

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestThreadFieldsMissingLikeSysdig: on events of thread 0 and of threads
// the capture never described, thread and process fields have no value
// (the line is not printed without '*', a comparison with != is false),
// as in sysdig, instead of printing <NA>.
func TestThreadFieldsMissingLikeSysdig(t *testing.T) {
	testutil.RequireTool(t, "sysdig")
	tr := filepath.Join(testutil.Reference(t, "traces"), "sample.scap")
	count := func(out string) int { return strings.Count(out, "\n") }
	for _, fld := range []string{"proc.name", "proc.pid", "proc.exe", "proc.cmdline", "user.name", "thread.tid", "proc.ppid", "fd.name"} {
		for _, args := range [][]string{{"-p", "%" + fld}, {fld + "!=foo"}} {
			if strings.HasSuffix(args[0], "!=foo") && (fld == "proc.pid" || fld == "thread.tid" || fld == "proc.ppid") {
				args = []string{fld + "!=1"}
			}
			got, rc := runCLI(t, ".", append([]string{"-r", tr}, args...))
			want, err := exec.Command("sysdig", append([]string{"-r", tr}, args...)...).Output()
			if err != nil || rc != 0 {
				t.Fatalf("%v: sysdig %v, ferret exit %d", args, err, rc)
			}
			if count(got) != count(string(want)) {
				t.Errorf("%v: ferret prints %d events, sysdig %d", args, count(got), count(string(want)))
			}
		}
	}
}
