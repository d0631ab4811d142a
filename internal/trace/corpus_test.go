// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// corpusCmd is one everyday command of the comparison corpus.
type corpusCmd struct {
	name   string
	follow bool // trace children and threads (-f)
	args   []string
}

// corpus returns the commands compared against strace. They run in dir,
// which holds a small tree (tree/), a text file (words) and a tarball.
// url is a loopback HTTP server.
func corpus(url string) []corpusCmd {
	py := "/usr/bin/python3"
	return []corpusCmd{
		{"true", false, []string{"true"}},
		{"false", false, []string{"false"}},
		{"ls", false, []string{"ls", "/"}},
		{"ls-l", false, []string{"ls", "-l", "tree"}},
		{"ls-R", false, []string{"ls", "-R", "tree"}},
		{"cat", false, []string{"cat", "words"}},
		{"cat-missing", false, []string{"cat", "/nonexistent/file"}},
		{"id", false, []string{"id"}},
		{"whoami", false, []string{"whoami"}},
		{"uname", false, []string{"uname", "-a"}},
		{"pwd", false, []string{"pwd"}},
		{"echo", false, []string{"/bin/echo", "hello", "world"}},
		{"head", false, []string{"head", "-n", "2", "words"}},
		{"tail", false, []string{"tail", "-n", "2", "words"}},
		{"wc", false, []string{"wc", "-l", "words"}},
		{"sort", false, []string{"sort", "words"}},
		{"uniq", false, []string{"uniq", "words"}},
		{"grep", false, []string{"grep", "-c", "a", "words"}},
		{"sed", false, []string{"sed", "s/a/b/", "words"}},
		{"cut", false, []string{"cut", "-c1-3", "words"}},
		{"md5sum", false, []string{"md5sum", "words"}},
		{"stat", false, []string{"stat", "words"}},
		{"touch", false, []string{"touch", "new-file"}},
		{"mkdir", false, []string{"mkdir", "-p", "made/a/b"}},
		{"ln", false, []string{"ln", "-sf", "words", "link"}},
		{"readlink", false, []string{"readlink", "-f", "tree/a"}},
		{"cp", false, []string{"cp", "-r", "tree", "tree-copy"}},
		{"mv", false, []string{"mv", "tree-copy", "tree-moved"}},
		{"rm", false, []string{"rm", "-r", "tree-moved"}},
		{"chmod", false, []string{"chmod", "600", "words"}},
		{"du", false, []string{"du", "-s", "tree"}},
		{"find", false, []string{"find", "tree"}},
		{"tar-c", false, []string{"tar", "cf", "out.tar", "tree"}},
		{"tar-t", false, []string{"tar", "tf", "tree.tar"}},
		{"tar-x", false, []string{"tar", "xf", "tree.tar", "-C", "made"}},
		{"dd", false, []string{"dd", "if=/dev/zero", "of=zeros", "bs=512", "count=4", "status=none"}},
		{"gzip", false, []string{"gzip", "-kf", "words"}},
		{"env-missing", false, []string{"env", "no-such-command-here"}},
		// an argument list and (-v) an environment of more than 64 strings
		{"env-many", false, envMany()},
		{"sleep", false, []string{"sleep", "0.01"}},
		{"sh", true, []string{"sh", "-c", "cat words >/dev/null; exit 3"}},
		{"sh-kill", false, []string{"sh", "-c", "kill -TERM $$"}},
		{"python", false, []string{py, "-c", "print(1)"}},
		{"python-signal", false, []string{py, "-c", "import signal,os\nsignal.signal(signal.SIGUSR1, lambda *a: None)\nos.kill(os.getpid(), signal.SIGUSR1)"}},
		{"python-threads", true, []string{py, "-c", pyThreads}},
		// a thread killed in its sleep by the main thread's exit_group
		{"python-thread-killed", true, []string{py, "-c", "import ctypes,os\nl=ctypes.CDLL(None)\nt=ctypes.c_ulong()\nl.pthread_create(ctypes.byref(t),None,l.usleep,ctypes.c_void_p(5000000))\nl.usleep(100000)\nos._exit(3)"}},
		{"curl", true, []string{"curl", "-s", "-o", "page", url}},
		// ignored signals (SIG_IGN, SIGCHLD's default), fd_set polling
		{"python-ignored", false, []string{py, "-c", "import os,signal\nsignal.signal(signal.SIGUSR2, signal.SIG_IGN)\nos.kill(os.getpid(), signal.SIGUSR2)\nif os.fork() == 0: os._exit(0)\nos.wait()"}},
		{"python-select", false, []string{py, "-c", "import os,select\nr,w=os.pipe()\nos.write(w,b'x')\nselect.select([r],[w],[],0)\nos.read(r,1)\nselect.select([r],[],[],0)"}},
		{"id-groups", false, []string{"id", "-G"}},
		// iovec arrays, msghdr with names and control messages
		{"python-msg", false, []string{py, "-c", pyMessages}},
		// prctl(PR_CAPBSET_READ, ...), faccessat2
		{"free", false, []string{"free"}},
		// timer_create, timer_settime, wait4 WNOHANG
		{"timeout", false, []string{"timeout", "1", "sleep", "0.01"}},
		// prctl options and results, memory policies, POSIX timers
		{"python-numa", false, []string{py, "-c", pyNuma}},
		// prctl's sub-arguments: flags, sub-commands, names
		{"python-prctl", false, []string{py, "-c", pyPrctl}},
		// struct mmsghdr arrays with their data, names and msg_len
		{"python-mmsg", false, []string{py, "-c", pyMmsg}},
		// ... more of them than strace shows (-s 32 elements; all with -v)
		{"python-mmsg-40", false, []string{py, "-c", strings.Replace(pyMmsg, "N=3", "N=40", 1)}},
	}
}

