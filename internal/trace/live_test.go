// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

type countRow struct{ calls, errors int }

// parseSummary reads a strace -c table.
func parseSummary(t testing.TB, text string) map[string]countRow {
	t.Helper()
	rows := map[string]countRow{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || strings.HasPrefix(line, "%") || strings.HasPrefix(line, "-") {
			continue
		}
		if _, err := strconv.ParseFloat(f[0], 64); err != nil {
			continue
		}
		calls, _ := strconv.Atoi(f[3])
		r := countRow{calls: calls}
		if len(f) == 6 {
			r.errors, _ = strconv.Atoi(f[4])
		}
		rows[f[len(f)-1]] = r
	}
	return rows
}

// unnamed reports whether ferret's probe drops syscall name: it has no
// dedicated event and no portable syscall code (sysdig 0.29.3 does not
// record it either), e.g. rseq and statx.

// dedicated reports whether ferret records syscall name with its own event
// (which carries the return value), rather than as a generic event.

// TestLiveSummaryMatchesStrace runs commands under strace -f -c and ferret
// trace -f -c and compares calls and errors per syscall, including those
// recorded as generic events (their exit carries the return value) and
// those without a portable syscall code.
func TestLiveSummaryMatchesStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	tests := []struct {
		name   string
		cmd    []string
		status int
	}{
		{"ls", []string{"ls", "/"}, 0},
		{"cat", []string{"cat", "/etc/hostname"}, 0},
		{"failing-open", []string{"cat", "/nonexistent/file"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sOut, fOut := filepath.Join(dir, "strace"), filepath.Join(dir, "ferret")
			exec.Command("strace", append([]string{"-f", "-c", "-o", sOut}, tc.cmd...)...).Run()
			cmd := exec.Command(bin, append([]string{"trace", "-f", "-c", "-o", fOut, "--"}, tc.cmd...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			status := 0
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("ferret trace: %v\n%s", err, stderr.String())
			}
			if status != tc.status {
				t.Errorf("exit status %d, want %d (stderr: %s)", status, tc.status, stderr.String())
			}
			sb, _ := os.ReadFile(sOut)
			fb, _ := os.ReadFile(fOut)
			want, got := parseSummary(t, string(sb)), parseSummary(t, string(fb))
			if len(got) == 0 {
				t.Fatalf("no ferret summary; stderr: %s", stderr.String())
			}
			for name, w := range want {
				if name == "total" {
					continue
				}
				g := got[name]
				if g.calls != w.calls || g.errors != w.errors {
					t.Errorf("%s: ferret %d calls %d errors, strace %d calls %d errors", name, g.calls, g.errors, w.calls, w.errors)
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok && name != "total" {
					t.Errorf("%s: counted by ferret, not by strace", name)
				}
			}
			if t.Failed() {
				t.Logf("strace:\n%s\nferret:\n%s", sb, fb)
			}
		})
	}
}

// TestLiveLinesMatchStrace compares whole lines of calls whose arguments
// carry no addresses.
func TestLiveLinesMatchStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	dir := t.TempDir()
	sOut, fOut := filepath.Join(dir, "strace"), filepath.Join(dir, "ferret")
	args := []string{"-e", "trace=openat,read,close,access", "cat", "/etc/hostname", "/nonexistent"}
	exec.Command("strace", append([]string{"-o", sOut}, args...)...).Run()
	out, _ := exec.Command(bin, append([]string{"trace", "-o", fOut}, args...)...).CombinedOutput()
	sb, _ := os.ReadFile(sOut)
	fb, _ := os.ReadFile(fOut)
	if !bytes.Equal(sb, fb) {
		t.Errorf("lines differ\nstrace:\n%s\nferret:\n%s\nferret output: %s", sb, fb, out)
	}
}

