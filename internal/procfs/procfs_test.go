// SPDX-License-Identifier: Apache-2.0

package procfs

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

func TestParseHexAddr(t *testing.T) {
	tests := []struct {
		in   string
		v6   bool
		ip   string
		port uint16
		ok   bool
	}{
		{"0100007F:1F90", false, "127.0.0.1", 8080, true},
		{"00000000:0016", false, "0.0.0.0", 22, true},
		{"00000000000000000000000001000000:0050", true, "::1", 80, true},
		{"0000000000000000FFFF00000100007F:01BB", true, "127.0.0.1", 443, true},
		{"0100007F", false, "", 0, false},
		{"zz00007F:1F90", false, "", 0, false},
		{"0100007F:1F90", true, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ip, port, ok := parseHexAddr(tt.in, tt.v6)
			if ok != tt.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if got := net.IP(ip).String(); got != tt.ip || port != tt.port {
				t.Fatalf("got %s:%d, want %s:%d", got, port, tt.ip, tt.port)
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		in   string
		comm string
		ppid int64
		ok   bool
	}{
		{"42 (bash) S 1 42 42 34816 42 4194560 1000 0 5 0 1 2 0 0 20 0 1 0 100", "bash", 1, true},
		{"43 (a (weird) name) R 7 43 43 0 -1 0 10 0 0 0", "a (weird) name", 7, true},
		{"garbage", "", 0, false},
	}
	for _, tt := range tests {
		st, ok := parseStat([]byte(tt.in))
		if ok != tt.ok || st.comm != tt.comm || st.ppid != tt.ppid {
			t.Errorf("%q: got %+v %v", tt.in, st, ok)
		}
	}
	st, _ := parseStat([]byte(tests[0].in))
	if st.minflt != 1000 || st.majflt != 5 || st.pgrp != 42 || st.sid != 42 {
		t.Errorf("fields %+v", st)
	}
}

func TestParseCgroups(t *testing.T) {
	got := parseCgroups("12:cpu,cpuacct:/user.slice\n1:name=systemd:/init.scope\n0::/\n")
	want := []string{"cpu=/user.slice", "cpuacct=/user.slice", "systemd=/init.scope"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestOpenFlags(t *testing.T) {
	tests := []struct {
		native int
		want   uint32
	}{
		{syscall.O_RDONLY, 1},
		{syscall.O_WRONLY | syscall.O_CREAT | syscall.O_TRUNC, 2 | 4 | 0x100},
		{syscall.O_RDWR | syscall.O_APPEND | syscall.O_CLOEXEC, 3 | 8 | 0x1000},
		{syscall.O_RDONLY | syscall.O_DIRECTORY | syscall.O_NONBLOCK, 1 | 0x400 | 0x40},
	}
	for _, tt := range tests {
		if got := OpenFlags(uint64(tt.native)); got != tt.want {
			t.Errorf("OpenFlags(%#o) = %#x, want %#x", tt.native, got, tt.want)
		}
	}
}

// TestFakeTree scans a hand-made /proc tree.
func TestFakeTree(t *testing.T) {
	root := t.TempDir()
	proc := filepath.Join(root, "proc")
	etc := filepath.Join(root, "etc")
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n#comment\nbob:x:1000:100:Bob:/home/bob:/bin/sh\n")
	write("etc/group", "root:x:0:\nusers:x:100:bob\n")
	write("proc/meminfo", "MemTotal:        2048 kB\n")
	write("proc/stat", "cpu 1 2 3\nbtime 1700000000\n")
	write("proc/100/stat", "100 (srv) S 1 100 100 0 -1 0 50 0 2 0 0 0 0 0 20 0 2 0 10")
	write("proc/100/status", "Name:\tsrv\nUid:\t0\t1000\t1000\t1000\nGid:\t0\t100\t100\t100\nVmSize:\t  1000 kB\nVmRSS:\t 200 kB\nNSpid:\t100\t5\n")
	write("proc/100/cmdline", "/usr/bin/srv\x00-p\x008080\x00")
	write("proc/100/environ", "A=1\x00B=2\x00")
	write("proc/100/cgroup", "1:cpu:/x\n")
	write("proc/100/limits", "Max open files            1024                 4096                 files\n")
	write("proc/100/loginuid", "4294967295")
	write("proc/100/task/100/stat", "100 (srv) S 1 100 100 0 -1 0 50 0 2 0 0 0 0 0 20 0 2 0 10")
	write("proc/100/task/101/stat", "101 (worker) S 1 100 100 0 -1 0 7 0 1 0 0 0 0 0 20 0 2 0 10")
	write("proc/100/task/101/status", "NSpid:\t101\t6\n")
	// A process in the scan's own pid namespace (one NSpid level): its
	// threads' ids there are their ids, and their status files are not
	// read (this one's claims otherwise, to tell).
	write("proc/200/stat", "200 (pool) S 1 200 200 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 10")
	write("proc/200/status", "Name:\tpool\nNSpid:\t200\n")
	write("proc/200/task/200/stat", "200 (pool) S 1 200 200 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 10")
	write("proc/200/task/201/stat", "201 (pool-1) S 1 200 200 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 10")
	write("proc/200/task/201/status", "NSpid:\t201\t9\n")
	if err := os.MkdirAll(filepath.Join(proc, "100/fd"), 0o755); err != nil {
		t.Fatal(err)
	}
	for fd, target := range map[string]string{"0": "pipe:[777]", "3": "socket:[555]", "4": "anon_inode:[eventfd]", "5": "socket:[556]"} {
		if err := os.Symlink(target, filepath.Join(proc, "100/fd", fd)); err != nil {
			t.Fatal(err)
		}
	}
	write("proc/net/tcp", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"+
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1\n"+
		"   1: 0100007F:1F90 0200007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 556 1\n")
	s, err := Scan(Options{Proc: proc, Etc: etc, Sys: filepath.Join(root, "sys")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Machine.MemBytes != 2048*1024 || s.Machine.BootTime != 1700000000*1e9 {
		t.Errorf("machine %+v", s.Machine)
	}
	if len(s.Users) != 2 || s.Users[1].Name != "bob" || s.Users[1].HomeDir != "/home/bob" || len(s.Groups) != 2 {
		t.Errorf("users %+v groups %+v", s.Users, s.Groups)
	}
	if len(s.Threads) != 4 {
		t.Fatalf("threads %+v", s.Threads)
	}
	if p, w := s.Threads[2], s.Threads[3]; p.TID != 200 || p.VTID != 200 || w.TID != 201 || w.PID != 200 || w.VTID != 201 || w.Comm != "pool-1" {
		t.Errorf("threads of a process in the scan's namespace: %+v, %+v", p, w)
	}
	main, worker := s.Threads[0], s.Threads[1]
	if main.TID != 100 || main.PID != 100 || main.PTID != 1 || main.Comm != "srv" || main.Exe != "/usr/bin/srv" ||
		strings.Join(main.Args, " ") != "-p 8080" || strings.Join(main.Env, " ") != "A=1 B=2" || main.UID != 1000 ||
		main.GID != 100 || main.VMSizeKB != 1000 || main.VMRSSKB != 200 || main.VPID != 5 || main.FDLimit != 1024 ||
		main.PFMinor != 50 || main.PFMajor != 2 || main.LoginUID != -1 || strings.Join(main.Cgroups, ",") != "cpu=/x" {
		t.Errorf("main thread %+v", main)
	}
	if worker.TID != 101 || worker.PID != 100 || worker.Comm != "worker" || worker.VTID != 6 || len(worker.FDs) != 0 {
		t.Errorf("worker thread %+v", worker)
	}
	byNum := map[int64]event.FD{}
	for _, fd := range main.FDs {
		byNum[fd.Num] = fd
	}
	if fd := byNum[0]; fd.Type != event.FDFIFO || fd.Ino != 777 {
		t.Errorf("fd 0 %+v", fd)
	}
	if fd := byNum[3]; fd.Type != event.FDIPv4ServSock || fd.SPort != 8080 || net.IP(fd.SrcIP).String() != "127.0.0.1" {
		t.Errorf("fd 3 %+v", fd)
	}
	// Accepted connection on the listening port: the client is the source.
	if fd := byNum[5]; fd.Type != event.FDIPv4Sock || fd.SPort != 54321 || fd.DPort != 8080 || fd.L4Proto != event.L4TCP ||
		net.IP(fd.SrcIP).String() != "127.0.0.2" {
		t.Errorf("fd 5 %+v", fd)
	}
	if fd := byNum[4]; fd.Type != event.FDEvent {
		t.Errorf("fd 4 %+v", fd)
	}
}

// TestScanSelf scans the real /proc and finds this process's open file and
// listening socket, opened before the scan.
func TestScanSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc")
	}
	path := filepath.Join(t.TempDir(), "snap.txt")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	s, err := Scan(Options{NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	pid := int64(os.Getpid())
	var self *event.Thread
	for i := range s.Threads {
		if s.Threads[i].TID == pid {
			self = &s.Threads[i]
		}
	}
	if self == nil {
		t.Fatalf("own process %d not in snapshot", pid)
	}
	var file, sock bool
	for _, fd := range self.FDs {
		if fd.Num == int64(f.Fd()) && fd.Name == path && fd.Type == event.FDFileV2 && fd.OpenFlags == 3|8|0x800|0x1000 {
			file = true
		}
		if fd.Type == event.FDIPv4ServSock && fd.SPort == port {
			sock = true
		}
	}
	if !file || !sock {
		t.Fatalf("file %v socket %v in %+v", file, sock, self.FDs)
	}
	if self.ExePath == "" || self.Cwd == "" || self.Comm == "" || self.FDLimit == 0 {
		t.Errorf("self %+v", *self)
	}
	if s.Machine.NumCPUs == 0 || s.Machine.Hostname == "" || len(s.Interfaces) == 0 {
		t.Errorf("machine %+v interfaces %d", s.Machine, len(s.Interfaces))
	}
}

func FuzzParseInetTable(f *testing.F) {
	f.Add("hdr\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1\n", false)
	f.Add("hdr\n 0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 0 0 0 0 0 77 1\n", true)
	f.Fuzz(func(t *testing.T, s string, v6 bool) {
		tab := &sockTable{byIno: map[uint64]*sockInfo{}, listening: map[uint16]bool{}}
		parseInetTable(tab, s, v6, event.L4TCP)
		parseUnixTable(tab, s)
	})
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("42 (bash) S 1 42 42 34816 42 4194560 1000 0 5 0 1 2 0 0 20 0 1 0 100"))
	f.Add([]byte("1 ((x)) R"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseStat(b)
		parseCgroups(string(b))
	})
}

// TestReadThread reads the test process and one of its secondary threads by
// thread id, as Scan sees them.
func TestReadThread(t *testing.T) {
	pid := int64(os.Getpid())
	ths, ok := ReadThread(Options{}, pid)
	if !ok || len(ths) != 1 || ths[0].TID != pid || ths[0].PID != pid || ths[0].ExePath == "" || len(ths[0].FDs) == 0 {
		t.Fatalf("main thread: ok %v %+v", ok, ths)
	}
	var tid int64
	for _, n := range numericDirs("/proc/self/task") {
		if n != pid {
			tid = n
			break
		}
	}
	if tid == 0 {
		t.Skip("no secondary thread")
	}
	ths, ok = ReadThread(Options{}, tid)
	if !ok || len(ths) != 2 || ths[0].TID != pid || ths[1].TID != tid || ths[1].PID != pid || len(ths[1].FDs) != 0 || ths[1].ExePath != ths[0].ExePath {
		t.Fatalf("secondary thread %d: ok %v %+v", tid, ok, ths)
	}
	if _, ok := ReadThread(Options{}, 1<<30); ok {
		t.Fatal("found a thread that cannot exist")
	}
}
