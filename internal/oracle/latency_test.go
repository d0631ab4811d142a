// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestLatencyHumanMatchesSysdig emits calls lasting around each unit's
// boundaries (1, 10 and 1000 of ns, us and ms) and compares
// evt.latency.human with sysdig's: two decimals below 10 of a unit, whole
// units from 10 on.
func TestLatencyHumanMatchesSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	for _, ns := range []uint64{1, 999, 1000, 1009, 9999, 10000, 10737, 99999, 100001, 999999,
		1000000, 1036103, 9999999, 10000000, 18956969, 45922783, 999999999} {
		g.Step = ns
		g.Close(100, 3, 0)
	}
	c := &Capture{Snap: &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads: []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "p", Exe: "p", Cwd: "/", VTID: 100, VPID: 100}}},
		Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "latency.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := r.Check(p, Mode{Group: "-p", Args: []string{"-p", "%evt.num %evt.latency %evt.latency.human", "evt.dir=<"}}); !v.Agree {
		t.Error(describe(v))
	}
}
