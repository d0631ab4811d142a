// SPDX-License-Identifier: Apache-2.0

package state

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/event"
)

func newLoaded() *State {
	s := New(Options{})
	s.Load(baseSnapshot())
	return s
}

func TestLoadSharesProcessFDTable(t *testing.T) {
	s := newLoaded()
	main, th := s.Thread(200), s.Thread(201)
	if th.FDs() != main.FDs() {
		t.Fatal("threads of one process must share the fd table")
	}
	if f := th.FD(3); f == nil || f.Name != "/srv/data" {
		t.Fatalf("fd 3 via thread: %+v", f)
	}
	if got := s.Process(th); got != main {
		t.Fatal("Process of a thread is its main thread")
	}
	if p := s.Parent(th); p == nil || p.TID != 100 {
		t.Fatalf("parent = %+v", p)
	}
	if s.Thread(100).Cwd != "/home/alice/" {
		t.Fatalf("cwd is normalised with a trailing slash: %q", s.Thread(100).Cwd)
	}
	if got := s.Thread(200).ContainerID; got != "0123456789ab" {
		t.Fatalf("container id = %q", got)
	}
	if s.UserName(1000) != "alice" || s.GroupName(0) != "root" || s.UserName(5) != "" {
		t.Fatal("user/group names")
	}
}

func TestFDLifecycle(t *testing.T) {
	type step struct {
		name  string
		enter bool
		args  []any
	}
	tests := []struct {
		name   string
		steps  []step
		fd     int64
		want   string // expected name, "" = fd absent
		typ    event.FDType
		curNum int64 // Cur().FDNum after the last step
	}{
		{"open relative to cwd", []step{
			{"open", true, []any{"x/../f.txt", uint64(1), uint64(0)}},
			{"open", false, []any{int64(4), "x/../f.txt", uint64(1), uint64(0), uint64(0)}},
		}, 4, "/srv/f.txt", event.FDFile, 4},
		{"openat relative to dirfd", []step{
			{"openat", true, []any{int64(7), "g", uint64(0), uint64(0)}},
			{"openat", false, []any{int64(5), int64(7), "g", uint64(0), uint64(0), uint64(0)}},
		}, 5, "/srv/sub/g", event.FDFile, 5},
		{"open O_DIRECTORY", []step{
			{"open", true, []any{"/etc", uint64(0x400), uint64(0)}},
			{"open", false, []any{int64(6), "/etc", uint64(0x400), uint64(0), uint64(0)}},
		}, 6, "/etc", event.FDDirectory, 6},
		{"failed open adds nothing", []step{
			{"open", true, []any{"/nope", uint64(1), uint64(0)}},
			{"open", false, []any{int64(-2), "/nope", uint64(1), uint64(0), uint64(0)}},
		}, -2, "", 0, -1},
		{"close removes at the next event", []step{
			{"close", true, []any{int64(3)}},
			{"close", false, []any{int64(0)}},
			{"brk", true, []any{uint64(0)}},
		}, 3, "", 0, -1},
		{"failed close keeps", []step{
			{"close", true, []any{int64(3)}},
			{"close", false, []any{int64(-9)}},
		}, 3, "/srv/data", event.FDFile, 3},
		{"dup copies", []step{
			{"dup", true, []any{int64(3)}},
			{"dup", false, []any{int64(9)}},
		}, 9, "/srv/data", event.FDFile, 9},
		{"fcntl F_DUPFD copies", []step{
			{"fcntl", true, []any{int64(3), uint64(1)}},
			{"fcntl", false, []any{int64(11)}},
		}, 11, "/srv/data", event.FDFile, 11},
		{"pipe adds both ends", []step{
			{"pipe", true, nil},
			{"pipe", false, []any{int64(0), int64(12), int64(13), uint64(77)}},
		}, 12, "", event.FDFIFO, 13},
		{"eventfd", []step{
			{"eventfd", true, []any{uint64(0), uint64(0)}},
			{"eventfd", false, []any{int64(14)}},
		}, 14, "", event.FDEvent, 14},
		{"connect sets the tuple", []step{
			{"socket", true, []any{uint64(2), uint64(1), uint64(0)}},
			{"socket", false, []any{int64(15)}},
			{"connect", true, []any{int64(15), addr4([4]byte{1, 2, 3, 4}, 80)}},
			{"connect", false, []any{int64(0), tuple4([4]byte{10, 0, 0, 5}, 40000, [4]byte{1, 2, 3, 4}, 80)}},
		}, 15, "10.0.0.5:40000->1.2.3.4:80", event.FDIPv4Sock, 15},
		{"accept adds a server-side socket", []step{
			{"accept", true, []any{int64(0)}},
			{"accept", false, []any{int64(16), tuple4([4]byte{1, 2, 3, 4}, 5555, [4]byte{10, 0, 0, 5}, 22), uint64(0), uint64(0), uint64(0)}},
		}, 16, "1.2.3.4:5555->10.0.0.5:22", event.FDIPv4Sock, 16},
		{"bind makes a server socket", []step{
			{"socket", true, []any{uint64(2), uint64(1), uint64(6)}},
			{"socket", false, []any{int64(17)}},
			{"bind", true, []any{int64(17)}},
			{"bind", false, []any{int64(0), addr4([4]byte{0, 0, 0, 0}, 8080)}},
		}, 17, "0.0.0.0:8080", event.FDIPv4ServSock, 17},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newLoaded()
			ts := uint64(1000)
			for _, st := range tc.steps {
				ts++
				s.Update(mkEvent(t, st.name, st.enter, ts, 201, st.args...))
			}
			f := s.Thread(200).FD(tc.fd)
			if tc.want == "" && tc.typ == 0 {
				if f != nil {
					t.Fatalf("fd %d should be absent, got %+v", tc.fd, f)
				}
			} else {
				if f == nil {
					t.Fatalf("fd %d missing", tc.fd)
				}
				if f.Name != tc.want || f.Type != tc.typ {
					t.Fatalf("fd %d = %q type %d, want %q type %d", tc.fd, f.Name, f.Type, tc.want, tc.typ)
				}
			}
			if got := s.Cur().FDNum; got != tc.curNum {
				t.Fatalf("Cur().FDNum = %d, want %d", got, tc.curNum)
			}
		})
	}
}

