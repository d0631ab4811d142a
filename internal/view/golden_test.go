// SPDX-License-Identifier: Apache-2.0

package view

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/chisel"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// goldenCase is one csysdig run recorded in testdata/golden.
type goldenCase struct {
	name, trace, view string
	json              bool
	n                 uint64
	containers        bool
	filter            string
	sortingCol        int
	from, to          int
	want              string
}

func loadGoldens(t *testing.T) []goldenCase { return loadGoldenDir(t, "testdata/golden", "testdata") }

func loadGoldenDir(t *testing.T, dir, traceRoot string) []goldenCase {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "csysdig.*.txt"))
	if len(paths) == 0 {
		t.Fatal("no golden files")
	}
	var out []goldenCase
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(b), "\n")
		cmd := strings.Fields(strings.TrimPrefix(lines[0], "# cmd:"))
		gc := goldenCase{name: filepath.Base(p)}
		var flt []string
		for i := 1; i < len(cmd); i++ {
			switch cmd[i] {
			case "-r":
				i++
				gc.trace = filepath.Join(traceRoot, strings.TrimPrefix(strings.TrimPrefix(cmd[i], "traces-extra/"), "traces/"))
				if strings.HasPrefix(cmd[i], "traces/") {
					gc.trace = filepath.Join(traceRoot, cmd[i])
				}
			case "-v":
				i++
				gc.view = cmd[i]
			case "-j":
				gc.json = true
			case "-n":
				i++
				gc.n, _ = strconv.ParseUint(cmd[i], 10, 64)
			case "-pc", "-pcontainer":
				gc.containers = true
			case "--raw":
			default:
				if k, v, ok := strings.Cut(cmd[i], "="); ok && strings.HasPrefix(k, "--") {
					n, err := strconv.Atoi(v)
					if err != nil {
						t.Fatalf("%s: %s", p, cmd[i])
					}
					switch k {
					case "--sortingcol":
						gc.sortingCol = n
					case "--from":
						gc.from = n
					case "--to":
						gc.to = n
					default:
						t.Fatalf("%s: unknown option %s", p, k)
					}
					continue
				}
				flt = append(flt, cmd[i])
			}
		}
		gc.filter = strings.Join(flt, " ")
		var body []string
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "# rc:") {
				break
			}
			body = append(body, l)
		}
		gc.want = strings.Join(body, "")
		out = append(out, gc)
	}
	return out
}

// normalize makes runs of rows comparable regardless of the order of rows
// csysdig leaves unspecified: each block of row lines between separators is
// sorted.
func normalize(s string) string {
	lines := strings.SplitAfter(s, "\n")
	var out, block []string
	isRow := func(l string) bool {
		return !strings.HasPrefix(l, "------") && !strings.HasPrefix(l, "{\"progress") &&
			!strings.HasPrefix(l, "\"count\"") && !strings.HasPrefix(l, "{\"slices") && !strings.HasPrefix(l, "]}")
	}
	flush := func() {
		sort.Strings(block)
		out = append(out, block...)
		block = block[:0]
	}
	for _, l := range lines {
		if isRow(l) {
			block = append(block, strings.TrimRight(strings.TrimSuffix(l, "\n"), ",]")+"\n")
			continue
		}
		flush()
		out = append(out, l)
	}
	flush()
	return strings.Join(out, "")
}

func runGolden(t *testing.T, gc goldenCase, cat *Catalog) string {
	t.Helper()
	src, err := file.Open(gc.trace)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out bytes.Buffer
	err = RunBatch(src, BatchConfig{View: gc.view, Filter: gc.filter, JSON: gc.json, MaxEvents: gc.n, Views: cat, Containers: gc.containers, Out: &out,
		SortingCol: gc.sortingCol, From: gc.from, To: gc.to})
	if err != nil {
		t.Fatalf("RunBatch: %v", err)
	}
	return out.String()
}

func TestGoldenBuiltin(t *testing.T) {
	for _, gc := range loadGoldens(t) {
		t.Run(gc.name, func(t *testing.T) {
			cat := NewCatalog(Builtin(), false, gc.json)
			got := runGolden(t, gc, cat)
			if d := os.Getenv("VIEW_GOLDEN_DUMP"); d != "" {
				os.WriteFile(filepath.Join(d, gc.name+".got"), []byte(normalize(got)), 0o644)
				os.WriteFile(filepath.Join(d, gc.name+".want"), []byte(normalize(gc.want)), 0o644)
			}
			if normalize(got) != normalize(gc.want) {
				t.Errorf("output differs\n--- got\n%s\n--- want\n%s", got, gc.want)
			}
		})
	}
}

