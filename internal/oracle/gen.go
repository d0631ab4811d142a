// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// Capture is one generated capture: the machine state at its start, its
// events and the block layout it is written with.
type Capture struct {
	Seed   uint64
	Snap   *event.Snapshot
	Events []*event.Event
	Layout Layout
}

// gen holds the generator's running state for one capture.
type gen struct {
	r      *rand.Rand
	g      *synth.Gen
	snap   *event.Snapshot
	tids   []int64           // threads known to the snapshot or created so far
	fds    map[int64][]int64 // per process: fds in use (for realistic fd values)
	pids   map[int64]int64   // tid -> pid
	next   int64             // next fresh tid
	layout Layout
}

// Generate builds the capture of seed. The same seed always gives the same
// capture.
func Generate(seed uint64) *Capture {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	st := &gen{r: r, fds: map[int64][]int64{}, pids: map[int64]int64{}, next: 2000 + int64(r.IntN(30000))}
	st.layout = randomLayout(r)
	st.snap = st.snapshot()
	ts := uint64(1_600_000_000_000_000_000) + uint64(r.Int64N(1<<52))
	st.g = &synth.Gen{TS: ts, Step: 1 + uint64(r.IntN(2_000_000))}
	n := 5 + r.IntN(60)
	if r.IntN(8) == 0 {
		st.containers(true)
	}
	for i := 0; i < n; i++ {
		st.g.CPU = uint16(r.IntN(int(st.snap.Machine.NumCPUs)))
		switch k := r.IntN(100); {
		case k < 22:
			st.fileStory()
		case k < 44:
			st.sockStory()
		case k < 58:
			st.procStory()
		case k < 62:
			st.containers(false)
		case k < 66:
			st.g.Switch(st.tid(), st.tid())
		default:
			st.randomEvent()
		}
		if r.IntN(10) == 0 {
			st.g.TS += uint64(r.Int64N(3_000_000_000))
		}
	}
	return &Capture{Seed: seed, Snap: st.snap, Events: st.g.Events(), Layout: st.layout}
}

func (s *gen) pick(list ...string) string { return list[s.r.IntN(len(list))] }

// tid returns a thread for the next event: mostly known ones, sometimes
// one the capture has never seen.
func (s *gen) tid() int64 {
	if len(s.tids) == 0 || s.r.IntN(25) == 0 {
		s.next++
		return s.next
	}
	return s.tids[s.r.IntN(len(s.tids))]
}

func (s *gen) fd(tid int64) int64 {
	l := s.fds[s.pids[tid]]
	if len(l) == 0 || s.r.IntN(8) == 0 {
		return int64(s.r.IntN(12))
	}
	return l[s.r.IntN(len(l))]
}

func (s *gen) newFD(tid int64) int64 {
	pid := s.pids[tid]
	fd := int64(3 + s.r.IntN(40))
	s.fds[pid] = append(s.fds[pid], fd)
	return fd
}

var (
	names   = []string{"server", "worker", "curl", "python3", "sh", "nginx", "sshd", "a", "very-long-command-name", "x\x01y", "\xff\xfe"}
	dirs    = []string{"/", "/tmp/", "/home/alice/", "/opt/app/", "", "/var/lib/../log/", "/a//b/"}
	paths   = []string{"/etc/passwd", "/etc/hosts", "data.txt", "../up.txt", "./here", "sub/dir/file", "/tmp//double", "/var/log/syslog", "", "<NA>", "/dev/null", "rel", "/a/./b/../c", "\x01ctl", "bad\xffutf8", "/" + strings.Repeat("p", 300)}
	argsets = [][]string{nil, {"-p", "8080"}, {""}, {"a b", "c"}, {strings.Repeat("z", 200)}, {"--flag=\x02"}}
)