func TestCloseKeepsFDForTheExitEvent(t *testing.T) {
	s := newLoaded()
	s.Update(mkEvent(t, "close", true, 1, 200, int64(3)))
	s.Update(mkEvent(t, "close", false, 2, 200, int64(0)))
	c := s.Cur()
	if c.FD == nil || c.FD.Name != "/srv/data" || !c.Closed {
		t.Fatalf("close exit should still describe the closed fd: %+v", c.FD)
	}
	if s.Thread(200).FD(3) == nil {
		t.Fatal("the close exit still sees fd 3 in the table")
	}
	s.Update(mkEvent(t, "brk", true, 3, 200, uint64(0)))
	if s.Thread(200).FD(3) != nil {
		t.Fatal("fd 3 must be gone after the next event")
	}
}

func TestEnterExitPairing(t *testing.T) {
	s := newLoaded()
	s.Update(mkEvent(t, "read", true, 1000, 200, int64(3), uint64(10)))
	// A context switch in between does not break the pair.
	s.Update(mkTyped(t, event.SchedSwitch, 1200, 200, int64(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0)))
	s.Update(mkEvent(t, "read", false, 1500, 200, int64(10), "0123456789"))
	c := s.Cur()
	if c.Enter == nil || c.Latency != 500 {
		t.Fatalf("latency = %d, enter = %v", c.Latency, c.Enter)
	}
	if c.FD == nil || c.FD.Num != 3 {
		t.Fatalf("exit takes the fd of its enter event: %+v", c.FD)
	}
	if c.OwnFD() != c.FD {
		t.Fatal("a paired exit's fd is its own")
	}
	// An exit without a matching enter is not paired; as in sysdig, its
	// latency runs from the thread's last enter and its fd fields fall
	// back to that enter's fd, but it has no fd of its own.
	s.Update(mkEvent(t, "write", false, 1600, 200, int64(1), "x"))
	if c := s.Cur(); c.Enter != nil || c.Latency != 600 || c.FD == nil || c.FD.Num != 3 || c.OwnFD() != nil {
		t.Fatalf("unpaired exit: enter %v, latency %d, fd %+v, own %+v", c.Enter, c.Latency, c.FD, c.OwnFD())
	}
	if s.Cur().PrevTS != 1500 {
		t.Fatalf("PrevTS = %d", s.Cur().PrevTS)
	}
}