// TestGoldenInstalledViews runs the same cases with the definitions read
// from sysdig's own v_*.lua files through the Lua machinery.
func TestGoldenInstalledViews(t *testing.T) {
	dir := chisel.SystemDirs[0]
	if _, err := os.Stat(filepath.Join(dir, "v_procs.lua")); err != nil {
		testutil.Unavailable(t, "sysdig's view definitions are not installed in %s", dir)
	}
	defs, errs := Load([]string{dir})
	for _, err := range errs {
		t.Errorf("loading views: %v", err)
	}
	n := 0
	for _, d := range defs {
		if strings.HasPrefix(d.Source, dir) {
			n++
		}
	}
	if n < 40 {
		t.Fatalf("only %d views read from %s", n, dir)
	}
	for _, gc := range loadGoldens(t) {
		t.Run(gc.name, func(t *testing.T) {
			got := runGolden(t, gc, NewCatalog(defs, false, gc.json))
			if normalize(got) != normalize(gc.want) {
				t.Errorf("output differs\n--- got\n%s\n--- want\n%s", got, gc.want)
			}
		})
	}
}

// TestBuiltinMatchesInstalled checks that the built-in definitions say what
// sysdig's installed ones say (columns, filters, keys, drill-down).
func TestBuiltinMatchesInstalled(t *testing.T) {
	dir := chisel.SystemDirs[0]
	if _, err := os.Stat(filepath.Join(dir, "v_procs.lua")); err != nil {
		testutil.Unavailable(t, "sysdig's view definitions are not installed in %s", dir)
	}
	installed, _ := Load([]string{dir})
	byID := map[string]*Def{}
	for _, d := range installed {
		byID[d.ID] = d
	}
	for _, b := range Builtin() {
		if b.Disabled {
			continue // not a view_info table in the script
		}
		d := byID[b.ID]
		if d == nil || !strings.HasPrefix(d.Source, dir) {
			t.Errorf("view %s: not installed", b.ID)
			continue
		}
		if b.Filter != d.Filter || b.Drilldown != d.Drilldown || b.Kind != d.Kind || len(b.Columns) != len(d.Columns) {
			t.Errorf("view %s: built-in differs from %s", b.ID, d.Source)
			continue
		}
		for i := range b.Columns {
			x, y := b.Columns[i], d.Columns[i]
			if x.Field != y.Field || x.Agg != y.Agg || x.GroupAgg != y.GroupAgg || x.IsKey != y.IsKey || x.Name != y.Name {
				t.Errorf("view %s column %d: %+v vs %+v", b.ID, i, x, y)
			}
		}
	}
}

func TestListViews(t *testing.T) {
	var buf bytes.Buffer
	if err := NewCatalog(Builtin(), false, false).WriteList(&buf); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/csysdig-views.json")
	if err != nil {
		t.Fatal(err)
	}
	var g, w []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.MarshalIndent(g, "", " ")
		wb, _ := json.MarshalIndent(w, "", " ")
		t.Errorf("--list-views differs:\n%s\nwant\n%s", gb, wb)
	}
}

// TestGoldenExtra compares with csysdig on the larger shared captures
// (Kubernetes containers, a busy web server), read where they are.
func TestGoldenExtra(t *testing.T) {
	dir := testutil.TracesExtra(t)
	for _, gc := range loadGoldenDir(t, "testdata/golden-extra", dir) {
		t.Run(gc.name, func(t *testing.T) {
			got := runGolden(t, gc, NewCatalog(Builtin(), gc.containers, gc.json))
			if normalize(got) != normalize(gc.want) {
				if d := os.Getenv("VIEW_GOLDEN_DUMP"); d != "" {
					os.WriteFile(filepath.Join(d, gc.name+".got"), []byte(normalize(got)), 0o644)
					os.WriteFile(filepath.Join(d, gc.name+".want"), []byte(normalize(gc.want)), 0o644)
				}
				t.Errorf("output differs\n--- got\n%s\n--- want\n%s", got, gc.want)
			}
		})
	}
}