// envMany runs true through env with 100 more variables.
func envMany() []string {
	args := []string{"env"}
	for i := 1; i <= 100; i++ {
		args = append(args, fmt.Sprintf("V%03d=value-%d", i, i))
	}
	return append(args, "true")
}

// pyThreads starts two threads and joins them. Each thread is the C
// library's usleep (200 and 400 ms), so no thread runs Python code: threads
// taking turns with Python's interpreter lock make a number of futex calls
// that changes from run to run under either tracer (the kernel's own
// syscall tracepoints count what ferret counts), while here the main thread
// waits in pthread_join's one futex call per thread, long before either
// thread ends.
const pyThreads = `import ctypes
l=ctypes.CDLL(None)
t=[ctypes.c_ulong() for i in range(2)]
for i in range(2): l.pthread_create(ctypes.byref(t[i]),None,l.usleep,ctypes.c_void_p(200000*(i+1)))
for i in range(2): l.pthread_join(t[i],None)`

// pyMmsg sends three UDP datagrams over loopback with one sendmmsg and
// receives them with recvmmsg (a timeout, then MSG_DONTWAIT until EAGAIN);
// sendmmsg on a bad descriptor fails.
const pyMmsg = `import ctypes,socket,struct
l=ctypes.CDLL(None,use_errno=True)
class iov(ctypes.Structure): _fields_=[("b",ctypes.c_void_p),("n",ctypes.c_size_t)]
class hdr(ctypes.Structure): _fields_=[("name",ctypes.c_void_p),("nl",ctypes.c_uint),("iov",ctypes.c_void_p),("il",ctypes.c_size_t),("c",ctypes.c_void_p),("cl",ctypes.c_size_t),("f",ctypes.c_int)]
class mm(ctypes.Structure): _fields_=[("h",hdr),("len",ctypes.c_uint)]
r=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
r.bind(("127.0.0.1",0))
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
sa=ctypes.create_string_buffer(struct.pack("<HH4s8x",socket.AF_INET,socket.htons(r.getsockname()[1]),socket.inet_aton("127.0.0.1")),16)
N=3
bs=[ctypes.create_string_buffer(b"msg%d"%k) for k in range(N)]
v=(iov*N)(*[iov(ctypes.cast(bs[k],ctypes.c_void_p),4) for k in range(N)])
m=(mm*N)()
for k in range(N):
    m[k].h.name=ctypes.addressof(sa); m[k].h.nl=16; m[k].h.iov=ctypes.addressof(v)+16*k; m[k].h.il=1
l.sendmmsg(s.fileno(),m,N,0)
l.sendmmsg(99,m,N,0)
rb=[ctypes.create_string_buffer(8) for k in range(N)]
rv=(iov*N)(*[iov(ctypes.cast(rb[k],ctypes.c_void_p),8) for k in range(N)])
rn=[ctypes.create_string_buffer(16) for k in range(N)]
rm=(mm*N)()
for k in range(N):
    rm[k].h.name=ctypes.addressof(rn[k]); rm[k].h.nl=16; rm[k].h.iov=ctypes.addressof(rv)+16*k; rm[k].h.il=1
l.recvmmsg(r.fileno(),rm,2,0,(ctypes.c_long*2)(5,0))
l.recvmmsg(r.fileno(),rm,N,socket.MSG_DONTWAIT,None)
l.recvmmsg(r.fileno(),rm,N,socket.MSG_DONTWAIT,None)
`

