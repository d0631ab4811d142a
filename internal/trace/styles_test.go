// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// styleCorpus names the corpus commands the output-mode tests run: files,
// memory, signals, credentials, terminals and processes.
var styleCorpus = map[string]bool{"ls": true, "cat": true, "id": true, "stat": true, "cp": true, "sort": true,
	"sh": true, "sh-kill": true, "python-signal": true, "tar-x": true, "dd": true, "mkdir": true}

// sockets is a program using loopback TCP, UDPv6 and UNIX sockets
// (sockaddrs, socket types, options).
var sockets = corpusCmd{"python-sockets", false, []string{"/usr/bin/python3", "-c", `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(s.getsockname())
a, _ = s.accept()
c.send(b"hi")
a.recv(10)
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
u.getsockname()
d = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
d.bind(("::1", 0))
d.getsockname()
`}}

// styleFloor is the floor of identical lines per output mode. The modes
// change how every constant and struct is printed, so the corpus lines
// that differ without them (statx masks, python's thread timing) differ
// with them too.
const styleFloor = 0.95

// TestLiveOutputModesMatchStrace compares -X raw, -X verbose, -e raw= and
// -e verbose= lines with strace's on the corpus commands above.
func TestLiveOutputModesMatchStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	dir := t.TempDir()
	prepareCorpusDir(t, dir)
	for _, mode := range [][]string{
		{"-X", "raw"},
		{"-X", "verbose"},
		{"--const-print-style=raw", "-e", "raw=openat,read,mmap,close,execve"},
		{"-e", "raw=%file,getdents64,read,lseek"},
		{"-e", "verbose=none"},
		{"--verbose=!%stat,rt_sigaction", "-X", "verbose", "-e", "abbrev=all"},
		{"-e", "abbrev=!%%stat,execve,getdents64"},
		{"--no-abbrev", "-X", "raw"},
	} {
		var same, total int
		for _, c := range append(corpus(""), sockets) {
			if !styleCorpus[c.name] && c.name != sockets.name {
				continue
			}
			r := traceCorpusCmd(t, bin, dir, c, false, mode...)
			n := max(len(r.strace), len(r.ferret))
			same += r.same
			total += n
			if r.same < n {
				t.Logf("%v %s: only strace: %q\nonly ferret: %q", mode, c.name, onlyIn(r.strace, r.ferret), onlyIn(r.ferret, r.strace))
			}
		}
		rate := float64(same) / float64(max(total, 1))
		t.Logf("%v: %.1f%% identical lines (%d/%d)", mode, 100*rate, same, total)
		if rate < styleFloor {
			t.Errorf("%v: identical lines %.1f%%, below the floor %.1f%%", mode, 100*rate, 100*styleFloor)
		}
	}
}

// TestOutputModeErrors checks the errors of bad -X and -e abbrev= values.
func TestOutputModeErrors(t *testing.T) {
	for args, want := range map[string]string{
		"-X foo true":                "invalid -X argument: 'foo'",
		"--const-print-style=x true": "invalid -X argument: 'x'",
		"-e abbrev=nosuchcall true":  `invalid system call "nosuchcall"`,
		"-e raw=nosuchcall true":     `invalid system call "nosuchcall"`,
		"--verbose=%nosuch true":     `invalid system call class "%nosuch"`,
	} {
		_, err := ParseArgs(strings.Fields(args))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", args, err, want)
		}
	}
	for _, args := range []string{"-X raw true", "-Xverbose true", "--const-print-style abbrev true", "-e raw=all true",
		"--raw=read true", "-e verbose=!read true", "--abbrev=all true",
		"-v true", "--no-abbrev true", "-e abbrev=none true", "--abbrev=!%%stat true"} {
		if _, err := ParseArgs(strings.Fields(args)); err != nil {
			t.Errorf("%s: %v", args, err)
		}
	}
}

// fdDetailsProgram makes TCP, UDP, UNIX and netlink sockets and opens a
// device, writes "ready" and keeps them until its standard input ends.
const fdDetailsProgram = `import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen(1)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(s.getsockname())
a, _ = s.accept()
c.send(b"hi")
a.recv(10)
u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
u.bind(sys.argv[1])
u.listen(1)
v = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
v.connect(sys.argv[1])
w, _ = u.accept()
v.send(b"x")
p, q = socket.socketpair()
d = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
d.bind(("::1", 0))
d.sendto(b"z", d.getsockname())
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
n.bind((0, 0))
f = os.open("/dev/null", os.O_RDONLY)
os.read(f, 1)
os.fstat(f)
os.write(1, b"ready\n")
sys.stdin.read()
for x in (s, c, a, u, v, w, p, q, d, n):
    x.getsockname()
    x.close()
os.close(f)
os.unlink(sys.argv[1])
`

