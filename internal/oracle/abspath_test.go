// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestAbsPathEventsMatchSysdig emits every event type of the table that
// has a path or string parameter, both directions, with a relative path,
// every descriptor argument naming a directory, and compares evt.abspath
// (and the event's arguments) with sysdig's: which events have an absolute
// path, from which parameter, resolved against which descriptor.
func TestAbsPathEventsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	var threads []event.Thread
	st := &gen{r: rand.New(rand.NewPCG(1, 2)), fds: map[int64][]int64{}, pids: map[int64]int64{}, next: 30000}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	for ty := event.Type(0); ty < event.MaxType; ty++ {
		info := ty.Info()
		if info == nil || ty == event.ContainerE || ty == event.Container2E {
			continue
		}
		switch info.Category {
		case event.CatFile, event.CatNet, event.CatProcess, event.CatUser, event.CatSystem, event.CatMemory:
		default: // internal and plugin events, which have no thread
			continue
		}
		paths := 0
		for _, p := range info.Params {
			switch p.Type {
			case event.PTFSPath, event.PTFSRelPath, event.PTCharBuf:
				paths++
			}
		}
		if paths == 0 {
			continue
		}
		// a thread of its own per event type: no event changes another's state
		tid := int64(100 + len(threads))
		threads = append(threads, event.Thread{TID: tid, PID: tid, PTID: 1, Comm: "p", Exe: "p", Cwd: "/cwd/", VTID: tid, VPID: tid,
			FDs: []event.FD{{Num: 5, Type: event.FDDirectory, Name: "/d/dir"}, {Num: 7, Type: event.FDDirectory, Name: "/other"}}})
		st.fds[tid] = []int64{5, 7}
		st.pids[tid] = tid
		fds := 0
		g.Build(ty, tid, func(b *event.Builder) {
			for _, p := range info.Params {
				switch p.Type {
				case event.PTFD:
					// the first descriptor names one directory, others another
					fds++
					b.Raw(le(uint64(map[bool]int64{true: 5, false: 7}[fds == 1]), 8))
				case event.PTFSPath, event.PTFSRelPath, event.PTCharBuf:
					b.Raw(append([]byte("rel/"+p.Name), 0))
				case event.PTErrno:
					b.Raw(le(0, 8))
				default:
					b.Raw(st.value(p, tid))
				}
			}
		})
	}
	c := &Capture{Snap: &event.Snapshot{Machine: event.Machine{NumCPUs: 1}, Threads: threads}, Events: g.Events(),
		Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "abspath.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	v := r.Check(p, Mode{Group: "-p", Args: []string{"-p", "%evt.num %evt.type %evt.dir %evt.abspath"}})
	if !v.Agree {
		t.Error(describe(v))
	}
}