// TestRejectedEnter: an event refused by a capture filter between Prepare
// and Reject is not parsed, and the exit after a refused enter is not
// paired with it (no fd of its own, no enter), as in sysdig.
func TestRejectedEnter(t *testing.T) {
	s := newLoaded()
	s.Prepare(mkEvent(t, "read", true, 1000, 200, int64(3), uint64(10)), true)
	if c := s.Cur(); c.FD == nil || c.OwnFD() != c.FD {
		t.Fatalf("a prepared enter has its fd: %+v", c.FD)
	}
	s.Reject()
	s.Update(mkEvent(t, "read", false, 1500, 200, int64(10), "0123456789"))
	if c := s.Cur(); c.Enter != nil || c.OwnFD() != nil || c.FD == nil || c.Latency != 500 {
		t.Fatalf("exit after a refused enter: enter %v, own fd %+v, fd %+v, latency %d", c.Enter, c.OwnFD(), c.FD, c.Latency)
	}
	// A write exit under a filter takes the last fd as its own.
	s.Prepare(mkEvent(t, "write", true, 1600, 200, int64(3), uint32(1)), true)
	s.Reject()
	s.Prepare(mkEvent(t, "write", false, 1700, 200, int64(1), "x"), true)
	if c := s.Cur(); c.OwnFD() == nil || c.OwnFD().Num != 3 {
		t.Fatalf("write exit under a filter: own fd %+v", c.OwnFD())
	}
	s.Parse()
	// A refused switch is not parsed: the thread keeps its memory figures.
	vm := s.Thread(200).VMSizeKB
	s.Prepare(mkTyped(t, event.SchedSwitch, 1800, 200, int64(0), uint64(0), uint64(0), uint64(vm+100), uint64(0), uint64(0)), true)
	s.Reject()
	if s.Thread(200).VMSizeKB != vm {
		t.Fatal("a refused switch was parsed")
	}
	s.Update(mkTyped(t, event.SchedSwitch, 1900, 200, int64(0), uint64(0), uint64(0), uint64(vm+100), uint64(0), uint64(0)))
	if s.Thread(200).VMSizeKB != vm+100 {
		t.Fatalf("an accepted switch is parsed: vmsize %d", s.Thread(200).VMSizeKB)
	}
}

func cloneArgs(res, tid, pid, ptid int64, flags uint64) []any {
	return []any{res, "app", "a\x00b\x00", tid, pid, ptid, "/srv", int64(1024), uint64(0), uint64(0),
		uint64(100), uint64(10), uint64(0), "app", "cpu=/\x00", flags, uint64(1000), uint64(1000), tid, pid}
}

func TestClone(t *testing.T) {
	tests := []struct {
		name      string
		flags     uint64
		shared    bool
		wantPID   int64
		wantPTID  int64
		childSide bool
	}{
		{"fork copies the fd table", 0, false, 300, 200, false},
		{"CLONE_FILES shares it", clFiles, true, 300, 200, false},
		{"thread shares it, its parent is the caller", clThread | clFiles | 0x8000, true, 200, 200, false},
		{"child side creates the thread", 0, false, 300, 200, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newLoaded()
			s.Update(mkEvent(t, "clone", true, 1, 200))
			if tc.childSide {
				s.Update(mkEvent(t, "clone", false, 2, 300, cloneArgs(0, 300, 300, 200, tc.flags)...))
			} else {
				s.Update(mkEvent(t, "clone", false, 2, 200, cloneArgs(300, 200, 200, 100, tc.flags)...))
			}
			c := s.Thread(300)
			if c == nil {
				t.Fatal("child missing")
			}
			if c.PID != tc.wantPID || c.PTID != tc.wantPTID {
				t.Fatalf("pid/ptid = %d/%d, want %d/%d", c.PID, c.PTID, tc.wantPID, tc.wantPTID)
			}
			if (c.FDs() == s.Thread(200).FDs()) != tc.shared {
				t.Fatalf("shared fd table = %v, want %v", !tc.shared, tc.shared)
			}
			if c.FD(3) == nil || c.FD(3).Name != "/srv/data" {
				t.Fatal("child sees the parent's fds")
			}
			if !tc.shared {
				s.Update(mkEvent(t, "close", true, 3, 300, int64(3)))
				s.Update(mkEvent(t, "close", false, 4, 300, int64(0)))
				if s.Thread(200).FD(3) == nil {
					t.Fatal("closing in a forked child must not close the parent's fd")
				}
			}
			if len(c.Args) != 2 || c.Args[1] != "b" || c.Comm != "app" || c.UID != 1000 {
				t.Fatalf("child description: %+v", c)
			}
		})
	}
}

