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

// TestNullFDMatchesSysdig compares the fd fields of events whose fd is not
// in the table (accepts that added none: an empty tuple, a family sysdig
// does not track, a failure; opens that failed) and the directory fields
// of file and directory fds named without a slash, with a trailing one and
// at the root, on the host and in a container.
func TestNullFDMatchesSysdig(t *testing.T) {
	r, _ := setup(t)
	const ctr = "0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab0123"
	fds := []event.FD{{Num: 3, Type: event.FDFile, Name: "noslash"}, {Num: 4, Type: event.FDFile, Name: "/a/b/"},
		{Num: 5, Type: event.FDFile, Name: "/top"}, {Num: 6, Type: event.FDDirectory, Name: "/d/dir"},
		{Num: 7, Type: event.FDFile, Name: "/d/dir/f"}, {Num: 8, Type: event.FDDirectory, Name: "/"}}
	threads := []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "h", Exe: "h", Cwd: "/w/", VTID: 100, VPID: 100, FDs: fds},
		{TID: 200, PID: 200, PTID: 1, Comm: "c", Exe: "c", Cwd: "/w/", VTID: 1, VPID: 1, FDs: fds,
			Cgroups: []string{"cpu=/docker/" + ctr}}}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	remote, local := netip.MustParseAddrPort("10.0.0.2:4000"), netip.MustParseAddrPort("10.0.0.1:80")
	for _, tid := range []int64{100, 200} {
		for fd := int64(3); fd <= 8; fd++ {
			g.Read(tid, fd, 10, []byte("x"))
		}
		for _, tuple := range [][]byte{{}, {16, 1, 2, 3}, synth.Tuple(remote, local)} {
			for _, res := range []int64{20, -11} {
				g.Syscall("accept", tid, []any{int32(0)}, []any{res, tuple, uint8(0), uint32(0), uint32(128)})
			}
		}
		g.Open(tid, "/no/such", synth.ORdonly, 0, -2)
		g.Open(tid, "rel/x", synth.ORdonly, 0, -2)
		g.OpenAt(tid, synth.AtFDCWD, "sub/y", synth.ORdonly, 0, -2)
		g.OpenAt(tid, 6, "sub/y", synth.ORdonly, 0, -2)
		g.Read(tid, 20, 10, []byte("x"))
	}
	c := &Capture{Snap: &event.Snapshot{Machine: event.Machine{NumCPUs: 1}, Threads: threads}, Events: g.Events(),
		Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "nullfd.scap")
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	format := "%evt.num %evt.type %evt.dir %fd.num %fd.typechar %fd.type %fd.name %fd.directory %fd.filename %fd.containername %fd.containerdirectory"
	for _, v := range r.CheckAll(casesOf(p, []Mode{{Group: "-p*", Args: []string{"-p", "*" + format}},
		{Group: "-p", Args: []string{"-p", format}}, {Group: "default"},
		{Group: "filter", Args: []string{"-p", format, "fd.directory=/"}}}), *flagJobs) {
		if !v.Agree {
			t.Error(describe(v))
		}
	}
}

