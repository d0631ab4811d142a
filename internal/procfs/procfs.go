// SPDX-License-Identifier: Apache-2.0

package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ferret-observability/ferret/internal/event"
)

// Options configure a scan.
type Options struct {
	// Proc is the proc file system root (default "/proc").
	Proc string
	// Etc is where passwd and group are read (default "/etc").
	Etc string
	// Sys is the sys file system root (default "/sys").
	Sys string
	// NoFDs skips file descriptor tables.
	NoFDs bool
	// NoEnv skips environments.
	NoEnv bool
}

func (o Options) withDefaults() Options {
	if o.Proc == "" {
		o.Proc = "/proc"
	}
	if o.Etc == "" {
		o.Etc = "/etc"
	}
	if o.Sys == "" {
		o.Sys = "/sys"
	}
	return o
}

// Scan reads the whole snapshot. Processes that exit during the scan are
// skipped; unreadable details are left empty.
func Scan(opts Options) (*event.Snapshot, error) {
	opts = opts.withDefaults()
	s := &event.Snapshot{Machine: readMachine(opts)}
	s.Interfaces = readInterfaces(opts)
	s.Users = readUsers(filepath.Join(opts.Etc, "passwd"))
	s.Groups = readGroups(filepath.Join(opts.Etc, "group"))
	threads, err := readThreads(opts)
	if err != nil {
		return nil, err
	}
	s.Threads = threads
	return s, nil
}

// ReadMachine returns the machine information of the running system.
func ReadMachine() event.Machine { return readMachine(Options{}.withDefaults()) }

func readMachine(opts Options) event.Machine {
	m := event.Machine{NumCPUs: uint32(runtime.NumCPU())}
	if h, err := os.Hostname(); err == nil {
		m.Hostname = h
	}
	if b, err := os.ReadFile(filepath.Join(opts.Proc, "meminfo")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(v)
				if len(f) > 0 {
					kb, _ := strconv.ParseUint(f[0], 10, 64)
					m.MemBytes = kb * 1024
				}
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(opts.Proc, "sys/kernel/pid_max")); err == nil {
		m.MaxPID, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	}
	if b, err := os.ReadFile(filepath.Join(opts.Proc, "stat")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "btime "); ok {
				s, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
				m.BootTime = s * 1e9
			}
		}
	}
	return m
}

func readInterfaces(opts Options) []event.Interface {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []event.Interface
	for _, ifc := range ifs {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		var speed uint64
		if b, err := os.ReadFile(filepath.Join(opts.Sys, "class/net", ifc.Name, "speed")); err == nil {
			if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
				speed = uint64(v)
			}
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			e := event.Interface{Name: ifc.Name, LinkSpeed: speed}
			if v4 := ipn.IP.To4(); v4 != nil {
				e.Addr = append([]byte(nil), v4...)
				mask := net.IP(ipn.Mask).To4()
				if mask == nil {
					mask = net.IPv4(255, 255, 255, 255).To4()
				}
				e.Netmask = append([]byte(nil), mask...)
				bc := make([]byte, 4)
				for i := range bc {
					bc[i] = v4[i] | ^mask[i]
				}
				e.Broadcast = bc
			} else {
				e.IPv6 = true
				e.Addr = append([]byte(nil), ipn.IP.To16()...)
				e.Netmask = append([]byte(nil), net.IP(ipn.Mask).To16()...)
				e.Broadcast = make([]byte, 16)
			}
			out = append(out, e)
		}
	}
	return out
}

func readUsers(path string) []event.User {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []event.User
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 7 || strings.HasPrefix(line, "#") {
			continue
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, event.User{UID: uint32(uid), GID: uint32(gid), Name: f[0], HomeDir: f[5], Shell: f[6]})
	}
	return out
}

func readGroups(path string) []event.Group {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []event.Group
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 || strings.HasPrefix(line, "#") {
			continue
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		out = append(out, event.Group{GID: uint32(gid), Name: f[0]})
	}
	return out
}

// numericDirs lists the numeric entries of dir, sorted.
// Threads lists the thread ids of process pid in ascending order (none
// when it does not exist).
func Threads(pid int) []int {
	var out []int
	for _, tid := range numericDirs("/proc/" + strconv.Itoa(pid) + "/task") {
		out = append(out, int(tid))
	}
	return out
}

