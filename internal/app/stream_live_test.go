// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestLiveStreamNATS streams a live capture to a real nats-server, kills
// the server for 10 s in the middle and starts it again, then reads the
// stream back: every open of the marker file is there exactly once, and
// the reads on it carry the file's name, resolved from the streamed state.
func TestLiveStreamNATS(t *testing.T) {
	testutil.RequireRoot(t)
	if testing.Short() {
		t.Skip("loads the probe")
	}
	srv := testutil.StartNATS(t)
	bin := testutil.FerretBinary(t)
	dir := t.TempDir()
	marker, end := filepath.Join(dir, "marker"), filepath.Join(dir, "end")
	for _, p := range []string{marker, end} {
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The trigger is a shell under a name of its own, which the kernel
	// filters on.
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sh)
	if err != nil {
		t.Fatal(err)
	}
	trig := filepath.Join(dir, "natstrig")
	if err := os.WriteFile(trig, data, 0o755); err != nil {
		t.Fatal(err)
	}
	url := srv.URL + "/ferret.live"
	cmd := exec.Command(bin, "-w", url, "--spool", filepath.Join(dir, "spool"),
		fmt.Sprintf("proc.name=natstrig and (fd.name=%s or fd.name=%s)", marker, end))
	var errb testutil.LockedBuffer
	cmd.Stderr = &errb
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// A writer that stopped (an error it names on stderr) ends the test
	// instead of leaving it waiting for messages that cannot come.
	alive := func() {
		t.Helper()
		select {
		case err := <-exited:
			t.Fatalf("ferret -w exited: %v: %s", err, errb.String())
		default:
		}
	}
	for !strings.Contains(errb.String(), "capture started") {
		alive()
		time.Sleep(20 * time.Millisecond)
	}
	opens := func(file string) {
		t.Helper()
		out, err := exec.Command(trig, "-c", `i=0; while [ $i -lt 50 ]; do read x < "$1"; i=$((i+1)); done`, "natstrig", file).CombinedOutput()
		if err != nil {
			t.Fatalf("trigger: %v %s", err, out)
		}
	}
	opens(marker)
	srv.Kill()
	opens(marker)
	time.Sleep(10 * time.Second) // the outage
	srv.Start()
	opens(marker)
	opens(end)
	// Wait until the last opens are in the stream.
	for {
		out, _ := exec.Command(bin, "-r", url, "-p", "%fd.name", "evt.type=openat and evt.dir=<").Output()
		if strings.Count(string(out), end+"\n") == 50 {
			break
		}
		alive()
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := <-exited; err != nil {
		t.Fatalf("ferret -w: %v: %s", err, errb.String())
	}
	if strings.Contains(errb.String(), "ferret: NATS") {
		t.Errorf("writer reports drops: %s", errb.String())
	}
	out, err := exec.Command(bin, "-r", url, "-p", "%evt.type %evt.dir %fd.name %proc.name %evt.hostname").CombinedOutput()
	if err != nil {
		t.Fatalf("ferret -r: %v: %s", err, out)
	}
	host, _ := os.Hostname()
	n := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) != 5 {
			t.Fatalf("line %q", l)
		}
		if f[4] != host {
			t.Errorf("hostname %q in %q, want %q", f[4], l, host)
		}
		if f[2] == marker && f[1] == "<" {
			n[f[0]]++
		}
	}
	if n["openat"] != 150 {
		t.Errorf("%d opens of the marker read back, want 150 (50 before, during and after the outage)", n["openat"])
	}
	if n["read"] < 150 {
		t.Errorf("%d reads on the marker with its name, want at least 150", n["read"])
	}
}

// TestStreamCLI streams two capture files to two subjects with ferret -w
// and reads them back merged with ferret -r nats://…/ferret.>, and checks
// the errors of bad addresses and of an unreachable server.
func TestStreamCLI(t *testing.T) {
	srv := testutil.StartNATS(t)
	a, b := testutil.Reference(t, "traces", "sample.scap"), testutil.Reference(t, "traces", "curl_google.scap")
	for subj, p := range map[string]string{"ferret.a": a, "ferret.b": b} {
		if out, rc := runCLI(t, ".", []string{"-r", p, "-w", srv.URL + "/" + subj}); rc != 0 {
			t.Fatalf("-w %s: rc %d: %s", subj, rc, out)
		}
	}
	count := func(args ...string) map[string]int {
		out, rc := runCLI(t, ".", args)
		if rc != 0 {
			t.Fatalf("%v: rc %d: %s", args, rc, out)
		}
		m := map[string]int{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			m[l]++
		}
		return m
	}
	fa := count("-r", a, "-p", "%evt.hostname")
	fb := count("-r", b, "-p", "%evt.hostname")
	got := count("-r", srv.URL+"/ferret.>", "-p", "%evt.hostname")
	for h, n := range fa {
		fb[h] += n
	}
	if fmt.Sprint(got) != fmt.Sprint(fb) {
		t.Errorf("events per host read back %v, want %v", got, fb)
	}
	// the same lines as the file, chisel included
	for _, args := range [][]string{{"-p", "%evt.num %evt.time %proc.name %fd.name %evt.info"}, {"-c", "topfiles_bytes"}, {"top", "--raw"}, {"top", "-j"}} {
		var pre []string
		if args[0] == "top" {
			pre, args = []string{"top"}, args[1:]
		}
		want, _ := runCLI(t, ".", append(append(pre, "-r", a), args...))
		have, _ := runCLI(t, ".", append(append(pre, "-r", srv.URL+"/ferret.a"), args...))
		if have != want || len(want) < 100 {
			t.Errorf("-r nats:// %v %v differs from the file:\n%s\nwant:\n%s", pre, args, have, want)
		}
	}
	host := strings.TrimPrefix(srv.URL, "nats://")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-r", "nats://" + host + "/nothing.here"}, "no NATS stream holds subject nothing.here"},
		{[]string{"-r", "nats://" + host + "/a..b"}, "empty token"},
		{[]string{"-r", a, "-w", "nats://" + host + "/ferret.*"}, "without wildcards"},
		{[]string{"-r", "nats://" + host + "/ferret.a", "-r", a}, "read alone"},
		{[]string{"-r", "nats://" + host + "/ferret.a", "--since", "yesterday"}, "invalid --since"},
		{[]string{"-r", a, "--since", "10m"}, "--since reads a stream"},
		{[]string{"-r", a, "--follow"}, "--follow reads a stream"},
		{[]string{"-r", a, "-w", "/dev/null", "--spool", "/tmp"}, "--spool applies to a stream writer"},
		{[]string{"-r", a, "--nats-creds", "/x"}, "--nats-creds needs -r or -w nats://"},
	} {
		out, rc := runCLI(t, ".", tc.args)
		if rc == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: rc %d, %q; want an error saying %q", tc.args, rc, out, tc.want)
		}
	}
	srv.Stop()
	out, rc := runCLI(t, ".", []string{"-r", a, "-w", srv.URL + "/ferret.c"})
	if rc == 0 || !strings.Contains(out, "cannot connect to NATS server") {
		t.Errorf("unreachable server: rc %d %q", rc, out)
	}
}

// TestNetNATSErrors: ferret net --nats checks its address and server
// before loading the probe.
func TestNetNATSErrors(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"http://x", "the scheme must be nats:// or tls://"},
		{"nats://127.0.0.1:1/ferret.net.x", "cannot connect to NATS server"},
	} {
		out, rc := runCLI(t, ".", []string{"net", "--nats", tc.url, "-n", "1"})
		if rc == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("--nats %s: rc %d %q, want %q", tc.url, rc, out, tc.want)
		}
	}
}
