// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// allBytes holds every byte value but NUL, '.' and '/'.
func allBytes() string {
	var b []byte
	for c := 1; c < 256; c++ {
		if c != '.' && c != '/' {
			b = append(b, byte(c))
		}
	}
	return string(b)
}

// hostileCapture writes a capture whose metadata and events carry the
// hostile names everywhere a name is printed from.
func hostileCapture(t *testing.T) string {
	t.Helper()
	names := append(append([]string(nil), testutil.HostileNames...), allBytes())
	snap := &event.Snapshot{
		Machine: event.Machine{NumCPUs: 2, MemBytes: 1 << 30, MaxPID: 4194304, Hostname: "host", BootTime: 1_600_000_000_000_000_000},
		Users:   []event.User{{UID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/sh"}},
		Groups:  []event.Group{{GID: 0, Name: "root"}},
	}
	g := &synth.Gen{TS: 1_700_000_000_000_000_000, Step: 1_000}
	for i, n := range names {
		tid := int64(100 + i)
		comm := n
		if len(comm) > 15 {
			comm = comm[:15]
		}
		snap.Threads = append(snap.Threads, event.Thread{TID: tid, PID: tid, PTID: 1, SID: tid, VPGID: tid,
			Comm: comm, Exe: "/bin/" + n, ExePath: "/bin/" + n, Args: []string{n, "-" + n}, Cwd: "/cwd" + n + "/",
			Env: []string{"V=" + n}, FDLimit: 1024, VTID: tid, VPID: tid, Root: "/", LoginUID: -1,
			FDs: []event.FD{{Num: 5, Type: event.FDFileV2, Name: "/snap/" + n, OpenFlags: 1}}})
		g.Open(tid, "/tmp/"+n, synth.ORdonly, 0, 3)
		g.Read(tid, 3, 100, []byte("data "+n))
		g.Write(tid, 5, []byte(n+"\n"))
		g.OpenAt(tid, synth.AtFDCWD, "rel"+n, synth.ORdonly, 0, 4)
		g.Write(tid, 1, []byte("out "+n+"\n"))
		g.Unlinkat(tid, synth.AtFDCWD, "/tmp/u"+n, 0)
		g.Chdir(tid, "/cd"+n, 0)
		g.Open(tid, "again"+n, synth.ORdonly, 0, 6)
		g.Execve(tid, synth.Proc{PID: tid, PTID: 1, Exe: "/usr/bin/" + n, Args: []string{"a" + n, n}, Cwd: "/cd" + n + "/",
			Comm: comm, Env: []string{"E=" + n}}, 0)
		g.Close(tid, 6, 0)
	}
	var buf bytes.Buffer
	w, err := capfile.NewWriter(&buf, snap, capfile.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range g.Events() {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "hostile.scap")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var hostileModes = [][]string{
	nil,
	{"-A"},
	{"-X"},
	{"-x"},
	{"-b"},
	{"-v"},
	{"-p", "*%evt.num %fd.name %fd.filename %fd.directory %evt.arg.name %evt.rawarg.name %evt.arg.fd %evt.arg.path %evt.arg.exe"},
	{"-p", "*%evt.num %proc.name %proc.exe %proc.exepath %proc.cmdline %proc.args %proc.cwd %proc.env %proc.pname %thread.tid"},
	{"-p", "*%evt.num %evt.args | %evt.info | %evt.buffer | %evt.rawarg.data"},
	{"-A", "-p", "*%evt.num %evt.info | %evt.arg.data | %evt.rawarg.data"},
	{"-c", "stdout"},
	{"-c", "topfiles_bytes"},
	{"-c", "spy_file"},
	{"-c", "lsof"},
	{"-c", "ps"},
	{"-c", "list_login_shells"},
}

// TestHostileNames prints a capture full of hostile names in every text
// mode: no byte that can drive a terminal may reach the output, and the
// output is sysdig 0.29.3's with its unsafe bytes shown as '.'.
func TestHostileNames(t *testing.T) {
	path := hostileCapture(t)
	haveSysdig := true
	if _, err := exec.LookPath("sysdig"); err != nil {
		haveSysdig = false
		if !testing.Short() {
			testutil.RequireTool(t, "sysdig")
		}
	}
	for _, mode := range hostileModes {
		args := append([]string{"-r", path}, mode...)
		t.Run(strings.Join(mode, " "), func(t *testing.T) {
			got, rc := runCLI(t, ".", args)
			if rc != 0 {
				t.Fatalf("ferret %q: exit %d: %s", args, rc, got)
			}
			if i := testutil.UnsafeByte([]byte(got)); i >= 0 {
				t.Fatalf("ferret %q prints byte 0x%02x at %d: %q", args, got[i], i, got[max(0, i-40):min(len(got), i+40)])
			}
			if !haveSysdig {
				return
			}
			cmd := exec.Command("sysdig", args...)
			want, err := cmd.Output() // -v statistics go to stderr
			if err != nil {
				t.Fatalf("sysdig %q: %v", args, err)
			}
			if i := strings.Index(got, "Driver Events:"); i >= 0 && mode0(mode) == "-v" {
				got = got[:i]
			}
			if mode0(mode) == "-c" && strings.HasPrefix(mode[1], "top") {
				// Top tables sort by value only: ties may differ.
				if !sameUpToTies(sanitizeAll(got, true), sanitizeAll(string(want), true)) {
					t.Errorf("ferret %q differs from sysdig's (made safe):\n%s", args, firstDiff(sanitizeAll(got, true), sanitizeAll(string(want), true)))
				}
				return
			}
			// Line feeds inside sysdig's values become '.' in ferret's:
			// compare with every control byte made '.' on both sides.
			if g, w := sanitizeAll(got, false), sanitizeAll(string(want), false); g != w {
				i := 0
				for i < len(g) && i < len(w) && g[i] == w[i] {
					i++
				}
				t.Errorf("ferret %q differs from sysdig's (made safe) at byte %d:\n got: %q\nwant: %q", args, i,
					g[max(0, i-60):min(len(g), i+60)], w[max(0, i-60):min(len(w), i+60)])
			}
		})
	}
}

func mode0(m []string) string {
	if len(m) == 0 {
		return ""
	}
	return m[0]
}

// sanitizeAll replaces the unsafe bytes of out; line feeds and tabs too
// unless layout.
func sanitizeAll(out string, layout bool) string {
	b := []byte(out)
	fields.Sanitize(b, layout)
	return string(b)
}

// TestHostileNamesTop prints every view of ferret top over the hostile
// capture, as text (--raw) and JSON (-j): no byte that could drive a
// terminal reaches the output. csysdig prints names raw in --raw; ferret
// shows those bytes as '.', as in every text mode. JSON escapes control
// bytes and non-ASCII characters as csysdig's jsoncpp does (\u001b,
// \u009b), leaving only DEL raw, as csysdig and sysdig -j do.
func TestHostileNamesTop(t *testing.T) {
	path := hostileCapture(t)
	list, rc := runCLI(t, ".", []string{"top", "--list-views"})
	if rc != 0 {
		t.Fatalf("top --list-views: exit %d: %s", rc, list)
	}
	var views []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(list), &views); err != nil || len(views) < 10 {
		t.Fatalf("top --list-views: %v (%d views)", err, len(views))
	}
	for _, v := range views {
		raw, rc := runCLI(t, ".", []string{"top", "-r", path, "--raw", "-v", v.ID})
		if rc == 1 && strings.Contains(raw, "shows the kernel's network counters of a live system") {
			continue // a live-only view (netprocs, netpeers) says so for a file
		}
		if rc != 0 {
			t.Fatalf("top --raw -v %s: exit %d: %s", v.ID, rc, raw)
		}
		if i := testutil.UnsafeByte([]byte(raw)); i >= 0 {
			t.Errorf("top --raw -v %s prints byte 0x%02x at %d: %q", v.ID, raw[i], i, raw[max(0, i-40):min(len(raw), i+40)])
		}
		js, rc := runCLI(t, ".", []string{"top", "-r", path, "-j", "-v", v.ID})
		if rc != 0 {
			t.Fatalf("top -j -v %s: exit %d: %s", v.ID, rc, js)
		}
		for i := 0; i < len(js); i++ {
			if c := js[i]; (c < 0x20 && c != '\n') || c >= 0x80 {
				t.Errorf("top -j -v %s prints byte 0x%02x at %d: %q", v.ID, c, i, js[max(0, i-40):min(len(js), i+40)])
				break
			}
		}
	}
	// The names are there, escaped as csysdig escapes them.
	js, _ := runCLI(t, ".", []string{"top", "-r", path, "-j", "-v", "procs"})
	for _, want := range []string{`/usr/bin/x\u001b[31mred\u001b[0m`, `/usr/bin/c1\u009b2J\u009d0;t\u009c`, `/usr/bin/bidi\u202eevil\u00e9`, "/usr/bin/del\x7fesc\\u001b"} {
		if !strings.Contains(js, want) {
			t.Errorf("top -j -v procs lacks %q", want)
		}
	}
	raw, _ := runCLI(t, ".", []string{"top", "-r", path, "--raw", "-v", "procs"})
	for _, want := range []string{"/usr/bin/x.[31mred.[0m", "/usr/bin/c1..2J..0;t..", "/usr/bin/bidi\u202eevil\u00e9"} {
		if !strings.Contains(raw, want) {
			t.Errorf("top --raw -v procs lacks %q", want)
		}
	}
}
