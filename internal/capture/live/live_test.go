// SPDX-License-Identifier: Apache-2.0

package live

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// requireBPF skips the test without root, unless CI=true, where it fails.
func requireBPF(t testing.TB) {
	t.Helper()
	if err := CheckPrivileges(); err != nil {
		testutil.Unavailable(t, "kernel test: %v", err)
	}
}

// helperEnv selects a scenario when the test binary is re-executed.
const helperEnv = "FERRET_LIVE_HELPER"

func TestMain(m *testing.M) {
	if sc := os.Getenv(helperEnv); sc != "" {
		os.Exit(runHelper(sc))
	}
	os.Exit(m.Run())
}

// runHelper waits for one byte on stdin (the capture is ready), runs the
// scenario and exits.
func runHelper(sc string) int {
	var b [1]byte
	if _, err := os.Stdin.Read(b[:]); err != nil {
		return 3
	}
	arg := os.Getenv(helperEnv + "_ARG")
	switch sc {
	case "file":
		fd, err := syscall.Open(arg, syscall.O_CREAT|syscall.O_WRONLY|syscall.O_TRUNC, 0o644)
		if err != nil {
			return 4
		}
		syscall.Write(fd, []byte("hello ferret"))
		syscall.Close(fd)
		fd, err = syscall.Open(arg, syscall.O_RDONLY, 0)
		if err != nil {
			return 5
		}
		buf := make([]byte, 64)
		syscall.Read(fd, buf)
		syscall.Close(fd)
		syscall.Open("/nonexistent-ferret/x", syscall.O_RDONLY, 0)
	case "tcp":
		ls, _ := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err := syscall.Bind(ls, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			return 4
		}
		syscall.Listen(ls, 4)
		sa, _ := syscall.Getsockname(ls)
		port := sa.(*syscall.SockaddrInet4).Port
		cs, _ := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err := syscall.Connect(cs, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}); err != nil {
			return 5
		}
		// two more waiting in the accept queue (limit 4): 2, 50 % after the accept
		for i := 0; i < 2; i++ {
			w, _ := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if err := syscall.Connect(w, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}); err != nil {
				return 5
			}
			defer syscall.Close(w)
		}
		as, _, err := syscall.Accept(ls)
		if err != nil {
			return 6
		}
		syscall.Sendto(cs, []byte("ping"), 0, nil)
		buf := make([]byte, 16)
		syscall.Recvfrom(as, buf, 0)
		syscall.Close(as)
		syscall.Close(cs)
		syscall.Close(ls)
	case "exec":
		cmd := exec.Command("/bin/echo", "hello", "world")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			return 4
		}
	case "bench-getppid", "bench-orc", "bench-write":
		n, _ := strconv.Atoi(arg)
		return benchLoop(sc, n)
	case "signal":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGUSR1)
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		<-ch
	case "tcp6mapped":
		ln, err := net.Listen("tcp", "[::]:0")
		if err != nil {
			return 4
		}
		go func() {
			c, err := ln.Accept()
			if err == nil {
				c.Write([]byte("pong"))
				c.Close()
			}
		}()
		c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", ln.Addr().(*net.TCPAddr).Port))
		if err != nil {
			return 5
		}
		io.ReadAll(c)
		c.Close()
		ln.Close()
	case "udp":
		a, _ := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
		syscall.Bind(a, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
		sa, _ := syscall.Getsockname(a)
		b, _ := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
		syscall.Sendmsg(b, []byte("dgram"), nil, sa, 0)
		buf := make([]byte, 16)
		syscall.Recvmsg(a, buf, nil, 0)
	case "burn":
		// 2.5 s of CPU on this thread in slices of 100 ms, each ended by
		// a short sleep (the thread leaves its CPU at least that often).
		runtime.LockOSThread()
		for threadCPU() < 2500*time.Millisecond {
			for end := threadCPU() + 100*time.Millisecond; threadCPU() < end; {
				spin(1 << 20) // mostly user time: few getrusage calls
			}
			time.Sleep(time.Millisecond)
		}
	case "switch":
		for i := 0; i < 20; i++ {
			time.Sleep(time.Millisecond)
		}
	case "misc":
		dir := arg
		syscall.Chdir(dir)
		syscall.Mkdir("sub", 0o755)
		fd, _ := syscall.Open("sub/a.txt", syscall.O_CREAT|syscall.O_RDWR, 0o600)
		syscall.Pwrite(fd, []byte("abcdef"), 2)
		buf := make([]byte, 8)
		syscall.Pread(fd, buf, 0)
		syscall.Seek(fd, 1, 0)
		unix.Writev(fd, [][]byte{[]byte("xy"), []byte("z")})
		d, _ := syscall.Dup(fd)
		syscall.Close(d)
		syscall.Rename("sub/a.txt", "sub/b.txt")
		syscall.Symlink("b.txt", "sub/l")
		syscall.Link("sub/b.txt", "sub/h")
		syscall.Unlink("sub/h")
		syscall.Close(fd)
		var p [2]int
		syscall.Pipe2(p[:], syscall.O_CLOEXEC)
		syscall.Close(p[0])
		syscall.Close(p[1])
		sp, _ := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
		syscall.Close(sp[0])
		syscall.Close(sp[1])
		m, _ := syscall.Mmap(-1, 0, 8192, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		syscall.Mprotect(m, syscall.PROT_READ)
		syscall.Munmap(m)
		ts := syscall.Timespec{Nsec: 1000}
		syscall.Nanosleep(&ts, nil)
		syscall.Rmdir("nonexistent-dir")
	case "loop":
		for i := 0; i < 200000; i++ {
			syscall.Getppid()
		}
	}
	return 0
}