func TestProcExitRemovesAfterEvent(t *testing.T) {
	s := newLoaded()
	s.Update(mkEvent(t, "procexit", true, 1, 201, int64(0), int64(0), uint64(0), uint64(0)))
	if s.Cur().Thread == nil || s.Thread(201) == nil {
		t.Fatal("the thread must still exist while its procexit is processed")
	}
	s.Update(mkEvent(t, "brk", true, 2, 200, uint64(0)))
	if s.Thread(201) != nil {
		t.Fatal("thread removed after the procexit event")
	}
}

func TestExecveChdirSetuid(t *testing.T) {
	s := newLoaded()
	s.Update(mkEvent(t, "execve", true, 1, 200, "/usr/bin/tool"))
	s.Update(mkEvent(t, "execve", false, 2, 200, int64(0), "tool", "-v\x00x\x00", int64(200), int64(200), int64(100),
		"/srv", uint64(1024), uint64(0), uint64(0), uint64(1), uint64(1), uint64(0), "tool", "cpu=/\x00", "A=1\x00B=2\x00",
		uint64(0), int64(200), uint64(1000), uint64(0)))
	p := s.Thread(200)
	if p.Comm != "tool" || p.Exe != "tool" || p.ExePath != "/usr/bin/tool" || len(p.Env) != 2 || p.ContainerID != "" {
		t.Fatalf("after execve: %+v", p)
	}
	s.Update(mkEvent(t, "chdir", true, 3, 200))
	s.Update(mkEvent(t, "chdir", false, 4, 200, int64(0), "../tmp"))
	if p.Cwd != "/tmp/" {
		t.Fatalf("cwd = %q", p.Cwd)
	}
	s.Update(mkEvent(t, "fchdir", true, 5, 201, int64(7)))
	s.Update(mkEvent(t, "fchdir", false, 6, 201, int64(0)))
	if p.Cwd != "/srv/sub/" {
		t.Fatalf("cwd after fchdir = %q", p.Cwd)
	}
	s.Update(mkEvent(t, "setuid", true, 7, 200, uint64(0)))
	s.Update(mkEvent(t, "setuid", false, 8, 200, int64(0)))
	if p.UID != 0 {
		t.Fatalf("uid = %d", p.UID)
	}
	s.Update(mkEvent(t, "setresuid", true, 9, 200, uint64(5), uint64(6), uint64(7)))
	s.Update(mkEvent(t, "setresuid", false, 10, 200, int64(-1)))
	if p.UID != 0 {
		t.Fatal("failed setresuid must not change the uid")
	}
}

// TestExecveWithoutEnter: an execve whose enter event was not captured
// (it began before the capture did) has only argv[0] for a path; a live
// capture asks /proc for the executable, a capture file keeps argv[0].
func TestExecveWithoutEnter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lookup func(int64) ([]event.Thread, bool)
		want   string
	}{
		{"capture file", nil, "tool"},
		{"live", func(tid int64) ([]event.Thread, bool) {
			return []event.Thread{{TID: tid, PID: tid, Comm: "tool", ExePath: "/usr/bin/tool"}}, true
		}, "/usr/bin/tool"},
		{"live, gone", func(int64) ([]event.Thread, bool) { return nil, false }, "tool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Lookup: tc.lookup})
			s.Load(baseSnapshot())
			s.Update(mkEvent(t, "execve", false, 2, 200, int64(0), "tool", "-v\x00", int64(200), int64(200), int64(100),
				"/srv", uint64(1024), uint64(0), uint64(0), uint64(1), uint64(1), uint64(0), "tool", "cpu=/\x00", "A=1\x00",
				uint64(0), int64(200), uint64(1000), uint64(0)))
			if p := s.Thread(200); p.ExePath != tc.want {
				t.Fatalf("exepath %q, want %q", p.ExePath, tc.want)
			}
		})
	}
}