// TestLiveFollowAndTiming checks -f prefixes, -T durations, -tt stamps and
// the exit line on a command that forks.
func TestLiveFollowAndTiming(t *testing.T) {
	bin := ferretBin(t)
	out, err := exec.Command(bin, "trace", "-f", "-T", "-tt", "-e", "trace=openat,exit_group", "-o", "/dev/stdout", "--",
		"sh", "-c", "cat /etc/hostname >/dev/null; exit 3").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("status: %v\n%s", err, out)
	}
	text := string(out)
	// -o with -f: every line starts with the pid, as strace writes it
	child := regexp.MustCompile(`(?m)^\d+ +\d\d:\d\d:\d\d\.\d{6} openat\(AT_FDCWD, "/etc/hostname", O_RDONLY\) += 3 <\d+\.\d{6}>$`)
	if !child.MatchString(text) {
		t.Errorf("no child openat line:\n%s", text)
	}
	if !regexp.MustCompile(`(?m)^\d+ +\d\d:\d\d:\d\d\.\d{6} \+\+\+ exited with 3 \+\+\+$`).MatchString(text) {
		t.Errorf("no exit line:\n%s", text)
	}
}

// ferretBin returns the ferret binary for tests that run it as root.
func ferretBin(t testing.TB) string {
	t.Helper()
	testutil.RequireRoot(t)
	return testutil.FerretBinary(t)
}

// traceBoth runs args under `strace -o` and then under `ferret trace -q -o`,
// each into a file of dir, and returns both files; ferret must succeed.
// before, when not nil, runs before each of the two (to reset what the
// command works on).
func traceBoth(t *testing.T, bin, dir string, before func(), args ...string) (strace, ferret []byte) {
	t.Helper()
	sOut, fOut := filepath.Join(dir, "strace"), filepath.Join(dir, "ferret")
	if before != nil {
		before()
	}
	exec.Command("strace", append([]string{"-o", sOut}, args...)...).Run()
	if before != nil {
		before()
	}
	// standard output /dev/null for both, as strace's command has it
	fc := exec.Command(bin, append([]string{"trace", "-q", "-o", fOut}, args...)...)
	var stderr bytes.Buffer
	fc.Stderr = &stderr
	if err := fc.Run(); err != nil {
		t.Fatalf("ferret trace %q: %v: %s", args, err, stderr.String())
	}
	sb, err := os.ReadFile(sOut)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.ReadFile(fOut)
	if err != nil {
		t.Fatal(err)
	}
	return sb, fb
}

// TestLiveOutputSeparately checks -ff: one FILE.TID per task, lines without
// pid prefixes, and no FILE itself.
func TestLiveOutputSeparately(t *testing.T) {
	bin := ferretBin(t)
	base := filepath.Join(t.TempDir(), "trace")
	out, err := exec.Command(bin, "trace", "-ff", "-o", base, "-e", "trace=execve,exit_group", "--",
		"sh", "-c", "/bin/true; exit 4").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 {
		t.Fatalf("status: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(base + ".*")
	if len(files) != 2 {
		t.Fatalf("files %v, want one per process", files)
	}
	if _, err := os.Stat(base); err == nil {
		t.Errorf("%s created with -ff", base)
	}
	var all string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all += string(b)
		if !regexp.MustCompile(`(?m)\A(execve|exit_group)\(`).Match(b) {
			t.Errorf("%s does not start with a call line:\n%s", f, b)
		}
	}
	if !strings.Contains(all, `execve("/bin/true", ["/bin/true"], 0x`) || !strings.Contains(all, "+++ exited with 4 +++") {
		t.Errorf("lines:\n%s", all)
	}
}

// summaryOrder returns the rows of a -c table in order: name, calls and
// errors (times differ between tracers).
func summaryOrder(text string) []string {
	var rows []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[len(f)-1] == "total" {
			continue
		}
		if _, err := strconv.ParseFloat(f[0], 64); err != nil {
			continue
		}
		rows = append(rows, strings.Join(append([]string{f[len(f)-1]}, f[3:len(f)-1]...), " "))
	}
	return rows
}