func (s *gen) snapshot() *event.Snapshot {
	r := s.r
	snap := &event.Snapshot{
		Machine: event.Machine{NumCPUs: uint32(1 + r.IntN(8)), MemBytes: 8 << 30, MaxPID: 4194304, Hostname: s.pick("host", "h", "ferret-oracle")},
		Users: []event.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/bash"},
			{UID: 1000, GID: 1000, Name: "alice", HomeDir: "/home/alice", Shell: "/bin/zsh"}},
		Groups: []event.Group{{GID: 0, Name: "root"}, {GID: 1000, Name: "alice"}},
	}
	if r.IntN(4) != 0 {
		snap.Interfaces = []event.Interface{
			{Name: "lo", Addr: []byte{127, 0, 0, 1}, Netmask: []byte{255, 0, 0, 0}, Broadcast: []byte{127, 255, 255, 255}},
			{Name: "eth0", Addr: []byte{10, 0, 0, 5}, Netmask: []byte{255, 255, 255, 0}, Broadcast: []byte{10, 0, 0, 255}, LinkSpeed: 1000},
			{Name: "eth0", IPv6: true, Addr: netip.MustParseAddr("2001:db8::5").AsSlice(), Netmask: make([]byte, 16), Broadcast: make([]byte, 16)},
		}
	}
	add := func(t event.Thread) {
		snap.Threads = append(snap.Threads, t)
		s.tids = append(s.tids, t.TID)
		s.pids[t.TID] = t.PID
	}
	add(event.Thread{TID: 1, PID: 1, Comm: "init", Exe: "/sbin/init", ExePath: "/sbin/init", Cwd: "/", FDLimit: 1024, VTID: 1, VPID: 1, LoginUID: -1})
	nproc := 1 + r.IntN(5)
	for i := 0; i < nproc; i++ {
		pid := int64(100 + r.IntN(5000))
		if _, dup := s.pids[pid]; dup {
			continue
		}
		comm := names[r.IntN(len(names))]
		ptid := int64(1)
		if r.IntN(3) == 0 && len(s.tids) > 1 {
			ptid = s.tids[r.IntN(len(s.tids))]
		} else if r.IntN(6) == 0 {
			ptid = int64(r.IntN(90000)) // parent not in the table
		}
		uid := []uint32{0, 1000, 4242}[r.IntN(3)]
		vpid := pid
		if r.IntN(4) == 0 {
			vpid = int64(1 + r.IntN(20)) // inside a pid namespace
		}
		t := event.Thread{TID: pid, PID: pid, PTID: ptid, SID: pid, VPGID: vpid, Comm: comm, Exe: comm, ExePath: "/usr/bin/" + comm,
			Args: argsets[r.IntN(len(argsets))], Cwd: dirs[r.IntN(len(dirs))], FDLimit: int64(r.IntN(70000)), UID: uid, GID: uid,
			VMSizeKB: uint32(r.IntN(100000)), VMRSSKB: uint32(r.IntN(10000)), VTID: vpid, VPID: vpid, Root: "/", LoginUID: int32(uid),
			Env: []string{"HOME=/root", "PATH=/bin"}}
		if r.IntN(5) == 0 {
			t.Cgroups = []string{"cpu=/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "memory=/"}
		}
		t.FDs = s.snapFDs(pid)
		nthr := r.IntN(3)
		threads := []event.Thread{t}
		for k := 0; k < nthr; k++ {
			th := t
			th.TID = pid + int64(k+1)
			th.VTID = vpid + int64(k+1)
			th.FDs = nil
			if _, dup := s.pids[th.TID]; dup {
				continue
			}
			threads = append(threads, th)
		}
		if r.IntN(2) == 0 { // threads listed before their main thread
			for a, b := 0, len(threads)-1; a < b; a, b = a+1, b-1 {
				threads[a], threads[b] = threads[b], threads[a]
			}
		}
		for _, th := range threads {
			add(th)
		}
	}
	if r.IntN(2) == 0 { // parents listed after children
		r.Shuffle(len(snap.Threads), func(i, j int) { snap.Threads[i], snap.Threads[j] = snap.Threads[j], snap.Threads[i] })
	}
	return snap
}