// pyPrctl calls prctl with options whose sub-arguments strace decodes
// (most fail on x86-64 with EINVAL, which is as good for the decoding).
const pyPrctl = `import ctypes
l=ctypes.CDLL(None,use_errno=True)
P=l.prctl
P.argtypes=[ctypes.c_int]+[ctypes.c_ulong]*4
n=ctypes.create_string_buffer(b"anon")
for a in [(28,0x10),(27,),(28,0x105),(28,0x100),(6,3),(6,4),(45,1),(54,1),(60,1,2),(35,1,0x1000),(35,13,3),(35,99),
          (33,1,1),(33,1,2),(33,1,7),(33,0),(34,),(41,1),(42,),(10,1),(12,0x80),(20,1),(57,0),(58,),
          (50,0x10),(50,(1<<18)|0x20),(63,1<<17),(55,0),(55,0x7fffb),(55,6|(1<<60)),
          (0x53564d41,0,0x1000,4096,ctypes.addressof(n)),(0x53564d41,1,0x1000,4096),
          (62,0,0,2,0),(62,1,0,1),(62,7,0,9)]:
    P(*(list(a)+[0]*(5-len(a))))
`

// pyNuma calls prctl with options whose arguments and results strace
// names, get_mempolicy, set_mempolicy and mbind with node masks, and the
// POSIX timer calls, through ctypes; the last timer fires (SI_TIMER) 200 ms
// after it is set, so that it does not fire before signal.pause() starts
// waiting (1 ms was sometimes too short on a loaded machine under -v).
const pyNuma = `import ctypes,mmap
l=ctypes.CDLL(None,use_errno=True)
for o in (3,7,21,27,30,34,52,42,39): l.prctl(o,0,0,0,0)
l.prctl(4,1,0,0,0)
l.prctl(23,0,0,0,0)
l.prctl(23,99,0,0,0)
v=ctypes.c_int()
for o in (2,25,37): l.prctl(o,ctypes.byref(v),0,0,0)
l.prctl(15,b"numa-test",0,0,0)
m=(ctypes.c_ulong*2)()
l.syscall(239,ctypes.byref(v),m,128,None,0)
m[0]=1
l.syscall(238,1,m,65)
l.syscall(238,0,None,0)
b=mmap.mmap(-1,4096)
a=ctypes.addressof(ctypes.c_char.from_buffer(b))
l.syscall(237,ctypes.c_void_p(a),4096,2,m,65,2)
l.syscall(239,ctypes.byref(v),m,128,ctypes.c_void_p(a),3)
l.syscall(237,ctypes.c_void_p(a),4096,0,None,0,0)
t=ctypes.c_int()
l.timer_create(1,None,ctypes.byref(t))
its=(ctypes.c_long*4)(0,500,5,0)
old=(ctypes.c_long*4)()
l.timer_settime(t,0,its,old)
l.timer_settime(t,1,(ctypes.c_long*4)(0,0,4000000000,0),None)
l.timer_gettime(t,its)
l.timer_getoverrun(t)
l.timer_delete(t)
l.timer_delete(77)
l.timer_create(99,None,ctypes.byref(t))
import signal
signal.signal(signal.SIGALRM,lambda *a:None)
l.timer_create(1,None,ctypes.byref(t))
l.timer_settime(t,0,(ctypes.c_long*4)(0,0,0,200000000),None)
signal.pause()`