func numericDirs(dir string) []int64 {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []int64
	for _, e := range ents {
		if n, err := strconv.ParseInt(e.Name(), 10, 64); err == nil {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func readThreads(opts Options) ([]event.Thread, error) {
	pids := numericDirs(opts.Proc)
	if len(pids) == 0 {
		return nil, fmt.Errorf("procfs: no processes under %s", opts.Proc)
	}
	var socks *sockTable
	if !opts.NoFDs {
		socks = readSockTable(opts.Proc)
	}
	// Processes are read by a few workers at once (a machine with thousands
	// of threads spends most of its scan waiting on the kernel's proc
	// files); each keeps its place, so the order stays that of the pids.
	per := make([][]event.Thread, len(pids))
	workers := min(runtime.GOMAXPROCS(0), 8, len(pids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := newScanner()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(pids) {
					return
				}
				per[i] = sc.readTasks(opts, pids[i], socks)
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, ts := range per {
		n += len(ts)
	}
	out := make([]event.Thread, 0, n)
	for _, ts := range per {
		out = append(out, ts...)
	}
	return out, nil
}

// readTasks returns process pid and its threads, or nothing when it is
// gone.
func (sc *scanner) readTasks(opts Options, pid int64, socks *sockTable) []event.Thread {
	pdir := openDir(filepath.Join(opts.Proc, strconv.FormatInt(pid, 10)))
	if pdir < 0 {
		return nil
	}
	defer closeFD(pdir)
	proc, info, ok := sc.readProcess(pdir, pid, opts)
	if !ok {
		return nil
	}

	if !opts.NoFDs {
		proc.FDs = sc.readFDs(pdir, func() *sockTable { return socks })
	}
	var tids []int64
	if info.threads != 1 || info.zombie {
		// (A single live thread is the main one, unless that has
		// exited and waits for the others as a zombie.)
		tids = sc.numericDirsAt(pdir, "task")
	}
	if len(tids) == 0 {
		tids = []int64{pid}
	}
	out := make([]event.Thread, 0, len(tids))
	for _, tid := range tids {
		t := proc
		t.TID = tid
		if tid != pid {
			t.FDs = nil
			t.Flags = ThreadFlags
			tdir := "task/" + strconv.FormatInt(tid, 10)
			if b, ok := sc.read(pdir, tdir+"/stat"); ok {
				// Threads mostly keep their process's name: it is
				// then shared, not copied.
				if st, ok := parseStatComm(b, proc.Comm); ok {
					t.Comm = st.comm
					t.PFMajor, t.PFMinor = st.majflt, st.minflt
				}
			}
			// Every thread of a process is in its pid namespace: when
			// that is the scan's own (one NSpid level), the thread's id
			// there is its id, and its status file (the costliest of
			// the three per thread) is not read.
			t.VTID = tid
			if info.levels > 1 {
				t.VTID = sc.nsLast(pdir, tdir+"/status", "NSpid:", tid)
			}
			t.MntNS = sc.readMntNS(pdir, tdir+"/ns/mnt")
		}
		out = append(out, t)
	}
	return out
}

type statFields struct {
	comm           string
	state          string // one letter: R, S, D, Z, T, t, X, I...
	ppid, pgrp     int64
	sid            int64
	flags          uint32
	minflt, majflt uint64
}

// parseStat parses the contents of /proc/PID/stat.
func parseStat(b []byte) (statFields, bool) { return parseStatComm(b, "") }

// parseStatComm is parseStat returning known as the name when the file
// holds that name.
func parseStatComm(b []byte, known string) (statFields, bool) {
	var st statFields
	open := bytes.IndexByte(b, '(')
	closeP := bytes.LastIndexByte(b, ')')
	if open < 0 || closeP < open {
		return st, false
	}
	if c := b[open+1 : closeP]; string(c) == known {
		st.comm = known
	} else {
		st.comm = string(c)
	}
	// f[0] is the state; field numbers below follow proc(5) minus 3.
	// Up to the tenth field is read.
	var f [10][]byte
	nf := 0
	rest := b[closeP+1:]
	for i := 0; i < len(rest) && nf < len(f); {
		for i < len(rest) && isSpace(rest[i]) {
			i++
		}
		j := i
		for j < len(rest) && !isSpace(rest[j]) {
			j++
		}
		if j > i {
			f[nf] = rest[i:j]
			nf++
		}
		i = j
	}
	get := func(i int) int64 {
		if i < nf {
			return parseInt(f[i])
		}
		return 0
	}
	if nf > 0 {
		st.state = stateName(f[0])
	}
	st.ppid = get(1)
	st.pgrp = get(2)
	st.sid = get(3)
	st.flags = uint32(get(6))
	st.minflt = uint64(get(7))
	st.majflt = uint64(get(9))
	return st, true
}

// stateName returns the state letter of a stat file, without allocating
// for the usual ones.
func stateName(b []byte) string {
	for _, s := range [...]string{"S", "R", "D", "I", "Z", "T", "t", "X"} {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}

// nsLast returns the last value of a namespace id line of status file
// name under dir (the id inside the innermost namespace), or def.
func (sc *scanner) nsLast(dir int, name, key string, def int64) int64 {
	b, ok := sc.read(dir, name)
	if !ok {
		return def
	}
	for line := range bytes.Lines(b) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if v, ok := bytes.CutPrefix(line, []byte(key)); ok {
			if f := sc.splitFields(v); len(f) > 0 {
				if n, ok := atoi(f[len(f)-1]); ok {
					return n
				}
			}
		}
	}
	return def
}

func splitNul(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

// ThreadFlags are the clone flags of a secondary thread found in /proc
// (CLONE_THREAD and CLONE_FILES, as sysdig's process scan records them): it
// shares its process's fd table.
const ThreadFlags uint32 = 0x2000 | 0x1

// procInfo is what readProcess learns of a process besides its thread:
// how many pid namespaces its NSpid line lists (1 in the scan's own
// namespace, 0 when the kernel does not say), its live threads (0 when
// not said) and whether its main thread may have exited (a zombie, or a
// state not known to be a live one), when the count leaves it out.
type procInfo struct {
	levels  int
	threads int
	zombie  bool
}

// readProcess reads the process of directory pdir (a dirfd).
func (sc *scanner) readProcess(pdir int, pid int64, opts Options) (t event.Thread, info procInfo, ok bool) {
	t = event.Thread{PID: pid, TID: pid, VPID: pid, VTID: pid, LoginUID: -1}
	b, ok := sc.read(pdir, "stat")
	if !ok {
		return t, info, false
	}
	st, ok := parseStat(b)
	if !ok {
		return t, info, false
	}
	info.zombie = st.state != "R" && st.state != "S" && st.state != "D" && st.state != "T" && st.state != "t" && st.state != "I"
	t.Comm = st.comm
	t.PTID = st.ppid
	t.SID = st.sid
	t.VPGID = st.pgrp
	t.Flags = 0
	t.PFMajor, t.PFMinor = st.majflt, st.minflt
	if b, ok := sc.read(pdir, "status"); ok {
		sc.parseStatus(b, &t, &info)
	}
	if b, ok := sc.read(pdir, "cmdline"); ok {
		args := splitNul(b)
		if len(args) > 0 {
			t.Exe = args[0]
			t.Args = args[1:]
		}
	}
	if t.Exe == "" {
		t.Exe = t.Comm
	}
	if !opts.NoEnv {
		if b, ok := sc.read(pdir, "environ"); ok {
			t.Env = splitNul(b)
		}
	}
	if l, ok := sc.readlink(pdir, "exe"); ok {
		t.ExePath = string(bytes.TrimSuffix(l, []byte(" (deleted)")))
	}
	if l, ok := sc.readlink(pdir, "cwd"); ok {
		if len(l) == 0 || l[len(l)-1] != '/' {
			l = append(l, '/')
		}
		t.Cwd = string(l)
	}
	if l, ok := sc.readlinkString(pdir, "root"); ok {
		t.Root = l
	}
	if b, ok := sc.read(pdir, "loginuid"); ok {
		if v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 32); err == nil {
			t.LoginUID = int32(uint32(v))
		}
	}
	if b, ok := sc.read(pdir, "cgroup"); ok {
		t.Cgroups = parseCgroups(string(b))
	}
	if b, ok := sc.read(pdir, "limits"); ok {
		t.FDLimit = sc.parseFDLimit(b)
	}
	t.MntNS = sc.readMntNS(pdir, "ns/mnt")
	return t, info, true
}

// parseStatus reads the credentials, memory sizes and NSpid line of a
// status file into t, and the NSpid levels and thread count into info.
func (sc *scanner) parseStatus(b []byte, t *event.Thread, info *procInfo) {
	for line := range bytes.Lines(b) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		c := bytes.IndexByte(line, ':')
		if c < 0 {
			continue
		}
		k, v := line[:c], line[c+1:]
		var field *uint32
		switch string(k) {
		case "Uid":
			field = &t.UID
		case "Gid":
			field = &t.GID
		case "VmSize":
			field = &t.VMSizeKB
		case "VmRSS":
			field = &t.VMRSSKB
		case "VmSwap":
			field = &t.VMSwapKB
		case "NSpid", "Threads":
		default:
			continue
		}
		f := sc.splitFields(v)
		if len(f) == 0 {
			continue
		}
		num := func(i int) uint64 {
			if i < len(f) {
				return parseUint(f[i], 10)
			}
			return 0
		}
		switch string(k) {
		case "Uid", "Gid":
			*field = uint32(num(1)) // effective
		case "NSpid":
			t.VPID = int64(num(len(f) - 1))
			t.VTID = t.VPID
			info.levels = len(f)
		case "Threads":
			info.threads = int(num(0))
		default:
			*field = uint32(num(0))
		}
	}
}

// readMntNS returns the mount namespace of the ns/mnt link name under dir
// (the inode it names, "mnt:[4026531841]"), or 0.
func (sc *scanner) readMntNS(dir int, name string) uint64 {
	l, ok := sc.readlink(dir, name)
	if !ok {
		return 0
	}
	return parseMntNS(l)
}

func parseMntNS(l []byte) uint64 {
	v, ok := bytes.CutPrefix(l, []byte("mnt:["))
	if !ok || len(v) < 2 || v[len(v)-1] != ']' {
		return 0
	}
	n, err := strconv.ParseUint(string(v[:len(v)-1]), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// readMntNS returns the mount namespace of the task of directory dir, or 0.
func readMntNS(dir string) uint64 {
	l, err := os.Readlink(filepath.Join(dir, "ns", "mnt"))
	if err != nil {
		return 0
	}
	return parseMntNS([]byte(l))
}

// MountNS returns the mount namespace of thread tid (the inode of
// /proc/<tid>/ns/mnt; tid 0 is the calling process), or false when it
// cannot be read.
func MountNS(opts Options, tid int64) (uint64, bool) {
	opts = opts.withDefaults()
	dir := filepath.Join(opts.Proc, "self")
	if tid != 0 {
		dir = filepath.Join(opts.Proc, strconv.FormatInt(tid, 10))
	}
	ns := readMntNS(dir)
	return ns, ns != 0
}

// Alive reports whether thread tid exists (/proc/<tid>, which every
// thread of the pid namespace has, listed or not). An error other than
// "does not exist" counts as alive.
func Alive(opts Options, tid int64) bool {
	opts = opts.withDefaults()
	_, err := os.Lstat(opts.Proc + "/" + strconv.FormatInt(tid, 10))
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

// parseCgroups turns /proc/PID/cgroup lines "id:controllers:path" into
// "controller=path" entries, one per controller.
func parseCgroups(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			c = strings.TrimPrefix(c, "name=")
			out = append(out, c+"="+parts[2])
		}
	}
	return out
}

// parseFDLimit returns the soft "Max open files" limit of a limits file
// (-1: unlimited), or 0.
func (sc *scanner) parseFDLimit(b []byte) int64 {
	for line := range bytes.Lines(b) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if rest, ok := bytes.CutPrefix(line, []byte("Max open files")); ok {
			if f := sc.splitFields(rest); len(f) > 0 {
				if string(f[0]) == "unlimited" {
					return -1
				}
				return parseInt(f[0])
			}
		}
	}
	return 0
}

// ReadThread reads one thread, found by its thread id, and the main thread of
// its process (with the process's fd table), as Scan would have seen them. It
// returns the main thread first; for a main thread only that one. ok is false
// when the thread no longer exists.
func ReadThread(opts Options, tid int64) (threads []event.Thread, ok bool) {
	opts = opts.withDefaults()
	sc := newScanner()
	pid := tid
	if v := nsFirst(filepath.Join(opts.Proc, strconv.FormatInt(tid, 10), "status"), "Tgid:"); v > 0 {
		pid = v
	}
	pdir := openDir(filepath.Join(opts.Proc, strconv.FormatInt(pid, 10)))
	if pdir < 0 {
		return nil, false
	}
	defer closeFD(pdir)
	proc, _, ok := sc.readProcess(pdir, pid, opts)
	if !ok {
		return nil, false
	}
	if !opts.NoFDs {
		proc.FDs = sc.readFDs(pdir, func() *sockTable { return readSockTable(opts.Proc) })
	}
	threads = append(threads, proc)
	if tid != pid {
		t := proc
		t.TID, t.FDs, t.Flags = tid, nil, ThreadFlags
		tdir := "task/" + strconv.FormatInt(tid, 10)
		b, ok := sc.read(pdir, tdir+"/stat")
		if !ok {
			return nil, false
		}
		st, ok := parseStat(b)
		if !ok {
			return nil, false
		}
		t.Comm = st.comm
		t.PFMajor, t.PFMinor = st.majflt, st.minflt
		t.VTID = sc.nsLast(pdir, tdir+"/status", "NSpid:", tid)
		t.MntNS = sc.readMntNS(pdir, tdir+"/ns/mnt")
		threads = append(threads, t)
	}
	return threads, true
}

// nsFirst returns the first number of a status file line, or 0.
func nsFirst(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			if f := strings.Fields(v); len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}
