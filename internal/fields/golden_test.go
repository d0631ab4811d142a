// SPDX-License-Identifier: Apache-2.0

package fields_test

import (
	"errors"
	"github.com/ferret-observability/ferret/internal/testutil"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// miniFormat is a small -p formatter used to check field rendering against
// sysdig's outputs without depending on the format package.
type miniFormat struct {
	optional bool
	lits     []string
	exts     []fields.Extractor
	widths   []int
}

func compileMini(t testing.TB, s string) *miniFormat {
	t.Helper()
	f := &miniFormat{}
	if strings.HasPrefix(s, "*") {
		f.optional = true
		s = s[1:]
	}
	lit := ""
	for len(s) > 0 {
		if s[0] != '%' {
			lit += s[:1]
			s = s[1:]
			continue
		}
		s = s[1:]
		w := 0
		for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
			w = w*10 + int(s[0]-'0')
			s = s[1:]
		}
		name, arg, n, ok := fields.Lookup(s)
		if !ok {
			t.Fatalf("invalid formatting token %s", s)
		}
		ext, err := fields.Compile(name, arg)
		if err != nil {
			t.Fatal(err)
		}
		f.lits = append(f.lits, lit)
		lit = ""
		f.exts = append(f.exts, ext)
		f.widths = append(f.widths, w)
		s = s[n:]
	}
	f.lits = append(f.lits, lit)
	return f
}

func (f *miniFormat) line(c *fields.Ctx) (string, bool) {
	var b []byte
	var v fields.Value
	for i, ext := range f.exts {
		b = append(b, f.lits[i]...)
		start := len(b)
		if ext.Extract(c, &v) {
			b = fields.AppendText(b, c, ext, &v)
		} else if f.optional {
			b = append(b, "<NA>"...)
		} else {
			return "", false
		}
		if w := f.widths[i]; w > 0 {
			if len(b)-start > w {
				b = b[:start+w]
			}
			for len(b)-start < w {
				b = append(b, ' ')
			}
		}
	}
	b = append(b, f.lits[len(f.lits)-1]...)
	return string(b), true
}

const defaultFmt = "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"

type goldenCase struct {
	golden string
	trace  string
	format string
	buf    fields.BufFormat
	tmode  fields.TimeMode
	full   bool // -v
	keep   func(c *fields.Ctx) bool
}

func isIO(c *fields.Ctx) bool {
	switch c.Ev.Type.Name() {
	case "read", "recvfrom", "sendto", "write":
		return !c.Ev.Type.IsEnter()
	}
	return false
}

func numLE(n uint64) func(c *fields.Ctx) bool {
	return func(c *fields.Ctx) bool { return c.Ev.Num <= n }
}

func typeIs(name string) func(c *fields.Ctx) bool {
	return func(c *fields.Ctx) bool { return fields.EventTypeName(c.Ev) == name }
}

var goldenCases = []goldenCase{
	{golden: "print.curl.default.txt", trace: "curl_google.scap", format: defaultFmt},
	{golden: "print.sample.default.txt", trace: "sample.scap", format: defaultFmt},
	{golden: "print.ipv6client.default.txt", trace: "test_ipv6_client.scap", format: defaultFmt},
	{golden: "print.ipv6conn.default.txt", trace: "single_ipv6_conn.scap", format: defaultFmt},
	{golden: "print.curl.io.normal.txt", trace: "curl_google.scap", format: defaultFmt, keep: isIO},
	{golden: "print.curl.io.v.txt", trace: "curl_google.scap", format: defaultFmt, keep: isIO, full: true},
	{golden: "print.curl.io.A.txt", trace: "curl_google.scap", format: defaultFmt, keep: isIO, buf: fields.BufASCII},
	{golden: "print.curl.io.x.txt", trace: "curl_google.scap", format: defaultFmt, keep: isIO, buf: fields.BufHex},
	{golden: "print.curl.io.X.txt", trace: "curl_google.scap", format: defaultFmt, keep: isIO, buf: fields.BufHexASCII},
	{golden: "print.curl.io.b.txt", trace: "curl_google.scap", format: defaultFmt, keep: isIO, buf: fields.BufBase64},
	{golden: "print.curl.th.txt", trace: "curl_google.scap", format: defaultFmt, keep: numLE(260), tmode: 'h'},
	{golden: "print.curl.ta.txt", trace: "curl_google.scap", format: defaultFmt, keep: numLE(260), tmode: 'a'},
	{golden: "print.curl.tr.txt", trace: "curl_google.scap", format: defaultFmt, keep: numLE(260), tmode: 'r'},
	{golden: "print.curl.td.txt", trace: "curl_google.scap", format: defaultFmt, keep: numLE(260), tmode: 'd'},
	{golden: "print.curl.tD.txt", trace: "curl_google.scap", format: defaultFmt, keep: numLE(260), tmode: 'D'},
	{golden: "print.curl.pc.txt", trace: "curl_google.scap", keep: numLE(260), format: "*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"},
	{golden: "format.args.txt", trace: "curl_google.scap", format: "%proc.aname[1] %proc.aname[2] %evt.arg.name %evt.arg[0] %evt.arg[1]", keep: func(c *fields.Ctx) bool { return c.Ev.Type.Name() == "open" && !c.Ev.Type.IsEnter() }},
	{golden: "format.fdname.txt", trace: "curl_google.scap", format: "%evt.num %fd.name", keep: typeIs("open")},
	{golden: "format.fdname.star.txt", trace: "curl_google.scap", format: "*%evt.num %fd.name", keep: typeIs("open")},
	{golden: "format.greedy.txt", trace: "curl_google.scap", format: "%evt.numx %evt.arg.name|x", keep: func(c *fields.Ctx) bool { return c.Ev.Num == 219 }},
	{golden: "format.widths.txt", trace: "curl_google.scap", format: "[%10proc.name][%5evt.num][%3evt.type]", keep: typeIs("open")},
	{golden: "format.times.txt", trace: "curl_google.scap", format: "%evt.time|%evt.time.s|%evt.datetime|%evt.rawtime|%evt.rawtime.s|%evt.rawtime.ns|%evt.reltime|%evt.latency|%evt.latency.human|%evt.deltatime", keep: numLE(240)},
	{golden: "format.io.txt", trace: "curl_google.scap", format: "*%evt.num %evt.type %evt.is_io %evt.is_io_read %evt.is_io_write %evt.buflen %evt.rawres %evt.res %evt.failed %evt.count %fd.num %fd.type %fd.typechar %fd.name %fd.l4proto %fd.sport %fd.cport %fd.rip %fd.lip", keep: func(c *fields.Ctx) bool { return !c.Ev.Type.IsEnter() }},
	{golden: "format.proc.txt", trace: "curl_google.scap", format: "*%evt.num %proc.pid %proc.ppid %proc.name %proc.exe %proc.args %proc.cmdline %proc.exeline %proc.pname %thread.tid %thread.vtid %proc.vpid %user.name %user.uid %container.id %container.name", keep: numLE(260)},
}

