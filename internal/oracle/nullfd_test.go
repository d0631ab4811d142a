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
		// (a failed openat relative to a directory fd is left out: sysdig
		// then describes the event's fd as that directory, see
		// parse_dirfd, which ferret does not follow yet)
		g.OpenAt(tid, synth.AtFDCWD, "sub/y", synth.ORdonly, 0, -2)
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
