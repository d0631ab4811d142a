// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"flag"
	"fmt"
	"github.com/ferret-observability/ferret/internal/testutil"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden_known_diff.txt with the cases that differ")

// shellWords splits a command line printed by bash's printf %q.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
			in = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unbalanced quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '$' && i+1 < len(s) && s[i+1] == '\'':
			i += 2
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					switch s[i] {
					case 'n':
						cur.WriteByte('\n')
					case 't':
						cur.WriteByte('\t')
					case 'e', 'E':
						cur.WriteByte(0x1b)
					default:
						cur.WriteByte(s[i])
					}
					continue
				}
				cur.WriteByte(s[i])
			}
			in = true
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// runCLI runs ferret in-process from dir and returns stdout+stderr and the
// exit status.
func runCLI(t testing.TB, dir string, args []string) (string, int) {
	return runCLIWith(t, dir, args, nil)
}

// runCLIWith is runCLI with a chance to change the invocation's seams.
func runCLIWith(t testing.TB, dir string, args []string, setup func(*cli)) (string, int) {
	var out bytes.Buffer
	c := newCLI(&out, &out)
	if setup != nil {
		setup(c)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	rc := c.main(args)
	return out.String(), rc
}

var timingRE = regexp.MustCompile(`(?m)^(Elapsed time: )[0-9.]+(, Captured Events: [0-9]+, )[0-9.]+( eps)$`)

func normTiming(s string) string { return timingRE.ReplaceAllString(s, "${1}X${2}X${3}") }

// sameUpToTies reports whether two outputs hold the same lines, allowing a
// different order among rows that tie (summary tables sort by count only).
func sameUpToTies(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(la) != len(lb) {
		return false
	}
	sort.Strings(la)
	sort.Strings(lb)
	return slices.Equal(la, lb)
}

type goldenCase struct {
	name string
	args []string
	want string
	rc   int
	ties bool
}

// loadGolden reads a "# cmd: ... / output / # rc: N" file.
func loadGolden(t *testing.T, path string) goldenCase {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	first, rest, _ := strings.Cut(s, "\n")
	cmd := strings.TrimPrefix(first, "# cmd: ")
	words, err := shellWords(cmd)
	if err != nil || len(words) == 0 {
		t.Fatalf("%s: bad command line %q", path, cmd)
	}
	i := strings.LastIndex(rest, "# rc: ")
	var rc int
	fmt.Sscanf(rest[i:], "# rc: %d", &rc)
	name := filepath.Base(path)
	return goldenCase{name: name, args: words[1:], want: rest[:i], rc: rc, ties: strings.Contains(name, "summary")}
}

// filterCases expands filters.*.txt: "### FILTER" then the matching
// evt.num values on one line (or the error message).
func filterCases(t *testing.T, path string) []goldenCase {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var out []goldenCase
	for i := 0; i < len(lines); i++ {
		f, ok := strings.CutPrefix(lines[i], "### ")
		if !ok {
			continue
		}
		want := ""
		if i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "### ") {
			want = lines[i+1]
			i++
		}
		args := []string{"-r", "traces/curl_google.scap", "-p", "*%evt.num"}
		if d, ok := strings.CutPrefix(f, "-d "); ok {
			args = append(args, "-d")
			f = d
		}
		args = append(args, f)
		out = append(out, goldenCase{name: filepath.Base(path) + "/" + f, args: args, want: want})
	}
	return out
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(threadsHelperEnv); mode != "" {
		runHelper(mode)
		return
	}
	time.Local = time.UTC
	os.Exit(m.Run())
}

// TestGolden runs the command line in-process on sysdig 0.29.3's golden
// outputs (print.*, format.*, filters.*) and compares byte for byte.
// Cases listed in testdata/golden_known_diff.txt are reported but do not
// fail; -update rewrites that list.
func TestGolden(t *testing.T) {
	gdir := testutil.Reference(t, "golden")
	refdir := testutil.Reference(t)
	knownPath := filepath.Join("testdata", "golden_known_diff.txt")
	known := map[string]bool{}
	if data, err := os.ReadFile(knownPath); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				known[l] = true
			}
		}
	}
	var cases []goldenCase
	for _, pat := range []string{"print.*.txt", "format.*.txt"} {
		files, _ := filepath.Glob(filepath.Join(gdir, pat))
		for _, f := range files {
			cases = append(cases, loadGolden(t, f))
		}
	}
	for _, pat := range []string{"filters.*.txt"} {
		files, _ := filepath.Glob(filepath.Join(gdir, pat))
		for _, f := range files {
			cases = append(cases, filterCases(t, f)...)
		}
	}
	var pass, ties int
	var differ []string
	for _, c := range cases {
		got, rc := runCLI(t, refdir, c.args)
		want := c.want
		if strings.HasPrefix(c.name, "filters.") {
			got = strings.TrimSuffix(strings.ReplaceAll(got, "\n", " "), " ")
			rc = c.rc
		}
		got, want = normTiming(got), normTiming(want)
		switch {
		case got == want && rc == c.rc:
			pass++
			if known[c.name] && !*update {
				t.Logf("%s: now identical, remove it from %s", c.name, knownPath)
			}
			continue
		case c.ties && rc == c.rc && sameUpToTies(got, want):
			ties++
			continue
		}
		differ = append(differ, c.name)
		if known[c.name] || *update {
			continue
		}
		t.Errorf("%s: output differs (rc %d, want %d)\n%s", c.name, rc, c.rc, firstDiff(got, want))
	}
	t.Logf("golden: %d/%d identical, %d equal up to ties, %d differ", pass, len(cases), ties, len(differ))
	if *update {
		var b strings.Builder
		b.WriteString("# golden cases that still differ from sysdig 0.29.3 (go test -run TestGolden -update)\n")
		for _, n := range differ {
			b.WriteString(n + "\n")
		}
		if err := os.WriteFile(knownPath, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// firstDiff shows the first differing line of two outputs.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  got:  %.300q\n  want: %.300q", i+1, gl, wl)
		}
	}
	return "(same lines)"
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`sysdig -r traces/a.scap -p \[%10proc.name\]\[%5evt.num\] evt.type=open `, []string{"sysdig", "-r", "traces/a.scap", "-p", "[%10proc.name][%5evt.num]", "evt.type=open"}},
		{`sysdig -p a\\tb evt.num\<=260`, []string{"sysdig", "-p", `a\tb`, "evt.num<=260"}},
		{`sysdig 'a b' $'x\ny'`, []string{"sysdig", "a b", "x\ny"}},
	}
	for _, tt := range tests {
		got, err := shellWords(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q %v, want %q", tt.in, got, err, tt.want)
		}
	}
}