func (s *gen) snapFDs(pid int64) []event.FD {
	r := s.r
	var out []event.FD
	n := r.IntN(7)
	for i := 0; i < n; i++ {
		num := int64(i)
		if i > 2 {
			num = int64(3 + r.IntN(30))
		}
		dup := false
		for _, f := range out {
			dup = dup || f.Num == num
		}
		if dup {
			continue
		}
		var fd event.FD
		switch r.IntN(10) {
		case 0:
			fd = event.FD{Type: event.FDFileV2, Name: paths[r.IntN(len(paths))], OpenFlags: uint32(r.IntN(0x2000)), Dev: uint32(r.IntN(300))}
		case 1:
			fd = event.FD{Type: event.FDFile, Name: "/var/log/app.log"}
		case 2:
			fd = event.FD{Type: event.FDIPv4Sock, SrcIP: []byte{10, 0, 0, 5}, DstIP: []byte{93, 184, 216, 34}, SPort: 40000, DPort: 443, L4Proto: event.L4TCP}
		case 3:
			fd = event.FD{Type: event.FDIPv4ServSock, SrcIP: []byte{0, 0, 0, 0}, SPort: 8080, L4Proto: event.L4TCP}
		case 4:
			fd = event.FD{Type: event.FDIPv6Sock, SrcIP: netip.MustParseAddr("::ffff:10.0.0.5").AsSlice(), DstIP: netip.MustParseAddr("2001:db8::1").AsSlice(), SPort: 5000, DPort: 53, L4Proto: event.L4UDP}
		case 5:
			fd = event.FD{Type: event.FDUnixSock, UnixSrc: 0xffff8880aaaa0000 + uint64(r.IntN(100)), UnixDst: uint64(r.IntN(2)) * 0xffff8880bbbb0000, Name: s.pick("/run/x.sock", "", "@abstract")}
		case 6:
			fd = event.FD{Type: event.FDFIFO, Ino: uint64(r.IntN(99999)), Name: "pipe:[77]"}
		case 7:
			fd = event.FD{Type: event.FDDirectory, Name: s.pick("/opt", "/tmp/", "/")}
		case 8:
			fd = event.FD{Type: event.FDType(9 + r.IntN(7)), Name: s.pick("", "anon_inode:[eventpoll]", "inotify")}
		default:
			fd = event.FD{Type: event.FDIPv6ServSock, SrcIP: make([]byte, 16), SPort: 9090, L4Proto: event.L4UDP}
		}
		fd.Num = num
		out = append(out, fd)
		s.fds[pid] = append(s.fds[pid], num)
	}
	return out
}

func errnoRes(r *rand.Rand) int64 {
	return []int64{-2, -13, -11, -115, -9, -1, -4095, -9999}[r.IntN(8)]
}