// pyMessages sends and receives with iovec arrays and msghdr structs:
// socketpair messages in several pieces, a descriptor (SCM_RIGHTS) and
// credentials (SCM_CREDENTIALS), a UDP message with its address, writev
// and readv on a pipe, and the failing cases (a readv on a bad
// descriptor, a recvmsg that would block).
const pyMessages = `import socket,os,array
a,b=socket.socketpair()
a.sendmsg([b'hi',b'there'])
b.recvmsg(100)
r,w=os.pipe()
a.sendmsg([b'x'],[(socket.SOL_SOCKET,socket.SCM_RIGHTS,array.array('i',[r]))])
b.recvmsg(10,socket.CMSG_SPACE(4))
os.writev(w,[b'ab',b'cd'])
os.readv(r,[bytearray(1),bytearray(3)])
os.writev(w,[b'x'*100,b'',b'y'])
os.readv(r,[bytearray(50),bytearray(60)])
try: os.readv(99,[bytearray(1)])
except OSError: pass
b.setblocking(False)
try: b.recvmsg(10)
except OSError: pass
a.setsockopt(socket.SOL_SOCKET,socket.SO_PASSCRED,1)
b.setsockopt(socket.SOL_SOCKET,socket.SO_PASSCRED,1)
a.sendmsg([b'c'])
b.recvmsg(10,64)
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.bind(('127.0.0.1',0))
s.sendmsg([b'a'],[],0,s.getsockname())
s.recvmsg(10)`

// prepareCorpusDir creates the files the corpus works on.
func prepareCorpusDir(t testing.TB, dir string) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "tree", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "words"), []byte("banana\napple\ncherry\napple\ndate\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "tree", "a"), []byte("a\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "tree", "sub", "b"), bytes.Repeat([]byte("b"), 3000), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "made"), 0o755))
	if out, err := exec.Command("tar", "cf", filepath.Join(dir, "tree.tar"), "-C", dir, "tree").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
}

// resetCorpusDir undoes what the commands changed, so that each tracer
// sees the same files.
func resetCorpusDir(t testing.TB, dir string) {
	t.Helper()
	for _, p := range []string{"new-file", "made", "link", "tree-copy", "tree-moved", "out.tar", "zeros", "words.gz", "page"} {
		os.RemoveAll(filepath.Join(dir, p))
	}
	os.Chmod(filepath.Join(dir, "words"), 0o644)
	os.MkdirAll(filepath.Join(dir, "made"), 0o755)
}

var (
	// addresses: user space starts at 0x10000 and a program's heap (brk)
	// right after a non-PIE binary loaded at 0x400000, so an address has
	// at least 6 hex digits (a randomised heap start has 6 or 7); shorter
	// hex values are flags, sizes and requests
	reAddr   = regexp.MustCompile(`\b0x[0-9a-f]{6,}\b`)
	rePIDPfx = regexp.MustCompile(`^(\d+) +|^\[pid +(\d+)\] `)
	rePIDRet = regexp.MustCompile(`^(?:\d+ +|\[pid +\d+\] )?(?:set_tid_address|getpid|gettid|getppid|clone|clone3|fork|vfork)\(.*\) += (\d+)`)
	reWait   = regexp.MustCompile(`wait4\((\d+)|si_pid=(\d+)|kill\((\d+)|\] (\d+) resumed|cmsg_data=\{pid=(\d+)`)
	// address ranges in the text of /proc/PID/maps a command reads
	reMapsRange = regexp.MustCompile(`\b[0-9a-f]{8,16}-[0-9a-f]{8,16}\b`)
	reRandom    = regexp.MustCompile(`^((?:\d+ +|\[pid +\d+\] )?getrandom\()"(?:[^"\\]|\\.)*"`)
	// times, and counts of free space, memory and processes that change
	// between two runs
	reTimes   = regexp.MustCompile(`(tv_sec|tv_nsec|tv_usec|st_[amc]time(?:_nsec)?|uptime|freeram|sharedram|bufferram|freeswap|procs|loads|f_bfree|f_bavail|f_ffree)=(?:\[[0-9, ]+\]|[0-9]+)`)
	reTimeRet = regexp.MustCompile(`^((?:\d+ +|\[pid +\d+\] )?time\(NULL\) += )\d+`)
	rePort    = regexp.MustCompile(`(sin6?_port)=(?:htons\(\d+\)|"(?:\\x[0-9a-f]{2}){2}"(?: /\* htons\(\d+\) \*/)?)`)
	reEnvVars = regexp.MustCompile(`/\* \d+ vars \*/`)
	rePad     = regexp.MustCompile(`\) +=( |$)`)
	reDate    = regexp.MustCompile(`/\* \d{4}-\d\d-\d\dT[0-9:.+-]+ \*/`)
	reInode   = regexp.MustCompile(`(pipe|socket|anon_inode):\[\d+\]`)
	// -v: the inode numbers of the pipes and files each run makes anew
	reStIno = regexp.MustCompile(`\b(st_ino|stx_ino)=\d+`)
)

