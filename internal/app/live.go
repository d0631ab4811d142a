// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture"
)

// Capability bits of /proc/self/status CapEff.
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// missingPrivilege returns a description of what the process lacks to load
// BPF programs, or "" when it may.
func missingPrivilege() string {
	eff, ok := effectiveCaps()
	if !ok {
		if os.Geteuid() == 0 {
			return ""
		}
		return "root (or the CAP_BPF and CAP_PERFMON capabilities)"
	}
	if eff&(1<<capSysAdmin) != 0 {
		return ""
	}
	var miss []string
	if eff&(1<<capBPF) == 0 {
		miss = append(miss, "CAP_BPF")
	}
	if eff&(1<<capPerfmon) == 0 {
		miss = append(miss, "CAP_PERFMON")
	}
	if len(miss) == 0 {
		return ""
	}
	return "root or the " + strings.Join(miss, " and ") + " capabilit" + map[bool]string{true: "y", false: "ies"}[len(miss) == 1]
}

func effectiveCaps() (uint64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func (s *session) runLive() error {
	if openLiveSource == nil {
		return fail(1, "live capture is not available in this build")
	}
	if miss := missingPrivilege(); miss != "" {
		return fail(1, "ferret: live capture needs %s", miss)
	}
	src, err := openLiveSource(s.cfg)
	if err != nil {
		return fail(1, "ferret: cannot start live capture: %s", err)
	}
	defer src.Close()
	return s.loop(src, true)
}

// writeDropReport prints the end-of-capture counters of a live source on
// stderr.
func (s *session) writeDropReport(src capture.Source) {
	st := src.Stats()
	fmt.Fprintf(s.stderr, "Events captured: %d\n", st.Events)
	fmt.Fprintf(s.stderr, "Events dropped: %d\n", st.TotalDrops())
	reasons := make([]string, 0, len(st.Drops))
	for r := range st.Drops {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		if st.Drops[r] > 0 {
			fmt.Fprintf(s.stderr, "  %s: %d\n", r, st.Drops[r])
		}
	}
}