func (s *gen) fileStory() {
	r, g := s.r, s.g
	tid := s.tid()
	path := paths[r.IntN(len(paths))]
	flags := []uint32{synth.ORdonly, synth.OWronly | synth.OCreat | synth.OTrunc, synth.ORdwr | synth.OAppend, synth.ORdonly | synth.OClo, 0x400 | synth.ORdonly, 0xF0000}[r.IntN(6)]
	var fd int64
	if r.IntN(6) == 0 {
		fd = errnoRes(r)
	} else {
		fd = s.newFD(tid)
	}
	switch r.IntN(4) {
	case 0:
		g.Open(tid, path, flags, 0o644, fd)
	case 1:
		g.OpenAt(tid, synth.AtFDCWD, path, flags, 0o600, fd)
	case 2:
		g.OpenAt(tid, s.fd(tid), path, flags, 0, fd)
	default:
		e, x := synth.Current("openat2")
		g.Emit(e, tid, synth.AtFDCWD, path, flags, uint32(0o644), uint32(0))
		g.Emit(x, tid, fd, synth.AtFDCWD, path, flags, uint32(0o644), uint32(0))
	}
	if fd < 0 {
		return
	}
	for i := r.IntN(4); i > 0; i-- {
		data := []byte(s.pick("hello\n", "", "\x00\x01\x02binary\xff", strings.Repeat("long line ", 40), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		if r.IntN(2) == 0 {
			g.Read(tid, fd, 4096, data)
		} else {
			g.Write(tid, fd, data)
		}
	}
	if r.IntN(4) == 0 {
		g.Chdir(tid, s.pick("/tmp", "sub", "..", "/"), 0)
	}
	if r.IntN(3) != 0 {
		g.Close(tid, fd, []int64{0, 0, -9}[r.IntN(3)])
	}
}

var (
	addr4   = []string{"10.0.0.5", "10.0.0.9", "93.184.216.34", "127.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.1.20"}
	addr6   = []string{"2001:db8::5", "2001:db8::1", "::1", "::", "::ffff:10.0.0.9", "::ffff:127.0.0.1", "fe80::1"}
	unixSoc = []string{"/run/x.sock", "/tmp/.X11-unix/X0", "", "\x00abstract"}
)

func (s *gen) ap(v6 bool) netip.AddrPort {
	l := addr4
	if v6 {
		l = addr6
	}
	port := []uint16{80, 443, 53, 8080, 22, 0, 65535, uint16(1024 + s.r.IntN(60000))}[s.r.IntN(8)]
	return netip.AddrPortFrom(netip.MustParseAddr(l[s.r.IntN(len(l))]), port)
}

func (s *gen) sockStory() {
	r, g := s.r, s.g
	tid := s.tid()
	fam := []uint32{synth.AFInet, synth.AFInet6, synth.AFUnix, 16, 17}[r.IntN(5)]
	typ := []uint32{1, 2, 3, 0x80801}[r.IntN(4)] // stream, dgram, raw, stream|nonblock|cloexec
	fd := s.newFD(tid)
	if r.IntN(10) == 0 {
		g.Socket(tid, fam, typ, 0, errnoRes(r))
		return
	}
	g.Socket(tid, fam, typ, uint32(r.IntN(3)*6), fd)
	v6 := fam == synth.AFInet6
	if fam == synth.AFUnix {
		path := unixSoc[r.IntN(len(unixSoc))]
		res := int64(0)
		if r.IntN(4) == 0 {
			res = errnoRes(r)
		}
		e, x := synth.Current("connect")
		g.Emit(e, tid, fd, synth.UnixAddr(path))
		g.Emit(x, tid, res, synth.UnixTuple(0xffff888000001000+uint64(r.IntN(50)), uint64(r.IntN(2))*0xffff888000002000, path))
		g.Write(tid, fd, []byte("unix data"))
		g.Read(tid, fd, 100, []byte("reply"))
		if r.IntN(2) == 0 {
			g.Close(tid, fd, 0)
		}
		return
	}
	if fam != synth.AFInet && fam != synth.AFInet6 {
		g.Write(tid, fd, []byte("raw"))
		return
	}
	local, remote := s.ap(v6), s.ap(v6)
	switch r.IntN(5) {
	case 0, 1: // client
		res := int64(0)
		if r.IntN(4) == 0 {
			res = []int64{-111, -115, -113, -110}[r.IntN(4)]
		}
		if r.IntN(5) == 0 {
			// tuple of the other family (mapped addresses)
			g.Syscall("connect", tid, []any{fd, synth.SockAddr(remote)}, []any{res, synth.Tuple(s.ap(!v6), s.ap(!v6))})
		} else {
			g.Connect(tid, fd, local, remote, res)
		}
		if res == 0 || res == -115 {
			g.Write(tid, fd, []byte("GET / HTTP/1.1\r\n\r\n"))
			g.Read(tid, fd, 4096, []byte("HTTP/1.1 200 OK\r\n"))
		}
	case 2: // server
		g.Bind(tid, fd, local, []int64{0, 0, -98}[r.IntN(3)])
		g.Listen(tid, fd, 128)
		for i := r.IntN(3); i >= 0; i-- {
			nfd := s.newFD(tid)
			if r.IntN(4) == 0 {
				e, x := synth.Current("accept")
				g.Emit(e, tid, int32(0))
				g.Emit(x, tid, errnoRes(r), []byte{}, uint8(0), uint32(0), uint32(128))
				continue
			}
			g.Accept(tid, nfd, remote, local)
			g.Read(tid, nfd, 100, []byte("req"))
			g.Write(tid, nfd, []byte("resp"))
			if r.IntN(2) == 0 {
				g.Close(tid, nfd, 0)
			}
		}
	case 3: // udp without connect
		g.SendTo(tid, fd, []byte("query"), local, remote)
		g.RecvFrom(tid, fd, []byte("answer"), remote, local)
		e, x := synth.Current("sendmsg")
		g.Emit(e, tid, fd, uint32(3), synth.Tuple(local, s.ap(v6)))
		g.Emit(x, tid, int64(3), "abc")
	default: // udp connect then io, address update from recvfrom
		g.Connect(tid, fd, local, remote, 0)
		g.SendTo(tid, fd, []byte("x"), local, remote)
		g.RecvFrom(tid, fd, []byte("y"), s.ap(v6), local)
	}
	if r.IntN(2) == 0 {
		g.Close(tid, fd, 0)
	}
}

func (s *gen) proc(pid, ptid int64) synth.Proc {
	comm := names[s.r.IntN(len(names))]
	return synth.Proc{PID: pid, PTID: ptid, Exe: s.pick("/usr/bin/"+comm, comm, "./"+comm, ""), Args: argsets[s.r.IntN(len(argsets))],
		Cwd: dirs[s.r.IntN(len(dirs))], Comm: comm, Env: []string{"A=1"}, UID: []uint32{0, 1000, 31337}[s.r.IntN(3)], GID: 0}
}

func (s *gen) procStory() {
	r, g := s.r, s.g
	parent := s.tid()
	pp := s.pids[parent]
	if pp == 0 {
		pp = parent
	}
	s.next += 1 + int64(r.IntN(5))
	child := s.next
	thread := r.IntN(3) == 0
	var flags uint32
	pid := child
	if thread {
		flags = 0x2000 | 0x8000 | 0x800 | 0x1 // CLONE_THREAD|VM|SIGHAND|FILES
		pid = pp
	}
	p := s.proc(pid, parent)
	e, x := synth.Current("clone")
	fill := func(res, tid, vtid, vpid int64) []any {
		return []any{res, p.Exe, p.Args, tid, p.PID, p.PTID, p.Cwd, int64(1024), uint64(0), uint64(0),
			uint32(0), uint32(0), uint32(0), p.Comm, p.Cgroups, flags, p.UID, p.GID, vtid, vpid}
	}
	vtid, vpid := child, pid
	if r.IntN(4) == 0 { // inside a child pid namespace
		flags |= 0x40
		vtid, vpid = int64(1+r.IntN(9)), int64(1+r.IntN(9))
	}
	switch r.IntN(4) {
	case 0: // child's exit first
		g.Emit(x, child, fill(0, child, vtid, vpid)...)
		g.Emit(e, parent)
		g.Emit(x, parent, fill(child, parent, vtid, vpid)...)
	case 1: // failed clone
		g.Emit(e, parent)
		g.Emit(x, parent, fill(errnoRes(r), parent, parent, pp)...)
		return
	default:
		g.Emit(e, parent)
		g.Emit(x, parent, fill(child, parent, vtid, vpid)...)
		g.Emit(x, child, fill(0, child, vtid, vpid)...)
	}
	s.tids = append(s.tids, child)
	s.pids[child] = pid
	if !thread && r.IntN(2) == 0 {
		np := s.proc(pid, parent)
		res := int64(0)
		if r.IntN(5) == 0 {
			res = errnoRes(r)
		}
		g.Execve(child, np, res)
	}
	if r.IntN(3) == 0 {
		g.ProcExit(child, int64(r.IntN(3))<<8)
	}
}

func (s *gen) containers(state bool) {
	id := []string{"0123456789ab", "abcdef012345", "deadbeef0000"}[s.r.IntN(3)]
	name := s.pick("web", "db", "k8s_POD_x", "")
	js := fmt.Sprintf(`{"container":{"Mounts":[],"id":"%s","image":"busybox:latest","imagedigest":"","imageid":"%s","imagerepo":"busybox","imagetag":"latest","ip":"172.17.0.2","name":"%s","privileged":%v,"type":%d}}`,
		id, strings.Repeat(id[:4], 16), name, s.r.IntN(2) == 0, []int{0, 0, 4, 7}[s.r.IntN(4)])
	old := s.g.Flags
	if state {
		s.g.Flags = event.DumpStateOnly
	}
	if s.r.IntN(5) == 0 || s.layout.EV == 1 { // v1 records have u16 lengths only
		s.g.Emit(event.ContainerE, -1, js) // the older layout, u16 lengths
	} else {
		s.g.Container(js)
	}
	s.g.Flags = old
}

// randomEvent adds one event of any type of the table with edge values.
func (s *gen) randomEvent() {
	r := s.r
	var t event.Type
	for {
		t = event.Type(r.IntN(event.MaxType))
		info := t.Info()
		if t == event.ContainerE || t == event.Container2E || info.Name == "tracer" ||
			(s.layout.EV == 1 && t.LargePayload()) {
			// containers have their own story; sysdig 0.29.3 crashes on
			// tracer events whose tags and arguments are not paired
			continue
		}
		if info.Flags&event.FlagUnused != 0 && r.IntN(4) != 0 {
			continue
		}
		break
	}
	info := t.Info()
	tid := s.tid()
	if t == event.ProcInfoE && r.IntN(2) == 0 {
		tid = -1
	}
	n := len(info.Params)
	if n > 0 && s.layout.EV == 2 && r.IntN(20) == 0 {
		n = r.IntN(n) // an older layout: fewer parameters
	}
	s.g.Build(t, tid, func(b *event.Builder) {
		for i := 0; i < n; i++ {
			b.Raw(s.value(info.Params[i], tid))
		}
	})
	if !t.IsEnter() || r.IntN(2) == 0 {
		return
	}
	// usually followed by its exit
	x := t + 1
	xi := x.Info()
	if xi == nil || xi.Name != info.Name {
		return
	}
	s.g.Build(x, tid, func(b *event.Builder) {
		for i := range xi.Params {
			b.Raw(s.value(xi.Params[i], tid))
		}
	})
}

func le(v uint64, n int) []byte {
	out := binary.LittleEndian.AppendUint64(nil, v)
	return out[:n]
}

// value returns an encoded parameter of p's type, often an edge value.
func (s *gen) value(p event.ParamInfo, tid int64) []byte {
	r := s.r
	if r.IntN(40) == 0 {
		return nil // empty parameter
	}
	switch p.Type {
	case event.PTFD:
		return le(uint64([]int64{s.fd(tid), s.fd(tid), -1, -100, 0, 1 << 31}[r.IntN(6)]), 8)
	case event.PTPID:
		return le(uint64([]int64{s.tid(), s.tid(), 0, -1, 1, 99999}[r.IntN(6)]), 8)
	case event.PTErrno:
		return le(uint64([]int64{0, 0, 1, errnoRes(r), errnoRes(r), 1 << 40, 4096}[r.IntN(7)]), 8)
	case event.PTFlags8, event.PTFlags16, event.PTFlags32, event.PTMode:
		var v uint64
		for i := r.IntN(3); i > 0 && len(p.Flags) > 0; i-- {
			v |= uint64(p.Flags[r.IntN(len(p.Flags))].Value)
		}
		if r.IntN(4) == 0 {
			v |= 1 << uint(r.IntN(8*p.Type.Size()))
		}
		if p.Type == event.PTMode && r.IntN(2) == 0 {
			v = []uint64{0o755, 0o4755, 0o644, 0xffffffff}[r.IntN(4)]
		}
		return le(v, p.Type.Size())
	case event.PTUID, event.PTGID:
		return le([]uint64{0, 1000, 65534, 4294967295, 4242}[r.IntN(5)], 4)
	case event.PTSigType:
		return le(uint64([]int{0, 9, 15, 17, 64, 200}[r.IntN(6)]), 1)
	case event.PTRelTime, event.PTAbsTime:
		return le([]uint64{0, 1500, 2_000_000, 3_500_000_000, 1<<63 + 7, math.MaxUint64}[r.IntN(6)], 8)
	case event.PTDouble:
		return le(math.Float64bits([]float64{0, 1.5, -2.25, 1e300}[r.IntN(4)]), 8)
	case event.PTSyscallID:
		return le(uint64(r.IntN(event.NumSyscallCodes+5)), 2)
	case event.PTSockFamily:
		return le(uint64([]int{1, 2, 10, 16, 0, 99}[r.IntN(6)]), 1)
	case event.PTL4Proto:
		return le(uint64(r.IntN(7)), 1)
	case event.PTBool:
		return le(uint64(r.IntN(3)), 4)
	case event.PTIPv4Addr:
		return []byte{10, 0, 0, byte(r.IntN(256))}
	case event.PTIPv6Addr:
		return netip.MustParseAddr(addr6[r.IntN(len(addr6))]).AsSlice()
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		return append([]byte(paths[r.IntN(len(paths))]), 0)
	case event.PTByteBuf:
		return []byte(s.pick("", "data", "\x00\x01\x02\x03", "GET /index.html HTTP/1.1\r\n", strings.Repeat("B", 1000), "caf\xc3\xa9 \xff"))
	case event.PTCharBufArray:
		return []byte(synth.NulList(argsets[r.IntN(len(argsets))]...))
	case event.PTCharBufPairArray:
		return []byte(synth.NulList("k", "v", "key2", ""))
	case event.PTSockAddr:
		switch r.IntN(5) {
		case 0:
			return synth.SockAddr(s.ap(false))
		case 1:
			return synth.SockAddr(s.ap(true))
		case 2:
			return synth.UnixAddr(unixSoc[r.IntN(len(unixSoc))])
		case 3:
			return []byte{0}
		default:
			return []byte{17, 1, 2, 3}
		}
	case event.PTSockTuple:
		switch r.IntN(5) {
		case 0:
			return synth.Tuple(s.ap(false), s.ap(false))
		case 1:
			return synth.Tuple(s.ap(true), s.ap(true))
		case 2:
			return synth.UnixTuple(uint64(r.Uint32()), 0, unixSoc[r.IntN(len(unixSoc))])
		case 3:
			return nil
		default:
			return []byte{16, 0, 0, 0}
		}
	case event.PTFDList:
		n := r.IntN(4)
		fds := make([]int64, n)
		fl := make([]int16, n)
		for i := range fds {
			fds[i] = s.fd(tid)
			fl[i] = int16(r.IntN(0x400))
		}
		return synth.FDList(fds, fl)
	case event.PTDyn:
		if len(p.Dyn) == 0 {
			return []byte{0}
		}
		i := r.IntN(len(p.Dyn))
		return synth.Dyn(uint8(i), s.value(p.Dyn[i], tid))
	case event.PTSigSet:
		return le(uint64(r.Uint32()), 4)
	}
	if w := p.Type.Size(); w > 0 {
		edge := []uint64{0, 1, math.MaxUint64, 1 << (8*uint(w) - 1), 1<<(8*uint(w)-1) - 1, uint64(r.IntN(5000)), r.Uint64()}
		return le(edge[r.IntN(len(edge))], w)
	}
	return nil
}