// normalizeTrace replaces what differs between two runs of the same command
// whoever traces it: addresses, process ids (numbered in order of first
// appearance), random bytes and times.
func normalizeTrace(text string) []string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	pids := map[string]string{}
	add := func(s string) {
		if s == "" {
			return
		}
		if _, ok := pids[s]; !ok {
			pids[s] = "PID" + strconv.Itoa(len(pids)+1)
		}
	}
	for _, l := range lines {
		if m := rePIDPfx.FindStringSubmatch(l); m != nil {
			add(m[1] + m[2])
		}
		if m := rePIDRet.FindStringSubmatch(l); m != nil {
			add(m[1])
		}
		for _, m := range reWait.FindAllStringSubmatch(l, -1) {
			add(m[1] + m[2] + m[3] + m[4] + m[5])
		}
	}
	var pidRe *regexp.Regexp
	if len(pids) > 0 {
		keys := make([]string, 0, len(pids))
		for k := range pids {
			keys = append(keys, regexp.QuoteMeta(k))
		}
		sort.Strings(keys)
		pidRe = regexp.MustCompile(`\b(` + strings.Join(keys, "|") + `)\b`)
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		// The prefix pads the pid ("%-5d ", "[pid %5d] "): a pid that
		// wrapped to fewer digits in one run pads differently.
		if m := rePIDPfx.FindStringSubmatch(l); m != nil {
			if m[1] != "" {
				l = m[1] + " " + l[len(m[0]):]
			} else {
				l = "[pid " + m[2] + "] " + l[len(m[0]):]
			}
		}
		l = reAddr.ReplaceAllString(l, "0xADDR")
		l = reMapsRange.ReplaceAllString(l, "ADDR-ADDR")
		l = reRandom.ReplaceAllString(l, `${1}"RANDOM"`)
		l = reTimes.ReplaceAllString(l, "${1}=T")
		l = reTimeRet.ReplaceAllString(l, "${1}T")
		l = rePort.ReplaceAllString(l, "${1}=htons(PORT)")
		l = reEnvVars.ReplaceAllString(l, "/* N vars */")
		l = reDate.ReplaceAllString(l, "/* DATE */")
		l = reInode.ReplaceAllString(l, "${1}:[INODE]")
		l = reStIno.ReplaceAllString(l, "${1}=INODE")
		// the " = " column depends on the width of the addresses and pids
		// replaced above
		l = rePad.ReplaceAllString(l, ") =$1")
		if pidRe != nil {
			l = pidRe.ReplaceAllStringFunc(l, func(s string) string { return pids[s] })
		}
		out = append(out, l)
	}
	return out
}