// readGolden returns the output lines of a golden file (without the # cmd
// and # rc lines and the -v summary).
func readGolden(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "# cmd:") || strings.HasPrefix(l, "# rc:") {
			continue
		}
		out = append(out, l)
	}
	// Drop trailing empty line and -v summaries.
	for len(out) > 0 {
		l := out[len(out)-1]
		if l == "" || strings.HasPrefix(l, "Elapsed time") || strings.HasPrefix(l, "Suppressed by") || strings.HasPrefix(l, "Driver ") || strings.HasPrefix(l, "Events ") {
			out = out[:len(out)-1]
			continue
		}
		break
	}
	return out
}

// render produces ferret's output for a case as text lines.
func render(t *testing.T, ref string, gc goldenCase) []string {
	src, err := file.Open(filepath.Join(ref, "traces", gc.trace))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	st := state.New(state.Options{})
	st.Load(src.Snapshot())
	c := fields.NewCtx(st)
	c.SetUTCOffset(0)
	c.Buf = gc.buf
	if gc.tmode != 0 {
		c.Time = gc.tmode
	}
	if gc.full {
		c.PrintLen = 0
	}
	mf := compileMini(t, gc.format)
	var out []string
	first := true
	for {
		ev, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if src.NewSection() {
			st.Load(src.Snapshot())
		}
		if first {
			c.FirstTS = ev.TS
			first = false
		}
		// keep stands for the capture filter of the golden command: as
		// in the engine, it judges an event that modifies no state
		// before the state parses it, and a refused one is not parsed.
		c.Ev = ev
		st.Prepare(ev, gc.keep != nil)
		kept := true
		if gc.keep != nil && ev.Info() != nil && ev.Info().Flags&event.FlagModifiesState == 0 {
			if kept = gc.keep(c); kept {
				st.Parse()
			} else {
				st.Reject()
			}
		} else {
			st.Parse()
			kept = gc.keep == nil || gc.keep(c)
		}
		prev := st.Cur().PrevTS
		c.PrevTS = prev
		if ev.DumpFlags&event.DumpStateOnly != 0 || ev.Info() == nil || ev.Info().Category == event.CatInternal {
			continue
		}
		if !kept {
			continue
		}
		if line, ok := mf.line(c); ok {
			out = append(out, strings.Split(line, "\n")...)
			c.PrevPrintedTS = ev.TS
		}
	}
	return out
}

func TestGoldenOutputs(t *testing.T) {
	ref := testutil.Reference(t)
	total, equal := 0, 0
	for _, gc := range goldenCases {
		t.Run(gc.golden, func(t *testing.T) {
			want := readGolden(t, filepath.Join(ref, "golden", gc.golden))
			got := render(t, ref, gc)
			diffs := 0
			n := len(want)
			if len(got) > n {
				n = len(got)
			}
			for i := 0; i < n; i++ {
				var w, g string
				if i < len(want) {
					w = want[i]
				}
				if i < len(got) {
					g = got[i]
				}
				total++
				if w == g {
					equal++
					continue
				}
				if diffs < 3 {
					t.Errorf("line %d:\n got  %q\n want %q", i+1, g, w)
				}
				diffs++
			}
			if diffs > 0 {
				t.Errorf("%d of %d lines differ (got %d lines, want %d)", diffs, n, len(got), len(want))
			}
		})
	}
	t.Logf("golden lines equal: %d/%d", equal, total)
}
