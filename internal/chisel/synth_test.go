// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// synthRun runs chisel name (built-ins only) over a small synthetic
// capture: process "cat" (pid 100) opens /etc/passwd, reads 100 bytes from
// it, writes 50 to stdout and closes it, one second apart.
func synthRun(t *testing.T, name string, args []string, cmdFilter string) string {
	t.Helper()
	g := &synth.Gen{TS: 1_600_000_000_000_000_000, Step: 500_000_000}
	g.Open(100, "/etc/passwd", 1, 0, 3)
	g.Read(100, 3, 4096, bytes.Repeat([]byte("x"), 100))
	g.Write(100, 1, []byte(strings.Repeat("hello\n", 8)+"ab"))
	g.Close(100, 3, 0)
	snap := &event.Snapshot{
		Users: []event.User{{UID: 0, Name: "root"}},
		Threads: []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "cat", Exe: "cat",
			Args: []string{"/etc/passwd"}, FDLimit: 1024, VMSizeKB: 2048, VMRSSKB: 1024,
			FDs: []event.FD{{Num: 1, Type: event.FDFile, Name: "/dev/pts/0"}}}},
	}
	var out bytes.Buffer
	c, n, err := Load(name, args, Options{Dirs: []string{}, Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n != len(args) {
		t.Fatalf("%s used %d of %d arguments", name, n, len(args))
	}
	if err := c.Init(); err != nil {
		t.Fatal(err)
	}
	var opts engine.Options
	if cmdFilter != "" {
		f, err := compileFilter(cmdFilter)
		if err != nil {
			t.Fatal(err)
		}
		opts.Filter = f
	}
	opts.Ctx = func(c *fields.Ctx) { c.SetUTCOffset(0) }
	if err := engine.New(g.Source(snap), opts, c).Loop(); err != nil {
		t.Fatal(err)
	}
	c.Flush()
	return ansiRE.ReplaceAllString(out.String(), "")
}

func TestSyntheticChisels(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		filter string
		want   []string // lines that must appear, in order
	}{
		{"topfiles_bytes", nil, "", []string{"Bytes               Filename            ", "100B                /etc/passwd"}},
		{"topprocs_file", nil, "", []string{"150B                cat                 100"}},
		{"topscalls", nil, "evt.type=read", []string{"2                   read"}},
		{"iobytes_file", nil, "", []string{" in:100 out:0 tot:100", " in:0 out:50 tot:50"}},
		{"spy_file", []string{"R"}, "", []string{"cat(100) R 100B /etc/passwd \nxxxx"}},
		{"stdout", nil, "", []string{"hello\nhello\n"}},
		{"lsof", nil, "", []string{"COMMAND             PID     TID     USER    FD      TYPE        NAME",
			"cat                 100     100     root    1       file        /dev/pts/0"}},
		{"ps", []string{"proc.name=cat"}, "", []string{"100     100     root        2.00M      1024.00KB  1024      cat"}},
		{"fdcount_by", []string{"proc.name"}, "", []string{"cat\t2"}},
		{"fileslower", []string{"0"}, "", []string{"evt.datetime            proc.name    evt.type LATENCY(ms)  fd.name"}},
		{"table_generator", []string{"proc.name,fd.name P,F evt.count N 'evt.type=read' 0 none"}, "",
			[]string{"N                   P                   F                   ", "2                   cat                 /etc/passwd"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := synthRun(t, c.name, c.args, c.filter)
			rest := got
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing %q in output:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestGetFilterFromRun(t *testing.T) {
	dir := writeChisel(t, map[string]string{"gf": `description='d' short_description='s' args={}
		function on_init() return true end
		function on_capture_start() print("[" .. sysdig.get_filter() .. "]") return true end`})
	var out bytes.Buffer
	c, _, err := Load("gf", nil, Options{Dirs: []string{dir}, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	f, err := compileFilter("evt.type=read")
	if err != nil {
		t.Fatal(err)
	}
	g := &synth.Gen{}
	g.Close(1, 3, 0)
	if err := engine.New(g.Source(nil), engine.Options{Filter: f}, c).Loop(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if out.String() != "[evt.type=read]\n" {
		t.Errorf("get_filter printed %q", out.String())
	}
}

func TestTwoChiselsShareOutputOrder(t *testing.T) {
	const src = `description='d' short_description='s' args={}
		function on_init() fn = chisel.request_field("evt.num") return true end
		function on_event() print("%s" .. evt.field(fn)) return true end`
	dir := writeChisel(t, map[string]string{
		"a": strings.Replace(src, "%s", "a", 1),
		"b": strings.Replace(src, "%s", "b", 1),
	})
	var out bytes.Buffer
	var cons []engine.Consumer
	for _, n := range []string{"a", "b"} {
		c, _, err := Load(n, nil, Options{Dirs: []string{dir}, Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		cons = append(cons, c)
	}
	g := &synth.Gen{}
	g.Close(1, 3, 0)
	if err := engine.New(g.Source(nil), engine.Options{}, cons...).Loop(); err != nil {
		t.Fatal(err)
	}
	want := "a1\nb1\na2\nb2\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// TestSumByMatchesLua checks chisel.sum_by against the same sums computed
// in Lua from evt.field, with and without a scale.
func TestSumByMatchesLua(t *testing.T) {
	const src = `description='d' short_description='s' args={}
		local keys, val, native, scaled
		local lua = {}
		function on_init()
			keys = {chisel.request_field("evt.type"), chisel.request_field("evt.dir")}
			val = chisel.request_field("evt.num")
			native = chisel.sum_by(keys, val)
			scaled = chisel.sum_by(keys, val, -0.5)
			return true
		end
		function on_event()
			local k = tostring(evt.field(keys[1])) .. "\1\1" .. tostring(evt.field(keys[2]))
			lua[k] = (lua[k] or 0) + evt.field(val)
			return true
		end
		local function dump(name, t)
			local ks = {}
			for k in pairs(t) do ks[#ks + 1] = k end
			table.sort(ks)
			for _, k in ipairs(ks) do print(name .. " " .. string.gsub(k, "\1\1", "|") .. " " .. t[k]) end
		end
		function on_capture_end()
			dump("lua", lua)
			local n = chisel.take_sums(native)
			dump("native", n)
			dump("scaled", chisel.take_sums(scaled))
			local again = chisel.take_sums(native)
			print("after take: " .. tostring(next(again)))
			return true
		end`
	dir := writeChisel(t, map[string]string{"sums": src})
	var out bytes.Buffer
	c, _, err := Load("sums", nil, Options{Dirs: []string{dir}, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	g := &synth.Gen{}
	g.Close(1, 3, 0)
	g.Close(1, 4, 0)
	if err := engine.New(g.Source(nil), engine.Options{}, c).Loop(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var luaLines, native, scaled []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "lua "):
			luaLines = append(luaLines, strings.TrimPrefix(l, "lua "))
		case strings.HasPrefix(l, "native "):
			native = append(native, strings.TrimPrefix(l, "native "))
		case strings.HasPrefix(l, "scaled "):
			scaled = append(scaled, strings.TrimPrefix(l, "scaled "))
		}
	}
	if len(luaLines) == 0 || strings.Join(luaLines, ",") != strings.Join(native, ",") {
		t.Errorf("native sums %v, Lua's %v", native, luaLines)
	}
	// close enter events are 1 and 3, exits 2 and 4
	if want := "close|< -3,close|> -2"; strings.Join(scaled, ",") != want {
		t.Errorf("scaled sums %v, want %s", scaled, want)
	}
	if !strings.Contains(out.String(), "after take: nil") {
		t.Errorf("take_sums did not start afresh:\n%s", out.String())
	}
}

// TestLogHistogramMatchesLua checks chisel.log_histogram against the same
// buckets computed in Lua from evt.field, and that taking starts afresh.
func TestLogHistogramMatchesLua(t *testing.T) {
	const src = `description='d' short_description='s' args={}
		local f, h
		local lua = {}
		function on_init()
			f = chisel.request_field("evt.num")
			h = chisel.log_histogram(f, 7, 0.75)
			return true
		end
		function on_event()
			local v = evt.field(f)
			local i = math.floor(math.min(math.log10(v), 0.75) * 7 / 0.75) + 1
			i = math.min(i, 7)
			lua[i] = (lua[i] or 0) + 1
			return true
		end
		function on_capture_end()
			local n = chisel.take_histogram(h)
			local a, b = {}, {}
			for i = 1, 7 do a[#a + 1] = tostring(lua[i] or 0); b[#b + 1] = tostring(n[i]) end
			print("lua " .. table.concat(a, ","))
			print("native " .. table.concat(b, ","))
			local again = chisel.take_histogram(h)
			print("after take: " .. again[1] + again[7] .. " " .. #again)
			return true
		end`
	dir := writeChisel(t, map[string]string{"hist": src})
	var out bytes.Buffer
	c, _, err := Load("hist", nil, Options{Dirs: []string{dir}, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	g := &synth.Gen{}
	for i := 0; i < 5; i++ {
		g.Close(1, 3, 0)
	}
	if err := engine.New(g.Source(nil), engine.Options{}, c).Loop(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var luaLine, native string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if s, ok := strings.CutPrefix(l, "lua "); ok {
			luaLine = s
		}
		if s, ok := strings.CutPrefix(l, "native "); ok {
			native = s
		}
	}
	// evt.num 1..10 over 7 buckets of 10^(0.75/7): 1 in the first, 6..10 at the top
	if luaLine == "" || luaLine != native || luaLine == "0,0,0,0,0,0,0" {
		t.Errorf("native buckets %q, Lua's %q", native, luaLine)
	}
	if !strings.Contains(out.String(), "after take: 0 7") {
		t.Errorf("take_histogram did not start afresh:\n%s", out.String())
	}
}