// TestLiveDecodeFDDetailsMatchesStrace compares -yy lines with strace's:
// socket protocols and ends, device numbers. ferret asks the kernel for a
// socket's ends when it reads the call, after the program made it: the
// program keeps its sockets until the test has seen ferret write the line
// of its "ready" (strace stops the program at each call, so its standard
// input is empty). Inodes and ports differ between runs and are
// normalised.
func TestLiveDecodeFDDetailsMatchesStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	testutil.RequireTool(t, "/usr/bin/python3")
	dir := t.TempDir()
	calls := "trace=socket,bind,listen,connect,accept4,sendto,recvfrom,socketpair,getsockname,close,openat,read,newfstatat,write"
	run := func(tool []string, out string, wait bool) string {
		sock := filepath.Join(dir, "sock")
		os.Remove(sock)
		args := append(append([]string{}, tool[1:]...), "-yy", "-e", calls, "-o", out, "/usr/bin/python3", "-c", fdDetailsProgram, sock)
		cmd := exec.Command(tool[0], args...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := testutil.Start(cmd); err != nil {
			t.Fatal(err)
		}
		if wait {
			// until ferret has written the line of "ready": every call
			// before it was read while the sockets were open
			for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
				b, _ := os.ReadFile(out)
				if bytes.Contains(b, []byte(`write(1<`)) && bytes.Contains(b, []byte(`"ready\n", 6)`)) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no ready line from %s: %s\n%s", tool[0], b, stderr.String())
				}
			}
		}
		in.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: %v %s", tool, err, stderr.String())
		}
		b, _ := os.ReadFile(out)
		return string(b)
	}
	norm := func(s string) []string {
		s = regexp.MustCompile(`(:\[)\d+(\]|->|,)`).ReplaceAllString(s, "${1}INO$2")
		s = regexp.MustCompile(`->\d+([\],])`).ReplaceAllString(s, "->INO$1")
		s = regexp.MustCompile(`((?:\d+\.){3}\d+|\]):\d+`).ReplaceAllString(s, "$1:PORT")
		s = regexp.MustCompile(`sin6_port=htons\(\d+\)`).ReplaceAllString(s, "sin6_port=htons(PORT)")
		s = regexp.MustCompile(`(ROUTE:|nl_pid=)\d+`).ReplaceAllString(s, "${1}N")
		s = strings.ReplaceAll(s, dir, "DIR")
		return normalizeTrace(s)
	}
	want := norm(run([]string{"strace"}, filepath.Join(dir, "s"), false))
	got := norm(run([]string{bin, "trace", "-q"}, filepath.Join(dir, "f"), true))
	same := commonLines(want, got)
	n := max(len(want), len(got))
	rate := float64(same) / float64(max(n, 1))
	t.Logf("-yy: %.1f%% identical lines (%d/%d)\nonly strace: %q\nonly ferret: %q", 100*rate, same, n, onlyIn(want, got), onlyIn(got, want))
	for _, l := range []string{"<TCP:[127.0.0.1:PORT->127.0.0.1:PORT]>", `UNIX-STREAM:[INO->INO,"DIR/sock"]`, "UDPv6:[[::1]:PORT]",
		"NETLINK:[ROUTE:N]", "</dev/null<char 1:3>>", "<UNIX-STREAM:[INO->INO]>]) = 0"} {
		if !strings.Contains(strings.Join(got, "\n"), l) {
			t.Errorf("no %s in ferret's lines", l)
		}
	}
	if rate < decodeFDsFloor {
		t.Errorf("-yy identical lines %.1f%%, below the floor %.1f%%", 100*rate, 100*decodeFDsFloor)
	}
}

// TestLiveSignalSetKilledLine compares the lines of a process killed by
// SIGUSR1 under signal sets with and without it: strace leaves out both
// the signal's line and "+++ killed by" for a signal outside the set.
func TestLiveSignalSetKilledLine(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	dir := t.TempDir()
	for _, set := range []string{"signal=none", "signal=USR2", "signal=USR1", "signal=all"} {
		sOut, fOut := filepath.Join(dir, "strace"), filepath.Join(dir, "ferret")
		args := []string{"-e", "trace=kill", "-e", set, "sh", "-c", "kill -USR1 $$"}
		exec.Command("strace", append([]string{"-o", sOut}, args...)...).Run()
		fc := exec.Command(bin, append([]string{"trace", "-q", "-o", fOut}, args...)...)
		if err := fc.Run(); fc.ProcessState == nil || fc.ProcessState.ExitCode() != 138 {
			t.Fatalf("%s: %v, want status 138", set, err)
		}
		norm := regexp.MustCompile(`(kill\(|si_pid=)\d+`)
		sb, _ := os.ReadFile(sOut)
		fb, _ := os.ReadFile(fOut)
		if want, got := norm.ReplaceAll(sb, []byte("${1}N")), norm.ReplaceAll(fb, []byte("${1}N")); !bytes.Equal(want, got) {
			t.Errorf("%s: lines differ\nstrace:\n%s\nferret:\n%s", set, want, got)
		}
	}
}
