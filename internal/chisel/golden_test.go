// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/ferret-observability/ferret/internal/testutil"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
)

// goldenCase is one chisel.* file of the reference outputs.
type goldenCase struct {
	name string
	args []string // command line after "sysdig"
	want string
	rc   int
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	dir := testutil.Reference(t, "golden")
	paths, _ := filepath.Glob(filepath.Join(dir, "chisel.*.txt"))
	if len(paths) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no chisel golden files under %s", dir)
		}
		t.Skip("golden outputs not found")
	}
	var out []goldenCase
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		first, rest, _ := strings.Cut(s, "\n")
		cmd := strings.TrimPrefix(first, "# cmd: ")
		i := strings.LastIndex(rest, "# rc: ")
		rc, _ := strconv.Atoi(strings.TrimSpace(rest[i+6:]))
		words := shellWords(cmd)
		out = append(out, goldenCase{
			name: strings.TrimSuffix(filepath.Base(p), ".txt"),
			args: words[1:],
			want: rest[:i],
			rc:   rc,
		})
	}
	return out
}

// shellWords undoes bash's printf %q quoting (backslash escapes, quotes).
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	has := false
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			has = true
		case c == '\'' || c == '"':
			q, has = c, true
		case c == ' ':
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(c)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// runSysdigLike runs a sysdig-style chisel command line against capture
// files relative to refDir, writing stdout and errors to w. It returns the
// exit status.
func runSysdigLike(args []string, refDir string, dirs []string, w io.Writer) int {
	var (
		reads    []string
		chisels  []string
		operands []string
		opts     = Options{Stdout: w, Stderr: w, Dirs: dirs}
		display  bool
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-r" && i+1 < len(args):
			i++
			reads = append(reads, filepath.Join(refDir, args[i]))
		case a == "-c" && i+1 < len(args):
			i++
			chisels = append(chisels, args[i])
		case a == "-j":
			opts.JSON = true
		case a == "-pc" || a == "-pcontainer":
			opts.Container = true
		case a == "-d":
			display = true
		case strings.HasPrefix(a, "-") && len(a) == 2 && strings.Contains("AxXb", a[1:]):
			opts.BufForced = true
		default:
			operands = append(operands, a)
		}
	}
	fail := func(err error) int {
		fmt.Fprintln(w, err.Error())
		return 1
	}
	var loaded []*Chisel
	for _, name := range chisels {
		c, n, err := Load(name, operands, opts)
		if err != nil {
			return fail(err)
		}
		defer c.Close()
		operands = operands[n:]
		loaded = append(loaded, c)
	}
	var flt engine.Filter
	if expr := strings.Join(operands, " "); expr != "" && !display {
		f, err := compileFilter(expr)
		if err != nil {
			return fail(err)
		}
		flt = f
	}
	for _, c := range loaded {
		c.opts.Filter = strings.Join(operands, " ")
		if display {
			c.opts.Filter = ""
		}
		c.opts.Source = reads[0]
		if err := c.Init(); err != nil {
			return fail(err)
		}
	}
	src, err := file.Open(reads...)
	if err != nil {
		return fail(err)
	}
	defer src.Close()
	cons := make([]engine.Consumer, len(loaded))
	for i, c := range loaded {
		cons[i] = c
	}
	r := engine.New(src, engine.Options{Filter: flt, Ctx: func(c *fields.Ctx) { c.SetUTCOffset(0) }}, cons...)
	if err := r.Loop(); err != nil {
		for _, c := range loaded {
			c.Flush()
		}
		return fail(err)
	}
	return 0
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
var numRE = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?`)

// sameOutput compares like the reference scoreboard: colour codes are
// ignored, JSON is compared parsed, and rows of top tables that tie may
// come in any order (or differ at the cut-off).
func sameOutput(got, want string) (exact, tolerant bool) {
	if got == want {
		return true, true
	}
	g, w := ansiRE.ReplaceAllString(got, ""), ansiRE.ReplaceAllString(want, "")
	var jg, jw any
	if json.Unmarshal([]byte(g), &jg) == nil && json.Unmarshal([]byte(w), &jw) == nil {
		return false, jsonEq(jg, jw)
	}
	return false, tiesOnly(toAny(strings.Split(g, "\n")), toAny(strings.Split(w, "\n")))
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func rowKey(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	b, _ := json.Marshal(x)
	return string(b)
}

func rank(x any) (float64, bool) {
	switch v := x.(type) {
	case string:
		m := numRE.FindString(v)
		if m == "" {
			return 0, false
		}
		f, _ := strconv.ParseFloat(m, 64)
		return f, true
	case []any:
		for i := len(v) - 1; i >= 0; i-- {
			if f, ok := v[i].(float64); ok {
				return f, true
			}
		}
	}
	return 0, false
}

func tiesOnly(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	cnt := map[string]int{}
	for _, x := range a {
		cnt[rowKey(x)]++
	}
	for _, x := range b {
		cnt[rowKey(x)]--
	}
	var diff []any
	for _, x := range append(append([]any{}, a...), b...) {
		if cnt[rowKey(x)] != 0 {
			diff = append(diff, x)
		}
	}
	if len(diff) == 0 {
		return true
	}
	r0, ok := rank(diff[0])
	if !ok {
		return false
	}
	for _, x := range diff {
		r, ok := rank(x)
		if !ok || r != r0 {
			return false
		}
	}
	min := r0
	for _, x := range a {
		if r, ok := rank(x); ok && r < min {
			min = r
		}
	}
	return r0 == min
}

func jsonEq(g, w any) bool {
	switch gv := g.(type) {
	case map[string]any:
		wv, ok := w.(map[string]any)
		if !ok || len(gv) != len(wv) {
			return false
		}
		for k, x := range gv {
			y, ok := wv[k]
			if !ok || !jsonEq(x, y) {
				return false
			}
		}
		return true
	case []any:
		wv, ok := w.([]any)
		if !ok {
			return false
		}
		allRows := true
		for _, x := range append(append([]any{}, gv...), wv...) {
			if _, ok := x.([]any); !ok {
				allRows = false
			}
		}
		if allRows {
			return tiesOnly(gv, wv)
		}
		if len(gv) != len(wv) {
			return false
		}
		for i := range gv {
			if !jsonEq(gv[i], wv[i]) {
				return false
			}
		}
		return true
	}
	return rowKey(g) == rowKey(w)
}

// runGoldenSet runs every chisel golden case with the given search path and
// returns the names that matched.
func runGoldenSet(t *testing.T, dirs []string) (matched []string, total int) {
	cases := loadGolden(t)
	refDir := testutil.Reference(t)
	for _, gc := range cases {
		var b bytes.Buffer
		rc := runSysdigLike(gc.args, refDir, dirs, &b)
		got := b.String()
		exact, tol := sameOutput(got, gc.want)
		total++
		if (exact || tol) && rc == gc.rc {
			matched = append(matched, gc.name)
			continue
		}
		if testing.Verbose() {
			t.Logf("%s: rc %d want %d\n%s", gc.name, rc, gc.rc, firstDiff(ansiRE.ReplaceAllString(got, ""), ansiRE.ReplaceAllString(gc.want, "")))
		}
	}
	sort.Strings(matched)
	return matched, total
}

// TestGoldenSysdigChisels runs sysdig's own chisel scripts under ferret.
func TestGoldenSysdigChisels(t *testing.T) {
	needSysdigChisels(t)
	m, n := runGoldenSet(t, []string{sysdigDir})
	t.Logf("sysdig chisels: %d/%d golden cases match", len(m), n)
	checkFloor(t, "sysdig", len(m))
}

// TestGoldenBuiltinChisels runs ferret's embedded chisels.
func TestGoldenBuiltinChisels(t *testing.T) {
	m, n := runGoldenSet(t, []string{})
	t.Logf("built-in chisels: %d/%d golden cases match", len(m), n)
	checkFloor(t, "builtin", len(m))
}

// goldenFloor holds the number of cases known to match; a drop is a
// regression.
var goldenFloor = map[string]int{"sysdig": 74, "builtin": 70}

func checkFloor(t *testing.T, set string, n int) {
	if n < goldenFloor[set] {
		t.Errorf("%s chisels: %d golden cases match, expected at least %d", set, n, goldenFloor[set])
	}
}

// TestGoldenOne runs the case named by CHISEL_CASE (debugging aid) and
// prints the whole output next to the golden one.
func TestGoldenOne(t *testing.T) {
	name := os.Getenv("CHISEL_CASE")
	if name == "" {
		t.Skip("CHISEL_CASE not set")
	}
	var dirs []string
	if os.Getenv("CHISEL_SYSDIG") != "" {
		dirs = []string{sysdigDir}
	} else {
		dirs = []string{}
	}
	for _, gc := range loadGolden(t) {
		if gc.name != name {
			continue
		}
		var b bytes.Buffer
		rc := runSysdigLike(gc.args, testutil.Reference(t), dirs, &b)
		os.WriteFile("/tmp/chisel-got.txt", b.Bytes(), 0o644)
		os.WriteFile("/tmp/chisel-want.txt", []byte(gc.want), 0o644)
		t.Logf("rc %d want %d", rc, gc.rc)
	}
}

// TestRunDebug runs CHISEL_ARGS (a sysdig-like command line) with the
// chisel path CHISEL_DIRS (debugging aid).
func TestRunDebug(t *testing.T) {
	args := os.Getenv("CHISEL_ARGS")
	if args == "" {
		t.Skip("CHISEL_ARGS not set")
	}
	var b bytes.Buffer
	rc := runSysdigLike(shellWords(args), testutil.Reference(t), strings.Split(os.Getenv("CHISEL_DIRS"), ":"), &b)
	t.Logf("rc %d\n%s", rc, b.String())
}
