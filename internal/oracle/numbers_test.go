// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// numeric reports whether values of t are rendered as printf numbers.
func numeric(t event.ParamType) bool {
	switch t {
	case event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64, event.PTUint8, event.PTUint16,
		event.PTUint32, event.PTUint64, event.PTMode:
		return true
	}
	return false
}

// edge returns the k-th edge value of a w-byte integer: zero, one, all
// bits set, the sign bit alone, the largest positive value and two
// ordinary ones.
func edge(k, w int) []byte {
	bits := 8 * uint(w)
	vals := []uint64{0, 1, math.MaxUint64, 1 << (bits - 1), 1<<(bits-1) - 1, 1663, math.MaxUint64 - 1662}
	return le(vals[k%len(vals)], w)
}

const numEdges = 7

// benign returns an ordinary value of a parameter that is not under test.
func benign(p event.ParamInfo) []byte {
	switch p.Type {
	case event.PTFD:
		return le(3, 8)
	case event.PTPID:
		return le(200, 8) // not the caller: a clone exit creates a new thread
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		if p.Name == "cwd" {
			return []byte("/\x00")
		}
		return []byte("x\x00")
	case event.PTByteBuf:
		return []byte("d")
	case event.PTSockAddr, event.PTSockTuple:
		return nil
	case event.PTFDList:
		return []byte{0, 0}
	case event.PTSigType:
		return []byte{9}
	case event.PTCharBufArray:
		return []byte("a\x00")
	case event.PTCharBufPairArray:
		return []byte("k\x00v\x00")
	case event.PTIPv4Net:
		return []byte{10, 0, 0, 0, 8}
	case event.PTIPv6Net:
		return make([]byte, 17)
	case event.PTIPv6Addr:
		return make([]byte, 16)
	}
	if w := p.Type.Size(); w > 0 {
		return make([]byte, w)
	}
	return nil
}

// TestNumbersMatchSysdig renders every integer parameter of the event table
// (also as the sub-value of a dynamic parameter) with edge values and
// compares evt.args, evt.arg.X, evt.rawarg.X and the JSON output with
// sysdig's.
func TestNumbersMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	names := map[string]bool{}
	// process events last: their edge values change the thread table
	var order, procs []event.Type
	for ty := event.Type(0); int(ty) < event.MaxType; ty++ {
		if info := ty.Info(); info != nil && info.Category == event.CatProcess {
			procs = append(procs, ty)
		} else {
			order = append(order, ty)
		}
	}
	for _, ty := range append(order, procs...) {
		info := ty.Info()
		if info == nil || ty == event.ContainerE || ty == event.Container2E || info.Name == "tracer" || info.Name == "pluginevent" ||
			info.Flags&event.FlagUnused != 0 {
			continue
		}
		dyn, num := 1, false
		for _, p := range info.Params {
			if numeric(p.Type) {
				num = true
				names[p.Name] = true
			}
			for _, d := range p.Dyn {
				if numeric(d.Type) {
					num = true
					names[p.Name] = true
				}
			}
			if len(p.Dyn) > dyn {
				dyn = len(p.Dyn)
			}
		}
		if !num {
			continue
		}
		for d := 0; d < dyn; d++ {
			for k := 0; k < numEdges; k++ {
				g.Build(ty, 100, func(b *event.Builder) {
					for _, p := range info.Params {
						switch {
						case numeric(p.Type):
							b.Raw(edge(k, p.Type.Size()))
						case p.Type == event.PTDyn && len(p.Dyn) > 0:
							sub := p.Dyn[d%len(p.Dyn)]
							v := benign(sub)
							if numeric(sub.Type) {
								v = edge(k, sub.Type.Size())
							}
							b.Raw(synth.Dyn(uint8(d%len(p.Dyn)), v))
						default:
							b.Raw(benign(p))
						}
					}
				})
			}
		}
	}
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads: []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "p", Exe: "p", Cwd: "/", VTID: 100, VPID: 100,
			FDs: []event.FD{{Num: 3, Type: event.FDFile, Name: "/etc/localtime"}}},
			{TID: 200, PID: 200, PTID: 1, Comm: "q", Exe: "q", Cwd: "/", VTID: 200, VPID: 200}}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "numbers.scap")
	if d := os.Getenv("ORACLE_KEEP_DIR"); d != "" {
		p = filepath.Join(d, "numbers.scap")
	}
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	var list []string
	for n := range names {
		list = append(list, n)
	}
	sort.Strings(list)
	modes := []Mode{{Group: "default"}, {Group: "-j", Args: []string{"-j"}},
		{Group: "-p", Args: []string{"-p", "%evt.num %evt.type %evt.args"}}}
	for len(list) > 0 {
		n := min(len(list), 12)
		var f []string
		for _, name := range list[:n] {
			f = append(f, "%evt.arg."+name)
		}
		fm := "%evt.num " + strings.Join(f, " ")
		raw := "*%evt.num %evt.rawarg." + strings.Join(list[:n], " %evt.rawarg.")
		modes = append(modes, Mode{Group: "-p", Args: []string{"-p", fm}}, Mode{Group: "-p", Args: []string{"-j", "-p", fm}},
			Mode{Group: "-p", Args: []string{"-p", raw}}, Mode{Group: "-p", Args: []string{"-j", "-p", raw}})
		list = list[n:]
	}
	for _, m := range modes {
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
