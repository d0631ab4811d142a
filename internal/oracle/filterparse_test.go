// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestFilterBeforeParseMatchesSysdig replays I/O on files and sockets,
// exits without their enter, context switches and memory calls that carry
// memory figures, under capture filters that refuse enters, exits or some
// types, and under the same filters with -d. A capture filter judges an
// event that modifies no state before it is parsed: a refused one is not
// parsed, and its thread forgets its enter, so the exit that follows has
// no fd of its own (evt.buflen, evt.category) but for write.
func TestFilterBeforeParseMatchesSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	ap := netip.MustParseAddrPort
	tid := int64(100)
	_, rx := synth.Current("read")
	we, _ := synth.Current("write")
	ioctl := func(fd int64) {
		g.Syscall("ioctl", tid, []any{fd, uint64(0x5401), uint64(0)}, []any{int64(0)})
	}
	pread := func(fd int64) {
		g.Syscall("pread", tid, []any{fd, uint32(8), uint64(0)}, []any{int64(4), []byte("data")})
	}
	sw := func(vm uint32) {
		g.Emit(event.SchedSwitch, tid, int64(0), uint64(1), uint64(2), vm, vm/2, uint32(0))
	}
	brk := func(vm uint32) {
		g.Syscall("brk", tid, []any{uint64(0x1000)}, []any{uint64(0x2000), vm, vm / 2, uint32(0)})
	}
	g.Open(tid, "/tmp/f", synth.ORdwr, 0, 3)
	g.Open(tid, "/dev/log", synth.OWronly, 0, 5)
	g.Socket(tid, synth.AFInet, 2, 0, 4)
	for i := 0; i < 2; i++ {
		for _, fd := range []int64{3, 4, 5, 9} {
			g.Read(tid, fd, 10, []byte("abcd"))
			g.Write(tid, fd, []byte("abcd"))
			g.Emit(rx, tid, int64(4), []byte("zzzz")) // after a write's exit
			g.Emit(we, tid, fd, uint32(4))
			g.Emit(rx, tid, int64(-11), []byte("")) // after a write's enter
			ioctl(fd)
			pread(fd)
			sw(uint32(1000 + 100*fd))
			brk(uint32(2000 + 100*fd))
			g.Write(tid, fd, []byte("x"))
		}
		g.SendTo(tid, 4, []byte("ping"), ap("0.0.0.0:5000"), ap("10.0.5.7:53"))
		g.RecvFrom(tid, 4, []byte("pong"), ap("10.0.5.7:53"), ap("0.0.0.0:5000"))
		g.Read(tid, 4, 10, []byte("abcd"))
	}
	g.Close(tid, 3, 0)
	g.Close(tid, 4, 0)
	g.Read(tid, 3, 10, []byte("gone"))
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads: []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "app", Exe: "app", Cwd: "/", VTID: 100, VPID: 100}},
		Interfaces: []event.Interface{
			{Name: "lo", Addr: []byte{127, 0, 0, 1}, Netmask: []byte{255, 0, 0, 0}, Broadcast: []byte{127, 0, 0, 1}},
			{Name: "eth0", Addr: []byte{10, 0, 5, 119}, Netmask: []byte{255, 255, 255, 0}, Broadcast: []byte{10, 0, 5, 255}},
		}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "filterparse.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	format := "*%evt.num %evt.type %evt.dir %fd.num %fd.name %evt.buflen %evt.category %evt.latency %proc.vmsize %thread.vmrss %evt.is_syslog %evt.count.error.file %evt.count.error.other %evt.failed"
	modes := []Mode{{Group: "-p", Args: []string{"-p", format}}}
	for _, f := range []string{"evt.dir=<", "evt.type!=read or evt.dir=<", "evt.category=unknown", "evt.buflen>=4",
		"fd.type=file", "evt.type in (read, write, switch)", "evt.type!=switch", "evt.type!=brk and evt.type!=switch",
		"evt.is_syslog=true", "evt.count.error.other=1", "fd.num=4"} {
		modes = append(modes, Mode{Group: "filter", Args: []string{"-p", format, f}},
			Mode{Group: "-d", Args: []string{"-p", format, "-d", f}})
	}
	modes = append(modes, Mode{Group: "default", Args: []string{"evt.dir=<"}}, Mode{Group: "-j", Args: []string{"-j", "evt.dir=<"}})
	for _, m := range modes {
		if v := r.Check(p, m); !v.Agree {
			t.Error(describe(v))
		}
	}
}
