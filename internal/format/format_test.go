// SPDX-License-Identifier: Apache-2.0

package format

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/fields"
)

// fakeReg is a small registry: fields named in vals have that value, the
// ones in missing have none.
type fakeReg struct {
	vals    map[string]fields.Value
	missing map[string]bool
}

type fakeExt struct {
	v  fields.Value
	ok bool
}

func (e fakeExt) Extract(_ *fields.Ctx, v *fields.Value) bool {
	*v = e.v
	return e.ok
}

func (r *fakeReg) Lookup(s string) (string, string, int, bool) {
	best := ""
	for n := range r.vals {
		if strings.HasPrefix(s, n) && len(n) > len(best) {
			best = n
		}
	}
	for n := range r.missing {
		if strings.HasPrefix(s, n) && len(n) > len(best) {
			best = n
		}
	}
	if best == "" {
		return "", "", 0, false
	}
	return best, "", len(best), true
}

func (r *fakeReg) Field(string) (*fields.Field, bool) { return nil, false }

func (r *fakeReg) Compile(name, arg string) (fields.Extractor, error) {
	if v, ok := r.vals[name]; ok {
		return fakeExt{v, true}, nil
	}
	if r.missing[name] {
		return fakeExt{ok: false}, nil
	}
	return nil, fmt.Errorf("invalid field name %s", name)
}

func testReg() *fakeReg {
	return &fakeReg{
		vals: map[string]fields.Value{
			"evt.num":   {Kind: fields.KindUint64, Uint: 219},
			"evt.type":  {Kind: fields.KindString, Str: "open"},
			"proc.name": {Kind: fields.KindString, Str: "curl"},
			"evt.is_io": {Kind: fields.KindBool, Uint: 1},
			"evt.res":   {Kind: fields.KindInt64, Int: -2},
			"evt.time":  {Kind: fields.KindAbsTime, Uint: 1534527348514632619},
			"fd.name":   {Kind: fields.KindString, Str: "a\"b\x01\xc3\xa9"},
			"ctl":       {Kind: fields.KindString, Str: "x\x1b[2Jy"},
		},
		missing: map[string]bool{"fd.num": true},
	}
}

func TestFormatText(t *testing.T) {
	tests := []struct {
		name, fmt, want string
		printed         bool
	}{
		{"plain", "%evt.num %proc.name", "219 curl", true},
		{"greedy", "%evt.numx|%evt.type", "219x|open", true},
		{"widths", "[%10proc.name][%5evt.num][%3evt.type]", "[curl      ][219  ][ope]", true},
		{"missing skips", "%evt.num %fd.num", "", false},
		{"missing star", "*%evt.num %fd.num", "219 <NA>", true},
		{"trailing literal", "%evt.num--", "219--", true},
		{"only literal", "hello", "hello", true},
		{"bool", "%evt.is_io", "true", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Compile(tt.fmt, testReg())
			if err != nil {
				t.Fatal(err)
			}
			got, ok := f.Append(nil, &fields.Ctx{})
			if ok != tt.printed || string(got) != tt.want {
				t.Errorf("got %q %v, want %q %v", got, ok, tt.want, tt.printed)
			}
		})
	}
}

func TestFormatErrors(t *testing.T) {
	tests := []struct{ fmt, want string }{
		{"%bogus.field", "invalid formatting token bogus.field"},
		{"%evt.num%", "invalid formatting syntax: formatting cannot end with a %"},
		{"100%% %evt.num", "invalid formatting token % %evt.num"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.fmt, testReg())
		if err == nil || err.Error() != tt.want {
			t.Errorf("Compile(%q) = %v, want %q", tt.fmt, err, tt.want)
		}
	}
}

func TestFormatJSON(t *testing.T) {
	tests := []struct{ fmt, want string }{
		{"%proc.name %evt.num %evt.type", `{"evt.num":219,"evt.type":"open","proc.name":"curl"}`},
		{"*%evt.num %fd.num", `{"evt.num":219,"fd.num":null}`},
		{"%evt.is_io %evt.res %evt.time", `{"evt.is_io":true,"evt.res":-2,"evt.time":1534527348514632619}`},
		{"%fd.name", `{"fd.name":"a\"b\u0001\u00e9"}`},
		{"%evt.num %evt.num", `{"evt.num":219}`},
	}
	for _, tt := range tests {
		f, err := Compile(tt.fmt, testReg())
		if err != nil {
			t.Fatal(err)
		}
		got, ok := f.AppendJSON(nil, &fields.Ctx{})
		if !ok || string(got) != tt.want {
			t.Errorf("%q: got %s, want %s", tt.fmt, got, tt.want)
		}
	}
}

func TestEscapeTerminal(t *testing.T) {
	f, err := Compile("%ctl\x1b[0m", testReg())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.Append(nil, &fields.Ctx{})
	if want := "x.[2Jy\x1b[0m"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `"abc"`},
		{"\x7fELF\x02", "\"\x7fELF\\u0002\""},
		{"\t\n\r\b\f\\/", `"\t\n\r\b\f\\/"`},
		{"\xe2\x82\xac", `"\u20ac"`},
		{"\xf0\x9f\x98\x80", `"\ud83d\ude00"`},
		{"\xff", `"\ufffd"`},
		{"\xc3", `"\ufffd"`},
		{"\xc0\x80", `"\ufffd"`},
		{"\xed\xa0\x80", `"\ufffd"`},
	}
	for _, tt := range tests {
		if got := string(AppendJSONString(nil, tt.in)); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"%evt.num", "*%evt.num %fd.num", "%10proc.name", "%", "%%", "a%evt.numx%", "%999999999999999999999evt.num"} {
		f.Add(s)
	}
	reg := testReg()
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := Compile(s, reg)
		if err != nil {
			return
		}
		fm.Append(nil, &fields.Ctx{})
		fm.AppendJSON(nil, &fields.Ctx{})
	})
}

func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"abc", "\xff\xfe", "\xf0\x9f\x98\x80", "\"\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendJSONString(nil, s)
		for _, c := range out[1 : len(out)-1] {
			if c < 0x20 || c >= 0x80 {
				t.Fatalf("unescaped byte %#x in %q", c, out)
			}
		}
	})
}

// FuzzCompileFields compiles arbitrary formats against the real field
// registry (lookup and field arguments included).
func FuzzCompileFields(f *testing.F) {
	for _, s := range []string{"%evt.num", "*%proc.aname[2] %evt.arg.name|x", "%evt.arg[", "%fd.name%", "%10evt.type.is.open", "%evt.around[1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := Compile(s, fields.Default)
		if err == nil && fm.String() != s {
			t.Fatalf("String() = %q, want %q", fm.String(), s)
		}
	})
}
