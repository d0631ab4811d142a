// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestCategoriesLikeSysdig compares evt.category (and evt.type, evt.is_io,
// evt.is_wait) with sysdig's for every event type of the table in both
// directions, for the generic syscall event of every syscall code, and for
// the I/O events on a descriptor of every type (their category names the
// descriptor's kind: file, net, ipc or unknown).
func TestCategoriesLikeSysdig(t *testing.T) {
	r, _ := setup(t)
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	var procs []event.Type
	emit := func(ty event.Type, fd int64) {
		info := ty.Info()
		g.Build(ty, 100, func(b *event.Builder) {
			for _, p := range info.Params {
				if p.Type == event.PTFD {
					b.Raw(le(uint64(fd), 8))
				} else {
					b.Raw(benign(p))
				}
			}
		})
	}
	for ty := event.Type(0); int(ty) < event.MaxType; ty++ {
		info := ty.Info()
		if info == nil || ty == event.ContainerE || ty == event.Container2E || info.Name == "tracer" || info.Name == "pluginevent" ||
			info.Name == "k8s" || info.Name == "mesos" { // sysdig stops at their JSON
			continue
		}
		if info.Category == event.CatProcess || info.Category&event.CatScheduler != 0 {
			procs = append(procs, ty) // last: they change the thread table
			continue
		}
		if ty == event.EvSyscallE || ty == event.EvSyscallX {
			continue
		}
		emit(ty, 3)
	}
	// the generic event of every syscall code
	for sc := 0; sc < event.NumSyscallCodes; sc++ {
		for _, ty := range []event.Type{event.EvSyscallE, event.EvSyscallX} {
			g.Build(ty, 100, func(b *event.Builder) {
				b.Raw(le(uint64(sc), 2))
				if ty == event.EvSyscallE {
					b.Raw(le(uint64(sc), 2))
				}
			})
		}
	}
	// I/O events on descriptors of every type
	for fd := int64(3); fd < 3+int64(len(fdKinds)); fd++ {
		for _, ty := range []event.Type{event.EvReadE, event.EvReadX, event.EvIoctlE, event.EvIoctlX, event.EvCloseE} {
			emit(ty, fd)
		}
	}
	for _, ty := range procs {
		if ty.Info().Name == "execveat" {
			continue // sysdig 0.29.3 crashes at the end of a capture with this one's exit
		}
		emit(ty, 3)
	}
	var fds []event.FD
	for i, k := range fdKinds {
		fd := event.FD{Num: 3 + int64(i), Type: k, Name: "x"}
		switch k {
		case event.FDFile, event.FDFileV2, event.FDDirectory:
			fd.Name = "/etc/x"
		case event.FDIPv4Sock, event.FDIPv4ServSock:
			fd.SrcIP, fd.DstIP, fd.SPort, fd.DPort, fd.L4Proto = []byte{10, 0, 0, 1}, []byte{10, 0, 0, 2}, 4000, 80, event.L4TCP
		case event.FDIPv6Sock, event.FDIPv6ServSock:
			fd.SrcIP, fd.DstIP, fd.SPort, fd.DPort, fd.L4Proto = make([]byte, 16), make([]byte, 16), 4000, 80, event.L4TCP
		}
		fds = append(fds, fd)
	}
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads: []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "p", Exe: "p", Cwd: "/", VTID: 100, VPID: 100, FDs: fds},
			{TID: 200, PID: 200, PTID: 1, Comm: "q", Exe: "q", Cwd: "/", VTID: 200, VPID: 200}}}
	c := &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "categories.scap")
	if d := os.Getenv("ORACLE_KEEP_DIR"); d != "" {
		p = filepath.Join(d, "categories.scap")
	}
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	m := Mode{Group: "-p", Args: []string{"-p", "*%evt.num %evt.type %evt.dir %evt.category %evt.is_io %evt.is_wait %evt.is_io_read %evt.is_io_write"}}
	if v := r.Check(p, m); !v.Agree {
		t.Error(describe(v))
	}
}

var fdKinds = []event.FDType{event.FDUnknown, event.FDFile, event.FDDirectory, event.FDIPv4Sock, event.FDIPv6Sock,
	event.FDIPv4ServSock, event.FDIPv6ServSock, event.FDFIFO, event.FDUnixSock, event.FDEvent, event.FDUnsupported,
	event.FDSignalFD, event.FDEventPoll, event.FDInotify, event.FDTimerFD, event.FDNetlink, event.FDFileV2}