func unsafePointer(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }

// startHelperB prepares a scenario child that blocks until release is
// called; the caller starts it.
func startHelperB(t testing.TB, sc, arg string) (cmd *exec.Cmd, release func()) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+sc, helperEnv+"_ARG="+arg)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	return cmd, func() { in.Write([]byte{1}); in.Close() }
}

var spinSink uint64

// spin burns CPU in user space for n rounds.
func spin(n int) {
	x := spinSink
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	spinSink = x
}

// threadCPU is the CPU time the calling thread has used.
func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startHelper starts a scenario child, blocked until release is called.
func startHelper(t *testing.T, sc, arg string) (cmd *exec.Cmd, release func()) {
	t.Helper()
	cmd, release = startHelperB(t, sc, arg)
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	return cmd, release
}

// collect reads events until the child has exited and its procexit (or a
// quiet period after the exit) was seen, keeping copies of its events.
func collect(t *testing.T, s *Source, cmd *exec.Cmd) []*event.Event {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	pid := int64(cmd.Process.Pid)
	var out []*event.Event
	exited := false
	var exitTS, lastTS uint64 // the helper's procexit, the newest event
	var quietSince time.Time
	// The helper's events are all in once it has exited and either the
	// source has nothing more (a filtered capture goes quiet), or the
	// stream has moved 100 ms of event time past the helper's procexit
	// (an unfiltered capture of a busy machine never goes quiet; per-CPU
	// buffers cannot hold back an older event that long).
	limit := time.Now().Add(2 * time.Minute)
	for time.Now().Before(limit) {
		ev, err := s.Next()
		if errors.Is(err, capture.ErrTimeout) {
			if exited {
				if quietSince.IsZero() {
					quietSince = time.Now()
				} else if time.Since(quietSince) > 300*time.Millisecond {
					return out
				}
			}
		} else if err != nil {
			t.Fatalf("Next: %v", err)
		} else {
			quietSince = time.Time{}
			out = append(out, ev.Clone())
			lastTS = max(lastTS, ev.TS)
			if ev.TID == pid && ev.Type.Name() == "procexit" {
				exitTS = ev.TS
			}
		}
		if !exited {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("helper failed: %v", err)
				}
				exited = true
			default:
			}
		}
		if exited && exitTS != 0 && lastTS > exitTS+uint64(100*time.Millisecond) {
			return out
		}
	}
	t.Fatalf("helper did not finish")
	return nil
}

