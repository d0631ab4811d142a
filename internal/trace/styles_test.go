// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// styleCorpus names the corpus commands the output-mode tests run: files,
// memory, signals, credentials, terminals and processes.
var styleCorpus = map[string]bool{"ls": true, "cat": true, "id": true, "stat": true, "cp": true, "sort": true,
	"sh": true, "sh-kill": true, "python-signal": true, "tar-x": true, "dd": true, "mkdir": true}

// sockets is a program using loopback TCP and UNIX sockets (sockaddrs,
// socket types, options).
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
		"-e abbrev=none true":        "unabbreviated structs are not supported",
		"-v true":                    "unabbreviated structs",
		"-e raw=nosuchcall true":     `invalid system call "nosuchcall"`,
		"--verbose=%nosuch true":     `invalid system call class "%nosuch"`,
	} {
		_, err := ParseArgs(strings.Fields(args))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", args, err, want)
		}
	}
	for _, args := range []string{"-X raw true", "-Xverbose true", "--const-print-style abbrev true", "-e raw=all true",
		"--raw=read true", "-e verbose=!read true", "--abbrev=all true"} {
		if _, err := ParseArgs(strings.Fields(args)); err != nil {
			t.Errorf("%s: %v", args, err)
		}
	}
}