// TestLiveSummarySortMatchesStrace compares the order of -c tables sorted
// with -S by every key whose order does not depend on times.
func TestLiveSummarySortMatchesStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	cmd := []string{"ls", "/", "/nonexistent"}
	for _, by := range []string{"calls", "errors", "name", "nothing", "count", "syscall"} {
		t.Run(by, func(t *testing.T) {
			dir := t.TempDir()
			sOut, fOut := filepath.Join(dir, "strace"), filepath.Join(dir, "ferret")
			exec.Command("strace", append([]string{"-c", "-S", by, "-o", sOut}, cmd...)...).Run()
			// the same standard output (/dev/null) as strace's command
			var out bytes.Buffer
			fc := exec.Command(bin, append([]string{"trace", "-q", "-c", "--summary-sort-by=" + by, "-o", fOut, "--"}, cmd...)...)
			fc.Stderr = &out
			fc.Run()
			sb, _ := os.ReadFile(sOut)
			fb, _ := os.ReadFile(fOut)
			want, got := summaryOrder(string(sb)), summaryOrder(string(fb))
			if len(want) == 0 || strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("rows differ\nstrace:\n%s\nferret:\n%s\n%s", sb, fb, out.String())
			}
		})
	}
	out, err := exec.Command(bin, "trace", "-c", "-S", "bogus", "true").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "invalid sortby: 'bogus'") {
		t.Errorf("-S bogus: %v %s", err, out)
	}
}

// TestLiveAttachThreads checks -p PID as strace does it: only the thread
// named, and with -f every thread of its process.
func TestLiveAttachThreads(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "/usr/bin/python3")
	// the main thread calls getpid, a second thread getppid
	prog := exec.Command("/usr/bin/python3", "-c", `import threading,time,os
def f():
    while True:
        os.getppid(); time.sleep(0.01)
threading.Thread(target=f,daemon=True).start()
print("ready", flush=True)
while True:
    os.getpid(); time.sleep(0.01)
`)
	stdout, err := prog.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.Start(prog); err != nil {
		t.Fatal(err)
	}
	defer func() { prog.Process.Kill(); prog.Wait() }()
	if _, err := stdout.Read(make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(prog.Process.Pid)
	for _, tc := range []struct {
		flags  []string
		others bool // the second thread's calls are traced
	}{{nil, false}, {[]string{"-f"}, true}} {
		out := filepath.Join(t.TempDir(), "trace")
		args := append(append([]string{"trace"}, tc.flags...), "-e", "trace=getpid,getppid", "-o", out, "-p", pid)
		fc := exec.Command(bin, args...)
		var stderr bytes.Buffer
		fc.Stderr = &stderr
		if err := testutil.Start(fc); err != nil {
			t.Fatal(err)
		}
		// wait for ten calls of the main thread (the file grows as
		// the tracer flushes on idle polls)
		done := make(chan error, 1)
		go func() { done <- fc.Wait() }()
	wait:
		for {
			select {
			case err := <-done:
				t.Fatalf("%v: ferret trace ended: %v\n%s", tc.flags, err, stderr.String())
			default:
			}
			if b, _ := os.ReadFile(out); strings.Count(string(b), "getpid()") >= 10 {
				break wait
			}
			time.Sleep(20 * time.Millisecond)
		}
		fc.Process.Signal(os.Interrupt)
		<-done
		b, _ := os.ReadFile(out)
		text := string(b)
		if got := strings.Contains(text, "getppid()"); got != tc.others {
			t.Errorf("%v: second thread traced %v, want %v:\n%s\n%s", tc.flags, got, tc.others, text, stderr.String())
		}
		if !strings.Contains(stderr.String(), "Process "+pid+" attached") {
			t.Errorf("%v: stderr %s", tc.flags, stderr.String())
		}
	}
}