// commonLines returns the length of the longest common subsequence of a
// and b.
func commonLines(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// onlyIn returns the lines of a that are not in b (as a multiset).
func onlyIn(a, b []string) []string {
	n := map[string]int{}
	for _, l := range b {
		n[l]++
	}
	var out []string
	for _, l := range a {
		if n[l] > 0 {
			n[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}

// corpusResult is the comparison of one command.
type corpusResult struct {
	name             string
	strace, ferret   []string
	same             int
	countSame        bool
	countDiff        string
	straceStatus, fs int
}

func runStatus(cmd *exec.Cmd) (int, error) {
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), nil
	}
	return 0, err
}

// runCorpusCmd traces c with strace and ferret, lines and then -c, with
// the extra options given to both.
func runCorpusCmd(t testing.TB, bin, dir string, c corpusCmd, extra ...string) corpusResult {
	return traceCorpusCmd(t, bin, dir, c, true, extra...)
}

// traceCorpusCmd is runCorpusCmd, comparing the -c tables only when count
// is set.
func traceCorpusCmd(t testing.TB, bin, dir string, c corpusCmd, count bool, extra ...string) corpusResult {
	t.Helper()
	r := corpusResult{name: c.name}
	var flags []string
	if c.follow {
		flags = []string{"-f"}
	}
	flags = append(flags, extra...)
	env := append(os.Environ(), "LC_ALL=C", "PYTHONHASHSEED=0", "TZ=UTC")
	trace := func(tool []string, out string, count bool) string {
		resetCorpusDir(t, dir)
		args := append([]string{}, tool[1:]...)
		args = append(args, flags...)
		if count {
			args = append(args, "-c")
		}
		args = append(args, "-o", out, "--")
		args = append(args, c.args...)
		cmd := exec.Command(tool[0], args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Stdout = &stderr
		if _, err := runStatus(cmd); err != nil {
			t.Fatalf("%s %v: %v\n%s", tool[0], args, err, stderr.String())
		}
		b, _ := os.ReadFile(out)
		return string(b)
	}
	tmp := t.TempDir()
	st := trace([]string{"strace"}, filepath.Join(tmp, "s"), false)
	ft := trace([]string{bin, "trace"}, filepath.Join(tmp, "f"), false)
	r.strace, r.ferret = normalizeTrace(st), normalizeTrace(ft)
	r.same = commonLines(r.strace, r.ferret)
	if !count {
		return r
	}
	sc := trace([]string{"strace"}, filepath.Join(tmp, "sc"), true)
	fc := trace([]string{bin, "trace"}, filepath.Join(tmp, "fc"), true)
	want, got := parseSummary(t, sc), parseSummary(t, fc)
	var diffs []string
	for name, w := range want {
		if name == "total" {
			continue
		}
		if g, ok := got[name]; !ok || g != w {
			diffs = append(diffs, fmt.Sprintf("%s: ferret %d/%d, strace %d/%d", name, g.calls, g.errors, w.calls, w.errors))
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok && name != "total" {
			diffs = append(diffs, fmt.Sprintf("%s: ferret %d/%d, strace none", name, g.calls, g.errors))
		}
	}
	sort.Strings(diffs)
	r.countSame = len(diffs) == 0 && len(want) > 0
	r.countDiff = strings.Join(diffs, "; ")
	return r
}

// corpusLineFloor is the floor of identical lines of the corpus
// comparison: the test fails below it, so that a change cannot make the
// lines drift away from strace's. The -c tables must all be identical
// (every corpus command makes the same calls on every run).
const corpusLineFloor = 0.96

// corpusSetup gives the corpus tests the ferret binary, a directory
// prepared with the corpus's files, and the address of a loopback HTTP
// server (stopped when the test ends) for the HTTP clients.
func corpusSetup(t *testing.T) (bin, dir, url string) {
	bin = ferretBin(t)
	testutil.RequireTool(t, "strace")
	for _, tool := range []string{"/usr/bin/python3", "curl", "tar", "gzip"} {
		testutil.RequireTool(t, tool)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The answer comes well after the client's first look for it (a
		// poll with no timeout once the request is sent), so the client
		// always waits for it once: answering at once, the answer was
		// there or not depending on how fast the client ran, and curl's
		// poll and rt_sigaction counts changed from run to run.
		time.Sleep(100 * time.Millisecond)
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello from the loopback server\n"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	dir = t.TempDir()
	prepareCorpusDir(t, dir)
	return bin, dir, "http://" + ln.Addr().String() + "/index.txt"
}

// selectedCorpus is the corpus, or with FERRET_CORPUS_ONLY=NAME,... only
// the commands named.
func selectedCorpus(t *testing.T, url string) []corpusCmd {
	only := os.Getenv("FERRET_CORPUS_ONLY")
	if only == "" {
		return corpus(url)
	}
	names := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		names[n] = true
	}
	var cmds []corpusCmd
	for _, c := range corpus(url) {
		if names[c.name] {
			cmds = append(cmds, c)
			delete(names, c.name)
		}
	}
	if len(names) > 0 {
		t.Fatalf("FERRET_CORPUS_ONLY: no corpus command %v", names)
	}
	return cmds
}

// TestLiveCorpusMatchesStrace runs every command of the corpus under
// strace and ferret trace (-o, then -c) and compares the lines after
// normalising addresses, pids, random bytes and times. It reports the share
// of identical lines and the number of identical -c tables. With
// FERRET_CORPUS_OUT=DIR it also writes both normalised traces and the lines
// found in only one of them per command (make trace-compare).
// FERRET_CORPUS_ONLY=NAME,... runs only the commands named (the floors
// still apply to what ran).
func TestLiveCorpusMatchesStrace(t *testing.T) {
	bin, dir, url := corpusSetup(t)
	outDir := os.Getenv("FERRET_CORPUS_OUT")
	var totalSame, totalLines, countSame int
	cmds := selectedCorpus(t, url)
	for _, c := range cmds {
		r := runCorpusCmd(t, bin, dir, c)
		n := max(len(r.strace), len(r.ferret))
		totalSame += r.same
		totalLines += n
		if r.countSame {
			countSame++
		}
		t.Logf("%-15s %5.1f%% identical (%d/%d lines)  -c %v %s", c.name, 100*float64(r.same)/float64(n), r.same, n, r.countSame, r.countDiff)
		if outDir != "" {
			writeCorpusResult(outDir, c.name, r)
		}
	}
	rate := float64(totalSame) / float64(max(totalLines, 1))
	t.Logf("corpus: %d commands, %.1f%% identical lines (%d/%d), -c tables identical on %d/%d",
		len(cmds), 100*rate, totalSame, totalLines, countSame, len(cmds))
	if rate < corpusLineFloor {
		t.Errorf("identical lines %.1f%%, below the floor %.1f%%", 100*rate, 100*corpusLineFloor)
	}
	if countSame < len(cmds) {
		t.Errorf("identical -c tables on %d of %d commands", countSame, len(cmds))
	}
}

// writeCorpusResult writes both normalised traces of r and the lines
// found in only one of them into dir.
func writeCorpusResult(dir, name string, r corpusResult) {
	os.MkdirAll(dir, 0o755)
	base := filepath.Join(dir, name)
	os.WriteFile(base+".strace", []byte(strings.Join(r.strace, "\n")+"\n"), 0o644)
	os.WriteFile(base+".ferret", []byte(strings.Join(r.ferret, "\n")+"\n"), 0o644)
	var d bytes.Buffer
	for _, l := range onlyIn(r.strace, r.ferret) {
		fmt.Fprintf(&d, "- %s\n", l)
	}
	for _, l := range onlyIn(r.ferret, r.strace) {
		fmt.Fprintf(&d, "+ %s\n", l)
	}
	os.WriteFile(base+".diff", d.Bytes(), 0o644)
}

// corpusVerboseFloor is the floor of identical lines with -v.
const corpusVerboseFloor = 0.96

// TestLiveCorpusVerboseMatchesStrace runs the corpus with -v (every struct
// and array in full) under strace and ferret trace and compares the lines
// as TestLiveCorpusMatchesStrace does (the -c tables do not depend on
// -v). With FERRET_CORPUS_OUT=DIR it writes the traces and differences
// into DIR/v.
func TestLiveCorpusVerboseMatchesStrace(t *testing.T) {
	bin, dir, url := corpusSetup(t)
	outDir := os.Getenv("FERRET_CORPUS_OUT")
	var same, total int
	cmds := selectedCorpus(t, url)
	for _, c := range cmds {
		r := traceCorpusCmd(t, bin, dir, c, false, "-v")
		n := max(len(r.strace), len(r.ferret))
		same += r.same
		total += n
		t.Logf("%-15s -v %5.1f%% identical (%d/%d lines)", c.name, 100*float64(r.same)/float64(n), r.same, n)
		if outDir != "" {
			writeCorpusResult(filepath.Join(outDir, "v"), c.name, r)
		}
	}
	rate := float64(same) / float64(max(total, 1))
	t.Logf("corpus -v: %d commands, %.1f%% identical lines (%d/%d)", len(cmds), 100*rate, same, total)
	if rate < corpusVerboseFloor {
		t.Errorf("-v identical lines %.1f%%, below the floor %.1f%%", 100*rate, 100*corpusVerboseFloor)
	}
}

// decodeFDsFloor is the floor of identical lines with -y. ferret names a
// socket, pipe or other anonymous descriptor from /proc when it reads the
// call that made it; one the process closed by then (the C library's nscd
// probes: socket, connect, close) is shown without its name.
const decodeFDsFloor = 0.95

// TestLiveDecodeFDsMatchesStrace compares -y lines with strace's on the
// corpus commands that do not fork (pipes and sockets are named by inode,
// which differs between runs and is normalised).
func TestLiveDecodeFDsMatchesStrace(t *testing.T) {
	bin := ferretBin(t)
	testutil.RequireTool(t, "strace")
	dir := t.TempDir()
	prepareCorpusDir(t, dir)
	names := map[string]bool{"cat": true, "ls-l": true, "head": true, "cp": true, "mkdir": true, "tar-x": true,
		"dd": true, "gzip": true, "find": true, "sort": true, "stat": true, "rm": true}
	var same, total int
	for _, c := range corpus("") {
		if !names[c.name] {
			continue
		}
		r := runCorpusCmd(t, bin, dir, c, "-y")
		n := max(len(r.strace), len(r.ferret))
		same += r.same
		total += n
		t.Logf("%-8s -y %5.1f%% identical (%d/%d)", c.name, 100*float64(r.same)/float64(n), r.same, n)
		if r.same < n {
			t.Logf("only strace: %q\nonly ferret: %q", onlyIn(r.strace, r.ferret), onlyIn(r.ferret, r.strace))
		}
	}
	rate := float64(same) / float64(max(total, 1))
	t.Logf("-y: %.1f%% identical lines (%d/%d)", 100*rate, same, total)
	if rate < decodeFDsFloor {
		t.Errorf("-y identical lines %.1f%%, below the floor %.1f%%", 100*rate, 100*decodeFDsFloor)
	}
}

// TestNormalizePidPadding: pids of different widths (one run's pids wrapped
// past pid_max) normalise alike, in either prefix form, and the two forms
// stay apart.
func TestNormalizePidPadding(t *testing.T) {
	a := normalizeTrace("31000 write(1, \"x\", 1) = 1\n31000 +++ exited with 0 +++\n[pid 31001] close(3) = 0\n")
	b := normalizeTrace("310   write(1, \"x\", 1) = 1\n310   +++ exited with 0 +++\n[pid   311] close(3) = 0\n")
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("pid widths normalised apart:\n%q\n%q", a, b)
	}
	c := normalizeTrace("[pid 31000] write(1, \"x\", 1) = 1\n")
	if c[0] == a[0] {
		t.Errorf("the [pid N] form normalised like the bare one: %q", c[0])
	}
}

// TestNormalizeAddresses: addresses of every width a run may give them
// (a randomised heap start has 6 or 7 hex digits) normalise alike; short
// hex values (flags, requests) are kept.
func TestNormalizeAddresses(t *testing.T) {
	a := normalizeTrace("brk(NULL) = 0x9f3000\nbrk(0x9f4000) = 0x9f4000\nioctl(1, 0x5401, 0x7ffd1c2a3b40) = 0\n")
	b := normalizeTrace("brk(NULL) = 0x1d4e000\nbrk(0x1d4f000) = 0x1d4f000\nioctl(1, 0x5401, 0x7ffc00000010) = 0\n")
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("addresses normalised apart:\n%q\n%q", a, b)
	}
	m := normalizeTrace(`read(3, "558d597fc000-558d59800000 r--p 0"..., 8192) = 2868`)
	if n := normalizeTrace(`read(3, "5606977af000-5606977b3000 r--p 0"..., 8192) = 2868`); m[0] != n[0] {
		t.Errorf("maps ranges normalised apart: %q %q", m[0], n[0])
	}
	if !strings.Contains(a[2], "0x5401") {
		t.Errorf("a short hex value was normalised: %q", a[2])
	}
}

// optionsFloor is the floor of identical lines per option set of
// TestLiveOptionsMatchStrace (curl's poll timeouts change between runs).
const optionsFloor = 0.97

// TestLiveOptionsMatchStrace compares the lines of strace options that
// change what is shown (-x, -xx, -s, -z, -Z, -e status=, -q, -qq, -E, -e
// trace= classes, -e signal=, -e write=) on a few corpus commands: strings
// in hex (sockaddr paths and addresses too), xattr names cut at -s, calls
// that never returned left out by the status filters, "+++ killed by" kept
// by -qq.
func TestLiveOptionsMatchStrace(t *testing.T) {
	bin, dir, url := corpusSetup(t)
	names := map[string]bool{"ls-l": true, "cat-missing": true, "sh-kill": true, "python-msg": true, "curl": true}
	for _, mode := range [][]string{
		{"-x"}, {"-xx"}, {"-s", "5"}, {"-z"}, {"-Z"}, {"-e", "status=failed"}, {"-e", "status=unfinished"},
		{"-e", "status=!unfinished"}, {"-e", "status=none"}, {"-q"}, {"-qq"},
		{"-E", "FOO=bar"}, {"-e", "trace=file"}, {"-e", "trace=%process"}, {"-e", "signal=none"}, {"-e", "write=1,2"},
	} {
		var same, total int
		for _, c := range corpus(url) {
			if !names[c.name] {
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
		if rate < optionsFloor {
			t.Errorf("%v: identical lines %.1f%%, below the floor %.1f%%", mode, 100*rate, 100*optionsFloor)
		}
	}
}