func openFor(t *testing.T, opts Options) *Source {
	t.Helper()
	requireBPF(t)
	opts.NoSnapshot = true
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestVerifierLoadsEveryProgram(t *testing.T) {
	requireBPF(t)
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := loadSpec(Options{}.withDefaults(), ncpu, epochOffset())
	if err != nil {
		t.Fatal(err)
	}
	for name := range spec.Programs {
		t.Run(name, func(t *testing.T) {
			one := spec.Copy()
			for other := range one.Programs {
				if other != name {
					delete(one.Programs, other)
				}
			}
			coll, err := ebpf.NewCollection(one)
			if err != nil {
				var ve *ebpf.VerifierError
				if errors.As(err, &ve) {
					t.Fatalf("%s: %+v", name, ve)
				}
				t.Fatalf("%s: %v", name, err)
			}
			coll.Close()
		})
	}
}

// param returns parameter name of ev as a string: decimal for integers,
// text for strings, hex for everything else.
func param(ev *event.Event, name string) string {
	i := ev.ParamIndex(name)
	if i < 0 || !ev.HasParam(i) {
		return "<missing>"
	}
	pi := ev.Info().Params[i]
	switch pi.Type {
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		s, _ := ev.Str(i)
		return s
	case event.PTByteBuf:
		return string(ev.Param(i))
	case event.PTErrno, event.PTFD, event.PTPID, event.PTInt64, event.PTInt32, event.PTInt16, event.PTInt8:
		v, _ := ev.Int(i)
		return fmt.Sprint(v)
	case event.PTSockTuple, event.PTSockAddr:
		return fmt.Sprintf("%x", ev.Param(i))
	}
	v, ok := ev.Uint(i)
	if !ok {
		return fmt.Sprintf("%x", ev.Param(i))
	}
	return fmt.Sprint(v)
}

// find returns the index of the first event at or after from of type name
// and direction dir whose parameters match want.
func find(evs []*event.Event, from int, name, dir string, want map[string]string) int {
	for i := from; i < len(evs); i++ {
		ev := evs[i]
		if ev.Type.Name() != name || ev.Type.Dir() != dir {
			continue
		}
		ok := true
		for k, v := range want {
			if param(ev, k) != v {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func dump(evs []*event.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "%d %d %s %s", ev.TS, ev.TID, ev.Type.Dir(), ev.Type.Name())
		if info := ev.Info(); info != nil {
			for i, p := range info.Params {
				if i < ev.NParams {
					fmt.Fprintf(&b, " %s=%s", p.Name, param(ev, p.Name))
				}
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

type step struct {
	name, dir string
	want      map[string]string
}

// expectSeq checks that steps occur in order.
func expectSeq(t *testing.T, evs []*event.Event, steps []step) {
	t.Helper()
	at := 0
	for _, st := range steps {
		i := find(evs, at, st.name, st.dir, st.want)
		if i < 0 {
			t.Fatalf("no %s %s %v after event %d; events:\n%s", st.dir, st.name, st.want, at, dump(evs))
		}
		at = i + 1
	}
}

func TestFileSyscalls(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, SnapLen: 80})
	path := filepath.Join(t.TempDir(), "live-file.txt")
	cmd, release := startHelper(t, "file", path)
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	for i := 1; i < len(evs); i++ {
		if evs[i].TS < evs[i-1].TS {
			t.Fatalf("events out of order at %d: %d < %d", i, evs[i].TS, evs[i-1].TS)
		}
	}
	wr := fmt.Sprint(OpenFlagsForTest(syscall.O_CREAT | syscall.O_WRONLY | syscall.O_TRUNC))
	expectSeq(t, evs, []step{
		{"openat", ">", map[string]string{"dirfd": "-100", "name": path, "flags": wr, "mode": "420"}},
		{"openat", "<", map[string]string{"dirfd": "-100", "name": path, "flags": wr, "mode": "420"}},
		{"write", ">", map[string]string{"size": "12"}},
		{"write", "<", map[string]string{"res": "12", "data": "hello ferret"}},
		{"close", ">", nil},
		{"close", "<", map[string]string{"res": "0"}},
		{"openat", "<", map[string]string{"name": path, "flags": "1", "mode": "0"}},
		{"read", ">", map[string]string{"size": "64"}},
		{"read", "<", map[string]string{"res": "12", "data": "hello ferret"}},
		{"close", "<", map[string]string{"res": "0"}},
		{"openat", "<", map[string]string{"fd": "-2", "name": "/nonexistent-ferret/x"}},
	})
	// The fd returned by the first openat is the one written and closed.
	i := find(evs, 0, "openat", "<", map[string]string{"name": path})
	fd := param(evs[i], "fd")
	if find(evs, i, "write", ">", map[string]string{"fd": fd}) < 0 || find(evs, i, "close", ">", map[string]string{"fd": fd}) < 0 {
		t.Fatalf("fd %s not used by write/close:\n%s", fd, dump(evs))
	}
	if evs[i].TID != int64(cmd.Process.Pid) && evs[i].TID <= 0 {
		t.Fatalf("bad tid %d", evs[i].TID)
	}
}

// OpenFlagsForTest converts native open flags the way the probe does.
func OpenFlagsForTest(f int) uint32 {
	var r uint32 = [...]uint32{1, 2, 3, 0}[f&3]
	if f&syscall.O_CREAT != 0 {
		r |= 4
	}
	if f&syscall.O_TRUNC != 0 {
		r |= 0x100
	}
	if f&syscall.O_CLOEXEC != 0 {
		r |= 0x1000
	}
	return r
}

func tuple4(sip net.IP, sport int, dip net.IP, dport int) string {
	var b bytes.Buffer
	b.WriteByte(2)
	b.Write(sip.To4())
	b.Write([]byte{byte(sport), byte(sport >> 8)})
	b.Write(dip.To4())
	b.Write([]byte{byte(dport), byte(dport >> 8)})
	return fmt.Sprintf("%x", b.Bytes())
}

func TestTCPLoopback(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, SnapLen: 80})
	cmd, release := startHelper(t, "tcp", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	bi := find(evs, 0, "bind", "<", map[string]string{"res": "0"})
	if bi < 0 {
		t.Fatalf("no bind exit:\n%s", dump(evs))
	}
	ci := find(evs, 0, "connect", "<", map[string]string{"res": "0"})
	if ci < 0 {
		t.Fatalf("no connect exit:\n%s", dump(evs))
	}
	tup := evs[ci].Param(1)
	if len(tup) != 13 || tup[0] != 2 {
		t.Fatalf("connect tuple %x", tup)
	}
	cport := int(tup[5]) | int(tup[6])<<8
	sport := int(tup[11]) | int(tup[12])<<8
	lo := net.IPv4(127, 0, 0, 1)
	out := tuple4(lo, cport, lo, sport)
	in := tuple4(lo, cport, lo, sport) // inbound: source = peer (the client)
	ce := find(evs, 0, "connect", ">", nil)
	if ce < 0 || param(evs[ce], "addr") != fmt.Sprintf("%x", append([]byte{2, 127, 0, 0, 1}, byte(sport), byte(sport>>8))) {
		t.Fatalf("connect enter addr wrong:\n%s", dump(evs))
	}
	expectSeq(t, evs, []step{
		{"connect", "<", map[string]string{"res": "0", "tuple": out}},
		{"accept", "<", map[string]string{"tuple": in, "queuelen": "2", "queuemax": "4", "queuepct": "50"}},
		{"sendto", ">", map[string]string{"size": "4", "tuple": out}},
		{"sendto", "<", map[string]string{"res": "4", "data": "ping"}},
		{"recvfrom", ">", map[string]string{"size": "16"}},
		{"recvfrom", "<", map[string]string{"res": "4", "data": "ping", "tuple": in}},
	})
}

func TestForkExecFollowed(t *testing.T) {
	s := openFor(t, Options{FollowChildren: true, FilterPIDs: true})
	cmd, release := startHelper(t, "exec", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	parent := fmt.Sprint(cmd.Process.Pid)
	ei := find(evs, 0, "execve", "<", map[string]string{"res": "0", "exe": "/bin/echo"})
	if ei < 0 {
		t.Fatalf("no execve exit of /bin/echo:\n%s", dump(evs))
	}
	child := param(evs[ei], "tid")
	var inParent, inChild bool
	for _, ev := range evs {
		switch ev.Type.Name() {
		case "clone", "clone3", "vfork", "fork":
		default:
			continue
		}
		if ev.Type.Dir() != "<" {
			continue
		}
		if ev.NParams != 20 {
			t.Fatalf("%s exit has %d params", ev.Type.Name(), ev.NParams)
		}
		if param(ev, "res") == child && param(ev, "pid") == parent {
			inParent = true
		}
		if param(ev, "res") == "0" && param(ev, "tid") == child && param(ev, "pid") == child {
			inChild = true
		}
	}
	if !inParent || !inChild {
		t.Fatalf("clone exits for child %s: in parent %v, in child %v:\n%s", child, inParent, inChild, dump(evs))
	}
	if evs[ei].NParams != 20 || param(evs[ei], "pid") != child {
		t.Fatalf("execve exit: %d params, pid %s (want %s)", evs[ei].NParams, param(evs[ei], "pid"), child)
	}
}

func TestLossAccounting(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, BufferSize: 64 << 10, Syscalls: []string{"getppid"}})
	cmd, release := startHelper(t, "loop", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	// Do not read while the helper runs: the small ring must overflow.
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	var got uint64
	for {
		ev, err := s.Next()
		if errors.Is(err, capture.ErrTimeout) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == event.GenericE || ev.Type == event.GenericX {
			got++
		}
	}
	st := s.Stats()
	lost := st.Drops["ring buffer full"]
	t.Logf("received %d getppid events, %d lost, by cpu %v", got, lost, st.DropsByCPU)
	if lost == 0 {
		t.Fatalf("expected losses with a 64 KiB ring, got none (%d events)", got)
	}
	if got+lost < 400000 {
		t.Fatalf("received %d + lost %d < 400000 generated", got, lost)
	}
	var byCPU uint64
	for _, v := range st.DropsByCPU {
		byCPU += v
	}
	if byCPU < lost {
		t.Fatalf("per-CPU drops %d < total %d", byCPU, lost)
	}
}

func TestSnapshotHasOpenFDs(t *testing.T) {
	requireBPF(t)
	path := filepath.Join(t.TempDir(), "before-capture.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Open(Options{FilterPIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap := s.Snapshot()
	found := false
	for _, th := range snap.Threads {
		if th.TID != int64(os.Getpid()) {
			continue
		}
		for _, fd := range th.FDs {
			if fd.Num == int64(f.Fd()) && fd.Name == path {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("fd %d (%s) opened before the capture is not in the snapshot", f.Fd(), path)
	}
	if snap.Machine.NumCPUs == 0 || len(snap.Users) == 0 {
		t.Fatalf("machine %+v, %d users", snap.Machine, len(snap.Users))
	}
}

func TestCommFilter(t *testing.T) {
	s := openFor(t, Options{Comms: []string{"live.test"}, Syscalls: []string{"openat"}})
	path := filepath.Join(t.TempDir(), "comm.txt")
	cmd, release := startHelper(t, "file", path)
	release()
	evs := collect(t, s, cmd)
	if find(evs, 0, "openat", "<", map[string]string{"name": path}) < 0 {
		t.Fatalf("helper's openat not captured:\n%s", dump(evs))
	}
	for _, ev := range evs {
		if ev.Type.Name() != "openat" && ev.Type.Name() != "procexit" {
			t.Fatalf("event %s passed the syscall filter", ev.Type.Name())
		}
	}
}

// TestCommFilterKeepsState checks that a name filter with CommsKeepState
// drops the helper's plain I/O but keeps the events that build its fd table.
func TestCommFilterKeepsState(t *testing.T) {
	s := openFor(t, Options{Comms: []string{"no-such-comm"}, CommsKeepState: true})
	path := filepath.Join(t.TempDir(), "keep.txt")
	cmd, release := startHelper(t, "file", path)
	release()
	evs := collect(t, s, cmd)
	if find(evs, 0, "openat", "<", map[string]string{"name": path}) < 0 {
		t.Fatalf("state-changing openat of another process dropped:\n%s", dump(evs))
	}
	for _, ev := range evs {
		if n := ev.Type.Name(); n == "read" || n == "write" {
			t.Fatalf("%s of a process outside the name filter passed:\n%s", n, dump(evs))
		}
	}
}

func TestKillAndSignalDelivery(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true})
	cmd, release := startHelper(t, "signal", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	pid := fmt.Sprint(cmd.Process.Pid)
	// The kill's exit and the delivery may be recorded on different CPUs:
	// both must follow the kill's entry, in either order.
	at := find(evs, 0, "kill", ">", map[string]string{"pid": pid, "sig": "10"})
	if at < 0 {
		t.Fatalf("no kill entry:\n%s", dump(evs))
	}
	if find(evs, at+1, "kill", "<", map[string]string{"res": "0"}) < 0 {
		t.Fatalf("no kill exit after its entry:\n%s", dump(evs))
	}
	if find(evs, at+1, "signaldeliver", ">", map[string]string{"spid": pid, "sig": "10"}) < 0 {
		t.Fatalf("no signal delivery after the kill:\n%s", dump(evs))
	}
}

func TestDualStackTupleIsIPv4(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, Syscalls: []string{"accept", "accept4"}})
	cmd, release := startHelper(t, "tcp6mapped", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	i := find(evs, 0, "accept", "<", nil)
	for ; i >= 0; i = find(evs, i+1, "accept", "<", nil) {
		if fd, _ := evs[i].Int(0); fd >= 0 {
			break
		}
	}
	if i < 0 {
		t.Fatalf("no successful accept:\n%s", dump(evs))
	}
	if tup := evs[i].Param(1); len(tup) != 13 || tup[0] != 2 || tup[1] != 127 {
		t.Fatalf("accept tuple on a dual-stack socket: %x", tup)
	}
}

func TestSchedSwitch(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, SchedSwitch: true, EventTypes: []event.Type{event.SchedSwitch}})
	cmd, release := startHelper(t, "switch", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	n, withVM := 0, 0
	for _, ev := range evs {
		if ev.Type == event.SchedSwitch {
			n++
			if ev.NParams != 6 {
				t.Fatalf("switch has %d params", ev.NParams)
			}
			// vm_size of the process switched out (0 once it has exited)
			if v, ok := ev.Uint(3); ok && v > 0 {
				withVM++
			}
		} else if ev.Type != event.ProcExit1E {
			t.Fatalf("unexpected %s with only switch kept", ev.Type.Name())
		}
	}
	if n < 10 {
		t.Fatalf("%d switch events for 20 sleeps", n)
	}
	if withVM < n/2 {
		t.Fatalf("only %d of %d switch events carry the process's vm_size", withVM, n)
	}
}

// TestProcInfo: a thread that burns 2.5 s of CPU, leaving its CPU every
// 100 ms of it, gets procinfo events at least a second apart whose user
// and system ticks grow by what it used between them.
func TestProcInfo(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, ProcInfo: true, EventTypes: []event.Type{event.ProcInfoE}})
	cmd, release := startHelper(t, "burn", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	pid := int64(cmd.Process.Pid)
	var infos []*event.Event
	for _, ev := range evs {
		switch {
		case ev.Type == event.ProcInfoE && ev.TID == pid:
			infos = append(infos, ev)
		case ev.Type == event.ProcInfoE, ev.Type == event.ProcExit1E:
		default:
			t.Fatalf("unexpected %s with only procinfo kept", ev.Type.Name())
		}
	}
	// The burning slices end at least every 100 ms of CPU: at least one
	// event in each second of the 2.5 s, the first at the first slice.
	if len(infos) < 2 {
		t.Fatalf("%d procinfo events of the burning thread", len(infos))
	}
	ticks := func(ev *event.Event) (u, s uint64) {
		u, _ = ev.Uint(0)
		s, _ = ev.Uint(1)
		return u, s
	}
	var pu, ps uint64
	for i, ev := range infos {
		u, s := ticks(ev)
		if ev.NParams != 2 || u < pu || s < ps {
			t.Fatalf("procinfo %d: %d params, user %d (before %d), system %d (before %d)", i, ev.NParams, u, pu, s, ps)
		}
		if i > 0 && ev.TS-infos[i-1].TS < uint64(time.Second) {
			t.Fatalf("procinfo %d only %v after the previous one", i, time.Duration(ev.TS-infos[i-1].TS))
		}
		pu, ps = u, s
	}
	// Between the first event (within the first 100 ms slice) and the
	// last (within a second of CPU of the end) the thread used at least
	// 2.5 - 0.1 - 1 s; in all, at most 2.5 s and a slice's overshoot
	// (ticks of 10 ms).
	u0, s0 := ticks(infos[0])
	used := pu + ps - u0 - s0
	if used < 130 || pu+ps > 270 {
		t.Fatalf("procinfo: %d ticks used between the first and the last event, %d in all (user %d, system %d)", used, pu+ps, pu, ps)
	}
	if pu < ps {
		t.Fatalf("a thread spinning in user space shows more system (%d) than user ticks (%d)", ps, pu)
	}
}

func TestCloseDuringNext(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true})
	done := make(chan error, 1)
	go func() {
		for {
			_, err := s.Next()
			if errors.Is(err, capture.ErrTimeout) {
				continue
			}
			done <- err
			return
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("Next after Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next did not return after Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestNextDoesNotAllocatePerEvent reads a busy helper's events and checks
// that the reader's allocations do not grow with the number of events.
func TestNextDoesNotAllocatePerEvent(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, Syscalls: []string{"getppid"}})
	cmd, release := startHelper(t, "loop", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	var before, after runtime.MemStats
	// Warm up the buffer pool, then measure.
	got := 0
	release()
	for got < 1000 {
		if _, err := s.Next(); err == nil {
			got++
		} else if !errors.Is(err, capture.ErrTimeout) {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&before)
	got = 0
	for got < 100000 {
		_, err := s.Next()
		if err == nil {
			got++
			continue
		}
		if !errors.Is(err, capture.ErrTimeout) {
			t.Fatal(err)
		}
		select {
		case <-done:
			got = 100000 + got
		default:
		}
	}
	runtime.ReadMemStats(&after)
	n := got
	if n > 100000 {
		n -= 100000
	}
	allocs := after.Mallocs - before.Mallocs
	t.Logf("%d allocations for %d events", allocs, n)
	if n > 10000 && float64(allocs)/float64(n) > 0.01 {
		t.Fatalf("%d allocations for %d events", allocs, n)
	}
	<-done
}

func TestUDPSendmsgTuple(t *testing.T) {
	s := openFor(t, Options{FilterPIDs: true, Syscalls: []string{"sendmsg", "recvmsg", "bind"}})
	cmd, release := startHelper(t, "udp", "")
	if err := s.AddPID(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	release()
	evs := collect(t, s, cmd)
	si := find(evs, 0, "sendmsg", ">", map[string]string{"size": "5"})
	ri := find(evs, 0, "recvmsg", "<", map[string]string{"res": "5", "data": "dgram"})
	if si < 0 || ri < 0 {
		t.Fatalf("sendmsg/recvmsg missing:\n%s", dump(evs))
	}
	st, rt := evs[si].Param(2), evs[ri].Param(3)
	if len(st) != 13 || len(rt) != 13 || st[7] != 127 || rt[1] != 127 {
		t.Fatalf("tuples: sendmsg %x recvmsg %x", st, rt)
	}
	// The receiver's port is the destination of the send and of the receive.
	if st[11] != rt[11] || st[12] != rt[12] {
		t.Fatalf("tuples disagree: sendmsg %x recvmsg %x", st, rt)
	}
}

// TestSimpleEventsNeedOnlyScalars checks that the events the probe encodes
// with emit_simple (which leaves other parameters empty) have only
// parameters put_lean handles: scalars converted by cvS32 at most.
func TestSimpleEventsNeedOnlyScalars(t *testing.T) {
	simple := map[uint8]bool{srcArg: true, srcRet: true, srcConst: true, srcSCCode: true, srcNativeID: true, srcExit: true}
	for _, typ := range []event.Type{event.ProcExit1E, event.SignalDelivE, event.ProcInfoE} {
		ps, ok := specs[typ]
		if !ok {
			t.Fatalf("no descriptor for %s", typ.Info().Name)
		}
		for i, p := range ps {
			if !simple[p.src] {
				t.Errorf("%s parameter %d has source %d, which emit_simple does not encode", typ.Info().Name, i, p.src)
			}
			if p.src != srcExit && p.conv != cvNone && p.conv != cvS32 {
				t.Errorf("%s parameter %d has conversion %d, which emit_simple does not apply", typ.Info().Name, i, p.conv)
			}
		}
	}
}
