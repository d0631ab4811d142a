// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// runLua runs src in a chisel Lua state and returns what it printed.
func runLua(t *testing.T, src string) string {
	t.Helper()
	var b bytes.Buffer
	out := bufio.NewWriter(&b)
	L := newLuaState(out, newFinder([]string{}))
	defer L.Close()
	if err := L.DoString(src); err != nil {
		t.Fatalf("lua: %v", luaErrorText(err))
	}
	out.Flush()
	return b.String()
}

func TestStringFormat(t *testing.T) {
	cases := []struct{ expr, want string }{
		{`string.format("%d", 3.9)`, "3"},
		{`string.format("%5d|%-5d|", 42, 42)`, "   42|42   |"},
		{`string.format("%u%.9u", 1534527350, 5)`, "1534527350000000005"},
		{`string.format("%.2f%%", 12.345)`, "12.35%"},
		{`string.format("%.2fKB", 11580 / 1024)`, "11.31KB"},
		{`string.format("%-20.20s|", "abc")`, "abc                 |"},
		{`string.format("%-3.3s|", "abcdef")`, "abc|"},
		{`string.format("%s %s %s", 1, 2.5, true)`, "1 2.5 true"},
		{`string.format("%x %X %o", 255, 255, 8)`, "ff FF 10"},
		{`string.format("%g %g", 0.0001, 1e20)`, "0.0001 1e+20"},
		{`string.format("%5.1f", 3)`, "  3.0"},
		// exact ties round away from zero, as in sysdig's Lua runtime
		{`string.format("%.2fM", 11141120 / 1048576)`, "10.63M"},
		{`string.format("%.1f %.1f %.0f", 0.25, -0.25, 2.5)`, "0.3 -0.3 3"},
		{`string.format("%.2f", 0.125000001)`, "0.13"},
		{`string.format("%.1f", 0.35)`, "0.3"},
		{`string.format("%c%c", 72, 105)`, "Hi"},
		{`string.format("%q", "a\"b")`, `"a\"b"`},
		{`string.format("%02u", 7)`, "07"},
		{`tostring(0.1 + 0.2)`, "0.3"},
		{`tostring(1e15)`, "1e+15"},
		{`tostring(2^53)`, "9.007199254741e+15"},
		{`tostring(-7)`, "-7"},
	}
	for _, c := range cases {
		got := strings.TrimSuffix(runLua(t, "io.write("+c.expr+")"), "\n")
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestPairsVisitsZeroFirst(t *testing.T) {
	got := runLua(t, `
		local t = {}
		for _, k in ipairs({0, 1, 2, 3, 7}) do t[k] = true end
		for k in pairs(t) do io.write(k, " ") end`)
	if got != "0 1 2 3 7 " {
		t.Errorf("pairs order %q", got)
	}
	got = runLua(t, `
		local n = 0
		for k, v in pairs({a = 1, b = 2, [0] = 3, 4}) do n = n + v end
		io.write(n)`)
	if got != "10" {
		t.Errorf("pairs sum %q", got)
	}
}

func TestPatternG(t *testing.T) {
	cases := []struct{ expr, want string }{
		{`("GET /x HTTP/1.1"):match("^(%g+) (%g+)")`, "GET"},
		{`select(2, ("GET /x HTTP/1.1"):match("^(%g+) (%g+)"))`, "/x"},
		{`(" a\tb "):gsub("[%g]", "X")`, " X\tX "},
		{`string.find("  ab", "%g")`, "3"},
		{`string.match("50%", "%d+%%")`, "50%"},
	}
	for _, c := range cases {
		got := runLua(t, "io.write(("+c.expr+"))")
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestGmatchIterator(t *testing.T) {
	got := runLua(t, `for w in ("a,b,,c,"):gmatch("(.-),") do io.write("[", w, "]") end`)
	if got != "[a][b][][c]" {
		t.Errorf("gmatch %q", got)
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"0", []string{"0"}, false},
		{"1 disable_colors", []string{"1", "disable_colors"}, false},
		{"'proc.name=sshd and fd.type=ipv4'", []string{"proc.name=sshd and fd.type=ipv4"}, false},
		{"proc.name Process evt.count Count 'evt.type=open' 5 none", []string{"proc.name", "Process", "evt.count", "Count", "evt.type=open", "5", "none"}, false},
		{"a `b c` ''", []string{"a", "b c", ""}, false},
		{"  a   b  ", []string{"a", "b"}, false},
		{"'open", nil, true},
	}
	for _, c := range cases {
		got, err := splitArgs(c.in)
		if (err != nil) != c.err {
			t.Errorf("splitArgs(%q) error %v", c.in, err)
			continue
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// writeChisel stores a script in a fresh directory and returns it.
func writeChisel(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".lua"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const argsChisel = `
description = "d"
short_description = "s"
args = {
	{name = "a", description = "x", argtype = "int"},
	{name = "b", description = "y", argtype = "string", optional = true},
}
got = {}
function on_set_arg(name, val) got[#got + 1] = name .. "=" .. val; return true end
function on_init() print(table.concat(got, ",")); return true end
`

const optChisel = `
description = "d"
short_description = "s"
args = {{name = "x", description = "x", argtype = "string", optional = true}}
function on_set_arg(name, val) return true end
function on_init() return true end
`

func TestLoadArguments(t *testing.T) {
	dir := writeChisel(t, map[string]string{"req": argsChisel, "opt": optChisel,
		"none": "description='d' short_description='s' args={} function on_init() return true end",
		"view": "view_info = {id = 'v'}",
		"bad":  "description='d' short_description='s' args={} function on_init(",
	})
	cases := []struct {
		name    string
		rest    []string
		used    int
		out     string
		errText string
	}{
		{"req", []string{"5"}, 1, "a=5\n", ""},
		{"req", []string{"5 blue", "evt.type=open"}, 1, "a=5,b=blue\n", ""},
		{"req", nil, 0, "", "missing arguments for chisel req"},
		{"req", []string{"1 2 3"}, 0, "", "too many parameters for chisel req, 1 required, 1 optional, 3 given"},
		{"opt", []string{"x"}, 1, "", ""},
		{"opt", []string{"-x"}, 0, "", ""},
		{"none", []string{"evt.type=open"}, 0, "", ""},
		{"view", nil, 0, "", "Failed to load chisel view: args table missing"},
		{"nosuch", nil, 0, "", "chisel nosuch not found - use -cl to list them."},
		{"bad", nil, 0, "", "Failed to load chisel bad: "},
	}
	for _, c := range cases {
		var b bytes.Buffer
		ch, used, err := Load(c.name, c.rest, Options{Dirs: []string{dir}, Stdout: &b})
		if c.errText != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.errText) {
				t.Errorf("%s %q: error %v, want %q", c.name, c.rest, err, c.errText)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", c.name, c.rest, err)
			continue
		}
		if used != c.used {
			t.Errorf("%s %q: used %d, want %d", c.name, c.rest, used, c.used)
		}
		if err := ch.Init(); err != nil {
			t.Errorf("%s init: %v", c.name, err)
		}
		ch.Close()
		if b.String() != c.out {
			t.Errorf("%s %q: output %q, want %q", c.name, c.rest, b.String(), c.out)
		}
	}
}

func TestCallbackErrors(t *testing.T) {
	dir := writeChisel(t, map[string]string{
		"initerr":   "description='d' short_description='s' args={}\nfunction on_init()\n local x = nil\n return x.y\nend",
		"initfalse": "description='d' short_description='s' args={}\nfunction on_init() print('no') return false end",
		"argfalse":  "description='d' short_description='s' args={{name='a',description='',argtype='int'}}\nfunction on_set_arg() return false end",
		"noset":     "description='d' short_description='s' args={{name='a',description='',argtype='int'}}",
	})
	cases := []struct {
		name, arg, want string
	}{
		{"initerr", "", "initerr: error in init(): initerr.lua:4: "},
		{"initfalse", "", "init() for chisel initfalse failed."},
		{"argfalse", "1", "set_arg() for chisel argfalse failed."},
		{"noset", "1", "chisel noset: on_set_arg() missing"},
	}
	for _, c := range cases {
		var rest []string
		if c.arg != "" {
			rest = []string{c.arg}
		}
		var b bytes.Buffer
		ch, _, err := Load(c.name, rest, Options{Dirs: []string{dir}, Stdout: &b})
		if err == nil {
			err = ch.Init()
			ch.Close()
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want prefix %q", c.name, err, c.want)
		}
		if _, ok := err.(*Error); err != nil && !ok {
			t.Errorf("%s: error type %T, want *Error", c.name, err)
		}
	}
}

func TestExecReplacesChisel(t *testing.T) {
	dir := writeChisel(t, map[string]string{
		"wrapper": `description='d' short_description='s' args={}
			function on_init() chisel.exec("target", "one", "two words") return true end`,
		"target": argsChisel,
	})
	var b bytes.Buffer
	ch, _, err := Load("wrapper", nil, Options{Dirs: []string{dir}, Stdout: &b})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Init(); err != nil {
		t.Fatal(err)
	}
	ch.Close()
	if ch.Name() != "target" || b.String() != "a=one,b=two words\n" {
		t.Errorf("after exec: name %s output %q", ch.Name(), b.String())
	}
}

func TestIntervals(t *testing.T) {
	const script = `description='d' short_description='s' args={}
		function on_init() %s return true end
		function on_interval(s, ns, delta) print(s .. "." .. ns .. " " .. delta) return true end`
	cases := []struct {
		setup string
		ts    []uint64
		want  string
	}{
		// Coarse: one call per event entering a new bucket; delta since the
		// previous call, 0 the first time.
		{"chisel.set_interval_s(1)", []uint64{1e9 + 5, 1e9 + 7, 2e9 + 1, 5e9 + 3, 5e9 + 4},
			"2.1 0\n5.3 3000000002\n"},
		// Precise: one call per elapsed period from the first event.
		{"chisel.set_precise_interval_ns(100)", []uint64{1000, 1050, 1350},
			"0.1100 100\n0.1200 100\n0.1300 100\n"},
	}
	for _, c := range cases {
		dir := writeChisel(t, map[string]string{"tick": strings.Replace(script, "%s", c.setup, 1)})
		var b bytes.Buffer
		ch, _, err := Load("tick", nil, Options{Dirs: []string{dir}, Stdout: &b})
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Init(); err != nil {
			t.Fatal(err)
		}
		for _, ts := range c.ts {
			fc := &fields.Ctx{Ev: &event.Event{TS: ts}}
			if err := ch.OnClock(fc); err != nil {
				t.Fatal(err)
			}
		}
		ch.Close()
		if b.String() != c.want {
			t.Errorf("%s: got %q, want %q", c.setup, b.String(), c.want)
		}
	}
}

func TestMakeTS(t *testing.T) {
	dir := writeChisel(t, map[string]string{"ts": `description='d' short_description='s' args={}
		function on_init()
			print(sysdig.make_ts(1534527350, 123))
			print(sysdig.add_ts("1534527350000000000", "5"))
			print(sysdig.subtract_ts("10", "15"))
			print(sysdig.get_output_format(), sysdig.is_print_container_data(), sysdig.is_live())
			return true
		end`})
	var b bytes.Buffer
	ch, _, err := Load("ts", nil, Options{Dirs: []string{dir}, Stdout: &b, JSON: true, Container: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Init(); err != nil {
		t.Fatal(err)
	}
	ch.Close()
	want := "1534527350000000123\n1534527350000000005\n-5\njson\ttrue\tfalse\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestEvtOutsideEvent(t *testing.T) {
	dir := writeChisel(t, map[string]string{"early": `description='d' short_description='s' args={}
		function on_init() evt.get_num() return true end`})
	ch, _, err := Load("early", nil, Options{Dirs: []string{dir}, Stdout: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Init()
	ch.Close()
	if err == nil || !strings.Contains(err.Error(), "invalid call to evt.get_num()") {
		t.Errorf("error %v", err)
	}
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"", "a b", "'a b' c", "`x` 'y", "proc.name Process evt.count Count 'evt.type=open' 5 none"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := splitArgs(s)
		if err != nil {
			return
		}
		// Without quotes, splitting is plain splitting on spaces.
		if !strings.ContainsAny(s, "'`") {
			if strings.Join(vals, "\x00") != strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }), "\x00") {
				t.Fatalf("splitArgs(%q) = %q", s, vals)
			}
		}
	})
}

func FuzzStringFormat(f *testing.F) {
	for _, s := range []string{"%d", "%5.2f", "%-20.20s", "%u%.9u", "%%", "%q", "%x", "%g", "%"} {
		f.Add(s, 3.5)
	}
	f.Fuzz(func(t *testing.T, format string, n float64) {
		var b bytes.Buffer
		out := bufio.NewWriter(&b)
		L := newLuaState(out, newFinder([]string{}))
		defer L.Close()
		L.SetGlobal("fmtstr", luaString(format))
		L.SetGlobal("num", luaNumber(n))
		// Errors are fine (bad formats raise Lua errors); panics are not.
		_ = L.DoString(`local ok = pcall(string.format, fmtstr, num, num, num)`)
	})
}

func FuzzRewriteG(f *testing.F) {
	for _, s := range []string{"%g+", "[%g]", "[^%g%s]", "%%g", "[]%g]", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		r := rewriteG(p)
		if !strings.Contains(p, "%g") && r != p {
			t.Fatalf("pattern without %%g changed: %q -> %q", p, r)
		}
	})
}