// TestLiveRunAsUser compares -u USER with strace: the command runs with the
// user's ids and groups.
func TestLiveRunAsUser(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	dir := t.TempDir()
	sOut, fOut := filepath.Join(dir, "strace"), filepath.Join(dir, "ferret")
	args := []string{"-u", "nobody", "-e", "trace=getuid,geteuid,getgid,getegid,getgroups", "id"}
	exec.Command("strace", append([]string{"-o", sOut}, args...)...).Run()
	out, err := exec.Command(bin, append([]string{"trace", "-q", "-o", fOut}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	sb, _ := os.ReadFile(sOut)
	fb, _ := os.ReadFile(fOut)
	if !bytes.Equal(sb, fb) || !strings.Contains(string(out), "uid=65534(nobody)") {
		t.Errorf("lines differ\nstrace:\n%s\nferret:\n%s\nferret output: %s", sb, fb, out)
	}
}

// TestLiveIovecDumpsMatchStrace compares the hex dumps of iovec arrays
// (writev, readv, pwritev2, preadv2, sendmsg, recvmsg: buffer by buffer, up
// to the first empty one; a failed write's too) with strace's.
func TestLiveIovecDumpsMatchStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	testutil.RequireTool(t, "/usr/bin/python3")
	dir := t.TempDir()
	script := `import os,socket,sys
r,w=os.pipe()
os.writev(w,[b"x"*20,b"",b"y"])
os.readv(r,[bytearray(4),bytearray(0),bytearray(60)])
a,b=socket.socketpair()
a.sendmsg([b"ab",b"cd"])
b.recvmsg(10)
f=os.open(sys.argv[1],os.O_RDWR|os.O_CREAT)
os.pwritev(f,[b"12",b"345"],0)
os.preadv(f,[bytearray(2),bytearray(9)],0)
try: os.writev(99,[b"a"])
except OSError: pass
`
	calls := "trace=writev,readv,sendmsg,recvmsg,pwritev,preadv,pwritev2,preadv2"
	for _, sets := range [][]string{
		{"-e", "write=all", "-e", "read=all"},
		{"-e", "write=4,99", "-e", "read=6"},
	} {
		file := filepath.Join(dir, "data")
		args := append(append([]string{"-e", calls}, sets...), "/usr/bin/python3", "-c", script, file)
		sb, fb := traceBoth(t, bin, dir, func() { os.Remove(file) }, args...)
		want, got := reAddr.ReplaceAll(sb, []byte("0xADDR")), reAddr.ReplaceAll(fb, []byte("0xADDR"))
		if !bytes.Equal(want, got) || !bytes.Contains(got, []byte(" * 1 bytes in buffer 0\n")) {
			t.Errorf("%v: lines differ\nstrace:\n%s\nferret:\n%s", sets, want, got)
		}
	}
}

// TestLiveDumpsMatchStrace compares the hex dumps of -e read= and -e
// write= with strace's on cat of a file holding every byte value.
func TestLiveDumpsMatchStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	dir := t.TempDir()
	// every byte value, 46 times: more than a page (the dumps once
	// stopped at 4096 bytes)
	data := []byte("some text first\n")
	for i := 0; i < 46*256; i++ {
		data = append(data, byte(i))
	}
	file := filepath.Join(dir, "bytes")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sets := range [][]string{
		{"-e", "read=3", "-e", "write=1"},
		{"--read=all", "-e", "write=!1"},
		{"-e", "read=none", "--write=0,1,2"},
	} {
		args := append(append([]string{"-e", "trace=read,write"}, sets...), "cat", file)
		sb, fb := traceBoth(t, bin, dir, nil, args...)
		if !bytes.Equal(sb, fb) || !bytes.Contains(fb, []byte(" | 00000  ")) && sets[1] != "read=none" {
			t.Errorf("%v: lines differ\nstrace:\n%s\nferret:\n%s", sets, sb, fb)
		}
	}
	out, err := exec.Command(bin, "trace", "-e", "read=x", "true").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "invalid descriptor 'x'") {
		t.Errorf("-e read=x: %v %s", err, out)
	}
}

// TestLiveIgnoredSignalsMatchStrace: signals the receiver ignores (SIG_IGN,
// and SIGCHLD's default) get their "--- SIG... ---" lines as with strace.
func TestLiveIgnoredSignalsMatchStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	testutil.RequireTool(t, "/usr/bin/python3")
	args := []string{"-e", "trace=none", "/usr/bin/python3", "-c", `import os, signal
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGUSR1)
if os.fork() == 0:
    os._exit(3)
os.wait()
signal.signal(signal.SIGTERM, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGTERM)
`}
	dir := t.TempDir()
	sb, fb := traceBoth(t, bin, dir, nil, args...)
	norm := regexp.MustCompile(`(si_pid|si_utime|si_stime)=\d+`)
	want, got := norm.ReplaceAllString(string(sb), "$1=N"), norm.ReplaceAllString(string(fb), "$1=N")
	if want != got || !strings.Contains(got, "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED") {
		t.Errorf("lines differ\nstrace:\n%s\nferret:\n%s", want, got)
	}
}