func TestContainerFromCgroups(t *testing.T) {
	hex64 := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	root := t.TempDir()
	dir := filepath.Join(root, "var/lib/containers/storage/overlay-containers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	list := `[{"id":"` + hex64 + `","names":["web1"],"image":"feed","metadata":"{\"image-name\":\"localhost/bb:1\",\"name\":\"web1\"}"}]`
	if err := os.WriteFile(filepath.Join(dir, "containers.json"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := &event.Snapshot{Threads: []event.Thread{
		{TID: 10, PID: 10, Comm: "sh", Cgroups: []string{"cpu=/libpod_parent/libpod-" + hex64}},
		{TID: 11, PID: 11, Comm: "sh", Cgroups: []string{"cpu=/user.slice"}},
	}}
	// Without a resolver (capture files) the id is known and the table
	// has what the path says (id and engine), not what the machine has.
	s := New(Options{})
	s.Load(snap)
	if c := s.Container("0123456789ab"); s.Thread(10).ContainerID != "0123456789ab" || s.Thread(11).ContainerID != "" ||
		c == nil || c.Name != "" || c.Type != "podman" || len(s.ContainerLog()) != 0 {
		t.Fatalf("without resolver: %q %q %+v", s.Thread(10).ContainerID, s.Thread(11).ContainerID, s.Container("0123456789ab"))
	}
	s = New(Options{Containers: &container.Resolver{Root: root, Sockets: []string{}}})
	s.Load(snap)
	c := s.Container("0123456789ab")
	if c == nil || c.Name != "web1" || c.Type != "podman" || c.Image != "localhost/bb:1" || c.ImageTag != "1" {
		t.Fatalf("resolved container: %+v", c)
	}
	if log := s.ContainerLog(); len(log) != 1 || log[0] != c {
		t.Fatalf("container log: %v", log)
	}
	// The snapshot carries the metadata, and a state loaded from it (a
	// capture file) knows the container without asking the machine.
	exp := s.Snapshot()
	if len(exp.Containers) != 1 {
		t.Fatalf("snapshot containers: %v", exp.Containers)
	}
	s2 := New(Options{})
	s2.Load(exp)
	if c2 := s2.Container("0123456789ab"); c2 == nil || c2.Name != "web1" || c2.Type != "podman" {
		t.Fatalf("reloaded: %+v", c2)
	}
}

func TestContainerJSONEvent(t *testing.T) {
	s := newLoaded()
	js := `{"container":{"id":"0123456789ab","name":"web","image":"nginx:1","type":0,"privileged":true,"Mounts":[{"Source":"/a","Destination":"/b","Mode":"ro"}]}}`
	s.Update(mkTyped(t, event.Container2E, 1, 200, js))
	c := s.Container("0123456789ab")
	if c == nil || c.Name != "web" || c.Image != "nginx:1" || c.Type != "docker" || !c.Privileged || len(c.Mounts) != 1 || c.Mounts[0].Mode != "ro" {
		t.Fatalf("container: %+v", c)
	}
	s.AddContainerJSON("{not json")
	if s.Counters.BadParams != 1 {
		t.Fatal("malformed JSON is counted")
	}
}

func TestUnknownThreadCreatedOnTheFly(t *testing.T) {
	s := newLoaded()
	s.Update(mkEvent(t, "brk", true, 1, 999, uint64(0)))
	th := s.Thread(999)
	if th == nil || !th.Unknown() || th.Comm != "<NA>" || s.Counters.MissingThread != 1 {
		t.Fatalf("unknown thread: %+v", th)
	}
	// Internal events do not create threads.
	s.Update(mkTyped(t, event.ProcInfoE, 2, 998, uint64(1), uint64(2)))
	if s.Thread(998) != nil {
		t.Fatal("procinfo must not create threads")
	}
}

func TestResolvePath(t *testing.T) {
	s := newLoaded()
	th := s.Thread(200)
	tests := []struct {
		dirfd int64
		in    string
		want  string
	}{
		{-100, "a/b", "/srv/a/b"},
		{-100, "/x//y/./z/", "/x/y/z"},
		{7, "../c", "/srv/c"},
		{-100, "", ""},
		{99, "rel", "rel"},
		{-100, "/../..", "/"},
	}
	for _, tc := range tests {
		if got := s.ResolvePath(th, tc.dirfd, tc.in); got != tc.want {
			t.Errorf("ResolvePath(%d, %q) = %q, want %q", tc.dirfd, tc.in, got, tc.want)
		}
	}
}

func TestSnapshotSocketsReadClientToServer(t *testing.T) {
	s := New(Options{})
	s.Load(&event.Snapshot{Threads: []event.Thread{
		{TID: 1, PID: 1, Comm: "sshd", FDs: []event.FD{
			{Num: 3, Type: event.FDIPv4ServSock, SrcIP: []byte{0, 0, 0, 0}, SPort: 22, L4Proto: event.L4TCP},
			// The snapshot stores the local end first.
			{Num: 4, Type: event.FDIPv4Sock, SrcIP: []byte{10, 0, 0, 79}, SPort: 22, DstIP: []byte{50, 1, 2, 3}, DPort: 63740, L4Proto: event.L4TCP},
			{Num: 5, Type: event.FDIPv4Sock, SrcIP: []byte{10, 0, 0, 79}, SPort: 40000, DstIP: []byte{1, 1, 1, 1}, DPort: 443, L4Proto: event.L4TCP},
		}},
	}})
	th := s.Thread(1)
	if f := th.FD(4); f.Name != "50.1.2.3:63740->10.0.0.79:22" || f.Role != RoleServer {
		t.Fatalf("accepted socket: %q role %d", f.Name, f.Role)
	}
	if f := th.FD(5); f.Name != "10.0.0.79:40000->1.1.1.1:443" {
		t.Fatalf("client socket: %q", f.Name)
	}
	if f := th.FD(3); f.Name != "0.0.0.0:22" {
		t.Fatalf("server socket: %q", f.Name)
	}
}

func TestSwitchAndProcinfo(t *testing.T) {
	s := newLoaded()
	sw := func(ts uint64) *event.Event {
		return mkTyped(t, event.SchedSwitch, ts, 200, int64(0), uint64(1), uint64(2), uint64(300), uint64(40), uint64(0))
	}
	s.Update(mkEvent(t, "read", true, 1000, 200, int64(3), uint64(10)))
	s.Update(mkEvent(t, "read", false, 1300, 200, int64(1), "x"))
	s.Update(sw(1400))
	if s.Cur().Latency != 300 {
		t.Fatalf("switch after a syscall reports its latency, got %d", s.Cur().Latency)
	}
	if th := s.Thread(200); th.VMSizeKB != 300 || th.VMRSSKB != 40 || th.PFMinor != 2 {
		t.Fatalf("switch counters: %+v", th)
	}
	s.Update(mkEvent(t, "read", true, 1500, 200, int64(3), uint64(10)))
	s.Update(sw(1600))
	if s.Cur().Latency != 0 {
		t.Fatal("switch inside a syscall reports no latency")
	}
	th := s.Thread(200)
	s.Update(mkTyped(t, event.ProcInfoE, 2000, 200, uint64(10), uint64(5)))
	if _, _, ok := th.CPUDelta(); ok {
		t.Fatal("no delta before the second procinfo")
	}
	s.Update(mkTyped(t, event.ProcInfoE, 3000, 200, uint64(13), uint64(9)))
	if u, sy, ok := th.CPUDelta(); !ok || u != 3 || sy != 4 {
		t.Fatalf("cpu delta = %d %d %v", u, sy, ok)
	}
	// The pending read enter survived the switch and procinfo events.
	s.Update(mkEvent(t, "read", false, 3100, 200, int64(1), "x"))
	if s.Cur().Latency != 1600 {
		t.Fatalf("read latency = %d", s.Cur().Latency)
	}
}

func TestThreadCounts(t *testing.T) {
	s := newLoaded()
	if s.ThreadsOf(200) != 2 || s.ThreadsOf(100) != 1 {
		t.Fatalf("counts after load: %d %d", s.ThreadsOf(200), s.ThreadsOf(100))
	}
	s.Update(mkEvent(t, "clone", true, 1, 200))
	s.Update(mkEvent(t, "clone", false, 2, 200, cloneArgs(202, 200, 200, 100, clThread|clFiles)...))
	if s.ThreadsOf(200) != 3 {
		t.Fatalf("after clone: %d", s.ThreadsOf(200))
	}
	s.Update(mkEvent(t, "procexit", true, 3, 202, int64(0), int64(0), uint64(0), uint64(0)))
	s.Update(mkEvent(t, "brk", true, 4, 200, uint64(0)))
	if s.ThreadsOf(200) != 2 {
		t.Fatalf("after exit: %d", s.ThreadsOf(200))
	}
}

// TestLookupUnknownThread: an unknown tid is looked up once on its first
// event (process first, sharing its fd table), failures are remembered and
// the number of lookups is bounded and counted.
func TestLookupUnknownThread(t *testing.T) {
	asked := map[int64]int{}
	s := New(Options{MaxLookups: 3, Lookup: func(tid int64) ([]event.Thread, bool) {
		asked[tid]++
		switch tid {
		case 501:
			return []event.Thread{
				{TID: 500, PID: 500, Comm: "worker", Exe: "/usr/bin/worker", Cwd: "/srv",
					FDs: []event.FD{{Num: 3, Type: event.FDFile, Name: "/var/log/w.log"}}},
				{TID: 501, PID: 500, Comm: "worker-t1", Exe: "/usr/bin/worker", Cwd: "/srv"},
			}, true
		case 600, 601, 602:
			return []event.Thread{{TID: tid, PID: tid, Comm: "p"}}, true
		}
		return nil, false
	}})
	s.Load(&event.Snapshot{})
	s.Update(mkEvent(t, "read", true, 1, 501, int64(3), uint64(10)))
	th := s.Thread(501)
	if th == nil || th.Unknown() || th.Comm != "worker-t1" || th.PID != 500 || s.Cwd(th) != "/srv/" {
		t.Fatalf("looked-up thread: %+v", th)
	}
	if f := s.Cur().FD; f == nil || f.Name != "/var/log/w.log" {
		t.Fatalf("fd of the looked-up process: %+v", f)
	}
	if p := s.Thread(500); p == nil || p.Comm != "worker" || p.FDs() != th.FDs() {
		t.Fatalf("process of the looked-up thread: %+v", p)
	}
	// The process is known now: its own events need no lookup.
	s.Update(mkEvent(t, "brk", true, 2, 500, uint64(0)))
	for i := 0; i < 3; i++ {
		s.Update(mkEvent(t, "brk", true, uint64(3+i), 700, uint64(0)))
	}
	if s.Thread(700) == nil || !s.Thread(700).Unknown() {
		t.Fatalf("gone thread: %+v", s.Thread(700))
	}
	// Gone threads are asked about once (the thread table then holds them).
	s.removeThread(700)
	s.Update(mkEvent(t, "brk", true, 7, 700, uint64(0)))
	if asked[700] != 1 || asked[500] != 0 || asked[501] != 1 {
		t.Fatalf("lookups %v", asked)
	}
	s.Update(mkEvent(t, "brk", true, 8, 600, uint64(0))) // third lookup
	s.Update(mkEvent(t, "brk", true, 9, 601, uint64(0))) // over the bound
	if s.Thread(600).Unknown() || !s.Thread(601).Unknown() || asked[601] != 0 {
		t.Fatalf("bound: 600 %+v 601 %+v", s.Thread(600), s.Thread(601))
	}
	// A new child's first event describes it: no lookup.
	s.Update(mkEvent(t, "clone", false, 10, 800, cloneArgs(0, 800, 800, 600, 0)...))
	if asked[800] != 0 || s.Thread(800) == nil || s.Thread(800).PTID != 600 {
		t.Fatalf("child side of clone: asked %d, %+v", asked[800], s.Thread(800))
	}
	c := s.Counters
	if c.Lookups != 3 || c.LookupsFailed != 1 || c.LookupsSkipped != 1 || c.MissingThread != 4 {
		t.Fatalf("counters %+v", c)
	}
}

// TestCloneOfUnknownThreadsLooksUp: on a live capture, the caller of a
// clone the table does not know is read from /proc (not described from the
// event, whose exe is only argv[0]), and so is the unknown parent named by
// a child-side clone exit; the new child itself is described by its event.
func TestCloneOfUnknownThreadsLooksUp(t *testing.T) {
	asked := map[int64]int{}
	lookup := func(tid int64) ([]event.Thread, bool) {
		asked[tid]++
		if tid == 400 || tid == 410 {
			return []event.Thread{{TID: tid, PID: tid, PTID: 1, Comm: "sh", Exe: "sh", ExePath: "/usr/bin/dash"}}, true
		}
		return nil, false
	}
	s := New(Options{Lookup: lookup})
	s.Load(baseSnapshot())
	s.Update(mkEvent(t, "clone", false, 1, 400, cloneArgs(401, 400, 400, 1, 0)...))
	if p := s.Thread(400); p == nil || p.Unknown() || p.ExePath != "/usr/bin/dash" {
		t.Fatalf("caller: %+v", p)
	}
	if c := s.Thread(401); c == nil || c.ExePath != "/usr/bin/dash" || asked[401] != 0 {
		t.Fatalf("child: %+v (asked %d)", c, asked[401])
	}
	s.Update(mkEvent(t, "clone", false, 2, 411, cloneArgs(0, 411, 411, 410, 0)...))
	if c := s.Thread(411); c == nil || c.ExePath != "/usr/bin/dash" || asked[411] != 0 || asked[410] != 1 {
		t.Fatalf("child side: %+v (asked %v)", c, asked)
	}
}

// TestCloneReturnAfterChildRan: a thread of the child's tid is already
// known (from the starting snapshot) when the caller's clone returns, as
// when a vfork parent resumes after its child has exec'd. Without /proc
// (a capture file) it is replaced by a copy of the caller, as sysdig does;
// a live capture describes it from /proc when /proc shows it as the
// caller's child, and replaces it as before when it does not.
func TestCloneReturnAfterChildRan(t *testing.T) {
	snap := baseSnapshot()
	snap.Threads = append(snap.Threads, event.Thread{TID: 300, PID: 300, PTID: 200, Comm: "old", Exe: "old"})
	proc := func(ptid int64) func(int64) ([]event.Thread, bool) {
		return func(tid int64) ([]event.Thread, bool) {
			if tid != 300 {
				return nil, false
			}
			return []event.Thread{{TID: 300, PID: 300, PTID: ptid, Comm: "sh", Exe: "/bin/sh"}}, true
		}
	}
	for _, tc := range []struct {
		name   string
		lookup func(int64) ([]event.Thread, bool)
		want   string
	}{
		{"capture file", nil, "app"},
		{"live, the caller's child", proc(200), "sh"},
		{"live, another process's", proc(999), "app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Lookup: tc.lookup})
			s.Load(snap)
			s.Update(mkEvent(t, "clone", true, 1, 200))
			s.Update(mkEvent(t, "clone", false, 2, 200, cloneArgs(300, 200, 200, 100, 0)...))
			c := s.Thread(300)
			if c == nil || c.Comm != tc.want || c.PTID != 200 && tc.want == "sh" {
				t.Fatalf("child = %+v, want comm %q", c, tc.want)
			}
		})
	}
}

// TestChildCounts: a main thread counts the threads of its process created
// with CLONE_THREAD (from the process table's flags and from clone exits,
// a fork is not counted), keeps them counted until they go, and stays in
// the table past its own procexit while one lives.
func TestChildCounts(t *testing.T) {
	s := newLoaded()
	if n := s.Thread(200).NumChildren(); n != 1 {
		t.Fatalf("after load: main thread 200 counts %d threads, want 1", n)
	}
	s.Update(mkEvent(t, "clone", true, 1, 200))
	s.Update(mkEvent(t, "clone", false, 2, 200, cloneArgs(202, 200, 200, 100, clThread|clFiles)...))
	s.Update(mkEvent(t, "clone", true, 3, 200))
	s.Update(mkEvent(t, "clone", false, 4, 200, cloneArgs(300, 200, 200, 100, 0)...))
	if n := s.Thread(200).NumChildren(); n != 2 {
		t.Fatalf("after a thread and a fork: %d, want 2", n)
	}
	if n := s.Thread(202).NumChildren(); n != 0 {
		t.Fatalf("a secondary thread counts %d", n)
	}
	s.Update(mkEvent(t, "procexit", true, 5, 200, int64(0), int64(0), uint64(0), uint64(0)))
	s.Update(mkEvent(t, "brk", true, 6, 201, uint64(0)))
	if s.Thread(200) == nil {
		t.Fatal("a main thread whose threads live was removed at its procexit")
	}
	for i, tid := range []int64{201, 202} {
		s.Update(mkEvent(t, "procexit", true, uint64(7+2*i), tid, int64(0), int64(0), uint64(0), uint64(0)))
		s.Update(mkEvent(t, "brk", true, uint64(8+2*i), 100, uint64(0)))
	}
	if n := s.Thread(200).NumChildren(); n != 0 {
		t.Fatalf("after its threads exited: %d", n)
	}
	s.Update(mkEvent(t, "procexit", true, 11, 200, int64(0), int64(0), uint64(0), uint64(0)))
	s.Update(mkEvent(t, "brk", true, 12, 100, uint64(0)))
	if s.Thread(200) != nil {
		t.Fatal("a main thread without threads stays after its procexit")
	}
}

// TestChildCountOfUnlistedProcess: a thread of the process table whose
// main thread is not listed adds that main thread unknown, counting it.
func TestChildCountOfUnlistedProcess(t *testing.T) {
	s := New(Options{})
	s.Load(&event.Snapshot{Threads: []event.Thread{{TID: 501, PID: 500, Comm: "w", Flags: clThread | clFiles}}})
	m := s.Thread(500)
	if m == nil || !m.Unknown() {
		t.Fatal("the missing main thread was not added unknown")
	}
	if m.NumChildren() == 0 {
		t.Fatal("the added main thread counts no thread")
	}
}
