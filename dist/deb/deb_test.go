// SPDX-License-Identifier: Apache-2.0

package deb

import (
	"bufio"
	"debug/elf"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// unit reads the [Service] settings of a systemd unit file.
func unit(t *testing.T, path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	section := ""
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			section = l
			continue
		}
		if k, v, ok := strings.Cut(l, "="); ok && section == "[Service]" && !strings.HasPrefix(l, "#") {
			out[k] = v
		}
	}
	return out
}

// envFile reads a systemd EnvironmentFile (KEY=VALUE, optionally quoted).
func envFile(t *testing.T, path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			out[k] = strings.Trim(v, `"'`)
		}
	}
	return out
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func installed() bool {
	out, _ := exec.Command("dpkg-query", "-W", "-f=${Status}", "ferret").Output()
	return strings.Contains(string(out), "installed") && !strings.Contains(string(out), "not-installed")
}

// TestPackage builds the package with make deb, checks it with lintian,
// installs it with apt, runs ferret-net.service's command line with the
// unit's options file and capability set (setpriv, as systemd would:
// uid 0, bounding, ambient and inheritable sets of the unit only, no new
// privileges), scrapes its metrics, and purges the package, after which
// none of its files is left.
func TestPackage(t *testing.T) {
	testutil.RequireRoot(t)
	for _, tool := range []string{"dpkg-deb", "apt-get", "lintian", "setpriv", "make", "git"} {
		testutil.RequireTool(t, tool)
	}
	lock, err := os.OpenFile("/tmp/ferret-deb-test.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if installed() {
		t.Fatal("the ferret package is installed already; this test installs and purges it")
	}
	root, _ := filepath.Abs("../..")
	out := t.TempDir()
	debPath := strings.TrimSpace(lastLine(run(t, root, []string{"OUT=" + out}, "make", "--no-print-directory", "deb")))
	if !strings.HasPrefix(filepath.Base(debPath), "ferret_") || !strings.HasSuffix(debPath, ".deb") {
		t.Fatalf("make deb printed %q", debPath)
	}
	if !filepath.IsAbs(debPath) {
		debPath = filepath.Join(root, debPath)
	}
	if o, err := exec.Command("lintian", "--fail-on", "error,warning", debPath).CombinedOutput(); err != nil {
		t.Errorf("lintian: %v\n%s", err, o)
	}
	var files []string
	for _, l := range strings.Split(run(t, root, nil, "dpkg-deb", "-c", debPath), "\n") {
		if f := strings.Fields(l); len(f) >= 6 && strings.HasPrefix(f[0], "-") {
			files = append(files, strings.TrimPrefix(f[5], "."))
		}
	}

	run(t, root, []string{"DEBIAN_FRONTEND=noninteractive"}, "apt-get", "install", "-y", "-q", "--no-install-recommends", debPath)
	purged := false
	defer func() {
		if !purged {
			exec.Command("apt-get", "purge", "-y", "-q", "ferret").Run()
		}
	}()
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("installed package lacks %s: %v", f, err)
		}
	}
	for _, f := range []string{"/usr/bin/ferret", "/usr/share/man/man1/ferret-trace.1.gz", "/usr/share/bash-completion/completions/ferret",
		"/usr/share/zsh/vendor-completions/_ferret", "/usr/share/fish/vendor_completions.d/ferret.fish",
		"/usr/share/ferret/zabbix/ferret_net_template.json", "/lib/systemd/system/ferret-net.service", "/etc/default/ferret",
		"/usr/share/doc/ferret/changelog.gz", "/usr/share/doc/ferret/copyright"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%v", err)
		}
	}
	if p := strings.TrimSpace(run(t, root, nil, "man", "-w", "ferret-netfs")); p != "/usr/share/man/man1/ferret-netfs.1.gz" {
		t.Errorf("man -w ferret-netfs: %q", p)
	}
	head := strings.TrimSpace(run(t, root, nil, "git", "rev-parse", "HEAD"))
	version := run(t, root, nil, "/usr/bin/ferret", "--version")
	if !regexp.MustCompile(`(?m)^commit: +`+head+`(\+dirty)?$`).MatchString(version) || !strings.HasPrefix(version, "ferret version ") {
		t.Errorf("installed ferret --version, HEAD %s:\n%s", head, version)
	}

	// the unit as systemd reads it (its Documentation= page included)
	if _, err := exec.LookPath("systemd-analyze"); err == nil {
		run(t, root, nil, "systemd-analyze", "verify", "/lib/systemd/system/ferret-net.service")
	} else {
		testutil.Unavailable(t, "systemd-analyze not installed")
	}

	// the service, as systemd would start it
	u := unit(t, "/lib/systemd/system/ferret-net.service")
	env := envFile(t, strings.TrimPrefix(u["EnvironmentFile"], "-"))
	opts := env["FERRET_NET_OPTS"]
	if opts != "--prometheus 127.0.0.1:9464 -q" {
		t.Errorf("/etc/default/ferret: FERRET_NET_OPTS=%q", opts)
	}
	// another port than the default one, which an exporter may hold
	opts = strings.Replace(opts, "127.0.0.1:9464", "127.0.0.1:0", 1)
	argv := strings.Fields(strings.ReplaceAll(u["ExecStart"], "$FERRET_NET_OPTS", opts))
	if u["CapabilityBoundingSet"] != u["AmbientCapabilities"] || u["NoNewPrivileges"] != "yes" || u["User"] != "" {
		t.Fatalf("unit: bounding set %q, ambient %q, NoNewPrivileges %q, User %q", u["CapabilityBoundingSet"],
			u["AmbientCapabilities"], u["NoNewPrivileges"], u["User"])
	}
	caps := "-all"
	for _, c := range strings.Fields(u["CapabilityBoundingSet"]) {
		caps += ",+" + strings.ToLower(strings.TrimPrefix(c, "CAP_"))
	}
	if caps != "-all,+bpf,+perfmon,+net_admin" {
		t.Errorf("unit capabilities: %s", caps)
	}
	cmd := exec.Command("setpriv", append([]string{"--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=" + caps, "--no-new-privs", "--"}, argv...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	addr := ""
	sc := bufio.NewScanner(stderr)
	var log []string
	for sc.Scan() {
		log = append(log, sc.Text())
		if a, ok := strings.CutPrefix(sc.Text(), "ferret net: serving metrics on http://"); ok {
			addr = strings.TrimSuffix(a, "/metrics")
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if addr == "" {
		cmd.Wait()
		t.Fatalf("%v: no metrics address:\n%s", argv, strings.Join(log, "\n"))
	}
	// scrape until the first interval has been exported (every 10 s by
	// default); the scrapes themselves are traffic of this program
	intervals := regexp.MustCompile(`(?m)^ferret_net_intervals_total ([0-9]+)$`)
	var body string
	for {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatalf("scrape: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if m := intervals.FindStringSubmatch(body); m != nil {
			if n, _ := strconv.Atoi(m[1]); n > 0 {
				break
			}
		}
		time.Sleep(200 * time.Millisecond) // polling pace, not an assertion
	}
	if !strings.Contains(body, "\nferret_net_sent_bytes_total{") {
		t.Errorf("no ferret_net_sent_bytes_total series after an interval:\n%.2000s", body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("the service's command after SIGTERM: %v", err)
	}

	run(t, root, []string{"DEBIAN_FRONTEND=noninteractive"}, "apt-get", "purge", "-y", "-q", "ferret")
	purged = true
	if installed() {
		t.Error("ferret still installed after purge")
	}
	for _, f := range append(files, "/etc/default/ferret", "/usr/share/ferret", "/usr/share/doc/ferret") {
		if _, err := os.Lstat(f); err == nil {
			t.Errorf("%s left after purge", f)
		}
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

// TestPackageArm64: make deb ARCH=arm64 cross-builds the arm64 package
// (GOARCH=arm64 with the committed arm64 BPF objects): an aarch64 binary,
// the same files as the native package, lintian clean.
func TestPackageArm64(t *testing.T) {
	for _, tool := range []string{"dpkg-deb", "lintian", "make", "git"} {
		testutil.RequireTool(t, tool)
	}
	root, _ := filepath.Abs("../..")
	out := t.TempDir()
	debPath := lastLine(run(t, root, []string{"OUT=" + out, "ARCH=arm64"}, "make", "--no-print-directory", "deb", "ARCH=arm64"))
	if filepath.Base(debPath) != "ferret_"+strings.TrimSpace(run(t, root, nil, "dpkg-deb", "-f", debPath, "Version"))+"_arm64.deb" {
		t.Fatalf("make deb ARCH=arm64 printed %q", debPath)
	}
	if a := strings.TrimSpace(run(t, root, nil, "dpkg-deb", "-f", debPath, "Architecture")); a != "arm64" {
		t.Errorf("Architecture: %s", a)
	}
	x := t.TempDir()
	run(t, root, nil, "dpkg-deb", "-x", debPath, x)
	f, err := elf.Open(filepath.Join(x, "usr/bin/ferret"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("usr/bin/ferret is for %v", f.Machine)
	}
	var files []string
	for _, l := range strings.Split(run(t, root, nil, "dpkg-deb", "-c", debPath), "\n") {
		if fl := strings.Fields(l); len(fl) >= 6 {
			files = append(files, fl[5])
		}
	}
	for _, want := range []string{"./usr/bin/ferret", "./usr/share/man/man1/ferret.1.gz", "./lib/systemd/system/ferret-net.service",
		"./usr/share/zsh/vendor-completions/_ferret", "./usr/share/ferret/zabbix/ferret_net_template.json"} {
		if !contains(files, want) {
			t.Errorf("arm64 package lacks %s", want)
		}
	}
	if o, err := exec.Command("lintian", "--fail-on", "error,warning", debPath).CombinedOutput(); err != nil {
		t.Errorf("lintian: %v\n%s", err, o)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