// TestLivePollingMatchesStrace compares epoll_event and fd_set decoding with
// strace on a program polling a pipe. Python leaves the upper half of
// epoll_event's data unset (it differs between runs), and the time left
// depends on the run: both are normalised.
func TestLivePollingMatchesStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	testutil.RequireTool(t, "/usr/bin/python3")
	args := []string{"-e", "trace=epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,select,pselect6", "/usr/bin/python3", "-c", `import select, os
r, w = os.pipe()
os.write(w, b"x")
ep = select.epoll()
ep.register(r, select.EPOLLIN)
ep.register(w, select.EPOLLOUT | select.EPOLLET)
ep.poll(1, 4)
ep.modify(w, select.EPOLLOUT)
ep.unregister(w)
select.select([r], [w], [], 0.5)
select.select([r, w], [], [r], 0)
os.read(r, 1)
select.select([r], [], [], 0)
`}
	dir := t.TempDir()
	sb, fb := traceBoth(t, bin, dir, nil, args...)
	norm := func(b []byte) string {
		s := regexp.MustCompile(`u64=\d+`).ReplaceAllString(string(b), "u64=N")
		s = regexp.MustCompile(`left \{tv_sec=\d+, tv_nsec=\d+\}`).ReplaceAllString(s, "left T")
		return reAddr.ReplaceAllString(s, "0xADDR")
	}
	want, got := norm(sb), norm(fb)
	if want != got || !strings.Contains(got, "(in [3], out [4], left T)") || !strings.Contains(got, "= 0 (Timeout)") {
		t.Errorf("lines differ\nstrace:\n%s\nferret:\n%s", want, got)
	}
}

// TestLiveInheritedDescriptors gives the tracer two extra open descriptors
// (3 and 5): as under strace, the command inherits both where they are, so
// its own opens number the same.
func TestLiveInheritedDescriptors(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	var files []*os.File
	for _, p := range []string{"/etc/hostname", "/dev/null", "/etc/passwd"} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	run := func(tracer string, args ...string) string {
		cmd := exec.Command(tracer, append(args, "-e", "trace=openat", "--", "cat", "/etc/hostname")...)
		cmd.ExtraFiles = []*os.File{files[0], nil, files[2]} // fds 3 and 5
		var out bytes.Buffer
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", tracer, err, out.String())
		}
		var keep []string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, `"/etc/hostname"`) {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	want := run("strace")
	got := run(bin, "trace")
	if want == "" || got != want {
		t.Errorf("opens differ:\nstrace: %s\nferret: %s", want, got)
	}
}

// TestLiveTerminalIoctlsMatchStrace compares termios and winsize decoding
// with strace on stty, run on a pseudo-terminal (script(1)), with default
// and changed local modes.
func TestLiveTerminalIoctlsMatchStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	testutil.RequireTool(t, "script")
	dir := t.TempDir()
	f := func(name string) string { return filepath.Join(dir, name) }
	shell := "strace -e trace=ioctl -o " + f("s1") + " stty size; " +
		bin + " trace -q -e trace=ioctl -o " + f("f1") + " stty size; " +
		"stty tostop echonl noflsh -icanon; " +
		"strace -e trace=ioctl -o " + f("s2") + " stty size; " +
		bin + " trace -q -e trace=ioctl -o " + f("f2") + " stty size"
	if out, err := exec.Command("script", "-qc", shell, "/dev/null").CombinedOutput(); err != nil {
		t.Fatalf("script: %v %s", err, out)
	}
	for _, n := range []string{"1", "2"} {
		sb, _ := os.ReadFile(f("s" + n))
		fb, _ := os.ReadFile(f("f" + n))
		if !bytes.Equal(sb, fb) || !bytes.Contains(fb, []byte("TCGETS, {c_iflag=")) || !bytes.Contains(fb, []byte("TIOCGWINSZ, {ws_row=")) {
			t.Errorf("run %s: lines differ\nstrace:\n%s\nferret:\n%s", n, sb, fb)
		}
	}
}