// TestFailedOpensUnderDirFDMatchSysdig fails opens of every openat layout
// (the oldest, whose exit has only the fd; openat; openat2) and open and
// creat with relative, absolute, empty and "<NA>" names under directory
// fds of every kind (a directory, the root, a socket, a file, an fd that
// is not open, AT_FDCWD), paired with their enter, without it (after
// another call's enter, whose fd the fd fields then take) and with an
// enter naming another path or "(NULL)"; and, as neighbours, the other
// calls that take a directory fd, which have no fd of their own. Their fd
// fields, the error chisels and the fd filters must agree with sysdig.
func TestFailedOpensUnderDirFDMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	fds := []event.FD{{Num: 3, Type: event.FDFile, Name: "/f/file"}, {Num: 5, Type: event.FDDirectory, Name: "/d/dir"},
		{Num: 6, Type: event.FDIPv4Sock, SrcIP: []byte{1, 2, 3, 4}, DstIP: []byte{5, 6, 7, 8}, SPort: 1, DPort: 2, L4Proto: event.L4TCP},
		{Num: 8, Type: event.FDDirectory, Name: "/"}}
	threads := []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "h", Exe: "h", Cwd: "/w/", VTID: 100, VPID: 100, FDs: fds}}
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	var oldE, oldX event.Type
	for _, ty := range event.ByName("openat") {
		if ty.IsEnter() && ty.Info().Flags&event.FlagOldVersion != 0 {
			oldE, oldX = ty, ty+1
		}
	}
	if oldE == 0 {
		t.Fatal("no old openat layout in the event table")
	}
	o2e, o2x := synth.Current("openat2")
	rd, _ := synth.Current("read")
	const tid = 100
	names := []string{"rel", "sub/x", "/abs", "", "<NA>", "./dot"}
	dirfds := []int64{synth.AtFDCWD, 3, 5, 6, 7, 8}
	for _, n := range names {
		for _, dfd := range dirfds {
			for _, res := range []int64{-2, -13} {
				g.OpenAt(tid, dfd, n, synth.ORdonly, 0, res)
				g.Emit(oldE, tid, dfd, n, synth.ORdonly, uint32(0))
				g.Emit(oldX, tid, res)
				g.Emit(o2e, tid, dfd, n, synth.ORdonly, uint32(0), uint32(0))
				g.Emit(o2x, tid, res, dfd, n, synth.ORdonly, uint32(0), uint32(0))
			}
			// unpaired exits: the last enter was a read of fd 3
			g.Emit(rd, tid, int64(3), uint32(10))
			_, x := synth.Current("openat")
			g.Emit(x, tid, int64(-2), dfd, n, synth.ORdonly, uint32(0), uint32(0))
			g.Emit(rd, tid, int64(6), uint32(10))
			g.Emit(o2x, tid, int64(-2), dfd, n, synth.ORdonly, uint32(0), uint32(0))
			// the enter's name and dirfd win over the exit's, unless
			// the enter's name is "(NULL)"
			e, _ := synth.Current("openat")
			// (the exit's own name is absolute where the call fails:
			// sysdig's fd.name of a failed openat resolves the exit's
			// arguments again, and a directory fd found then becomes
			// the event's fd for the fields printed after it)
			g.Emit(e, tid, dfd, n, synth.ORdonly, uint32(0))
			g.Emit(x, tid, int64(-2), int64(5), "/other", synth.ORdonly, uint32(0), uint32(0))
			g.Emit(e, tid, int64(5), "(NULL)", synth.ORdonly, uint32(0))
			g.Emit(x, tid, int64(-2), dfd, n, synth.ORdonly, uint32(0), uint32(0))
			g.Emit(e, tid, dfd, n, synth.ORdonly, uint32(0))
			g.Emit(x, tid, int64(9), int64(5), "other", synth.ORdonly, uint32(0), uint32(0))
			g.Close(tid, 9, 0)
			// neighbours
			g.Mkdirat(tid, dfd, n, 0o755, -17)
			g.Unlinkat(tid, dfd, n, -2)
			g.Renameat2(tid, dfd, n, dfd, "to", -2)
			_, fx := synth.Current("fchmodat")
			g.Emit(fx, tid, int64(-1), dfd, n, uint32(0))
			_, lx := synth.Current("linkat")
			g.Emit(lx, tid, int64(-2), dfd, n, dfd, "ln", uint32(0))
			_, sx := synth.Current("symlinkat")
			g.Emit(sx, tid, int64(-2), "target", dfd, n)
		}
		g.Open(tid, n, synth.ORdonly, 0, -2)
		g.Syscall("creat", tid, []any{n, uint32(0)}, []any{int64(-13), n, uint32(0)})
	}
	c := &Capture{Snap: &event.Snapshot{Machine: event.Machine{NumCPUs: 1}, Threads: threads}, Events: g.Events(),
		Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: 2}}
	p := filepath.Join(t.TempDir(), "dirfd.scap")
	if *flagDump != "" {
		p = filepath.Join(*flagDump, "dirfd.scap")
	}
	if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	format := "%evt.num %evt.type %evt.dir %evt.failed %fd.num %fd.typechar %fd.type %fd.name %fd.directory %fd.filename %fd.sip %fd.l4proto %evt.category"
	modes := []Mode{{Group: "-p", Args: []string{"-p", format}}, {Group: "-p*", Args: []string{"-p", "*" + format}},
		{Group: "filter", Args: []string{"-p", format, "fd.name contains /d/ or fd.num=6"}},
		{Group: "chisel:topfiles_errors", Args: []string{"-c", "topfiles_errors"}},
		{Group: "chisel:fdcount_by", Args: []string{"-c", "fdcount_by", "fd.name"}, Cmp: RowSet}}
	for _, v := range r.CheckAll(casesOf(p, modes), *flagJobs) {
		if !v.Agree {
			t.Error(describe(v))
		}
	}
}
