// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// vals holds the values the fake fields return for the current test case;
// a missing key is a missing value. Multi-valued fields take a []any.
var vals map[string]any

type fakeExt struct{ name string }

func setVal(v *fields.Value, x any) {
	*v = fields.Value{}
	switch x := x.(type) {
	case string:
		v.Kind, v.Str = fields.KindString, x
	case int:
		v.Kind, v.Int = fields.KindInt64, int64(x)
	case uint64:
		v.Kind, v.Uint = fields.KindUint64, x
	case bool:
		v.Kind = fields.KindBool
		if x {
			v.Uint = 1
		}
	case float64:
		v.Kind, v.Float = fields.KindDouble, x
	case []byte:
		v.Kind, v.Bytes = fields.KindBytes, x
	case netip.Addr:
		v.Kind, v.Bytes = fields.KindIPAddr, x.AsSlice()
	}
}

func (e fakeExt) Extract(c *fields.Ctx, v *fields.Value) bool {
	x, ok := vals[e.name]
	if !ok {
		return false
	}
	if l, ok := x.([]any); ok {
		if len(l) == 0 {
			return false
		}
		x = l[0]
	}
	setVal(v, x)
	return true
}

type fakeMulti struct{ fakeExt }

func (e fakeMulti) Each(c *fields.Ctx, v *fields.Value, fn func(*fields.Value) bool) bool {
	l, _ := vals[e.name].([]any)
	for _, x := range l {
		setVal(v, x)
		if fn(v) {
			return true
		}
	}
	return false
}

// fakeText renders its integer value as "N(<u>)", like evt.arg.fd.
type fakeText struct{ fakeExt }

func (fakeText) Text(c *fields.Ctx, v *fields.Value, buf []byte) []byte {
	buf = strconv.AppendInt(buf, v.Int, 10)
	return append(buf, "(<u>)"...)
}

func testRegistry() *fields.Registry {
	r := fields.NewRegistry()
	f := func(name, typ string, multi bool) fields.Field {
		return fields.Field{Name: name, Type: typ, New: func(n, arg string) (fields.Extractor, error) {
			if multi {
				return fakeMulti{fakeExt{n}}, nil
			}
			return fakeExt{n}, nil
		}}
	}
	r.Register(&fields.Class{Name: "t", Fields: []fields.Field{
		f("t.num", "UINT64", false), f("t.i", "INT64", false), f("t.i16", "INT16", false),
		f("t.s", "CHARBUF", false), f("t.b", "BOOL", false), f("t.d", "DOUBLE", false),
		f("t.buf", "BYTEBUF", false), f("t.ip", "IPADDR", false), f("t.net", "IPNET", false),
		f("t.port", "PORT", false), f("t.anc", "CHARBUF", true),
		{Name: "t.txt", Type: "CHARBUF", New: func(n, arg string) (fields.Extractor, error) { return fakeText{fakeExt{n}}, nil }},
	}})
	r.Register(&fields.Class{Name: "fd", Fields: []fields.Field{
		f("fd.ip", "IPADDR", true), f("fd.port", "PORT", true), f("fd.net", "IPNET", true),
	}})
	return r
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestMatch(t *testing.T) {
	reg := testRegistry()
	std := map[string]any{
		"t.num": uint64(211), "t.i": -2, "t.i16": 7, "t.s": "/etc/hosts", "t.b": true,
		"t.d": 1.5, "t.buf": []byte("GET / HTTP/1.1\r\n"), "t.ip": ip("10.0.0.79"),
		"t.net": ip("10.1.2.3"), "t.port": uint64(80), "t.anc": []any{"bash", "sshd", "systemd"},
		"fd.ip": []any{ip("10.0.0.79"), ip("1.2.3.4")}, "fd.port": []any{uint64(43210), uint64(80)},
		"fd.net": []any{ip("10.0.0.79"), ip("1.2.3.4")}, "t.txt": 4,
	}
	tests := []struct {
		in   string
		want bool
	}{
		{`t.num=211`, true}, {`t.num!=211`, false}, {`t.num<212`, true}, {`t.num<=211`, true},
		{`t.num>211`, false}, {`t.num>=211`, true}, {`t.num in (1,211)`, true}, {`t.num in (1,2)`, false},
		{`t.num=+211`, true}, {`t.num=-1`, false},
		{`t.i=-2`, true}, {`t.i<0`, true}, {`t.i>-3`, true}, {`t.i16=65543`, true},
		{`t.s=/etc/hosts`, true}, {`t.s="/etc/hosts"`, true}, {`t.s='/etc/hosts"`, true},
		{`t.s != /etc/hosts`, false}, {`t.s > /etc`, true}, {`t.s < /etc`, false},
		{`t.s contains hosts`, true}, {`t.s contains HOSTS`, false}, {`t.s icontains HOSTS`, true},
		{`t.s startswith /etc`, true}, {`t.s endswith hosts`, true}, {`t.s endswith host`, false},
		{`t.s glob *hosts`, true}, {`t.s glob /et?/h*`, true}, {`t.s glob /etc/[hn]*`, true},
		{`t.s glob /etc/[!h]*`, false}, {`t.s glob /etc`, false}, {`t.s glob *`, true},
		{`t.s in (/etc, /etc/hosts)`, true}, {`t.s in (/etc)`, false},
		{`t.s pmatch (/etc)`, true}, {`t.s pmatch (/et)`, false}, {`t.s pmatch (/etc/ho)`, false},
		{`t.s pmatch (/etc/hosts)`, true}, {`t.s pmatch (etc/)`, true}, {`t.s pmatch (/)`, true},
		{`t.s pmatch (/usr, /etc)`, true},
		{`t.s=/etc/hosts\x00abc`, true}, {`t.s contains "\x2fhosts"`, true},
		{`t.b=true`, true}, {`t.b=false`, false}, {`t.b>false`, true},
		{`t.d>1`, true}, {`t.d=1.5`, true},
		{`t.buf contains GET`, true}, {`t.buf startswith "GET /"`, true}, {`t.buf contains POST`, false},
		{`t.ip=10.0.0.79`, true}, {`t.ip!=10.0.0.79`, false}, {`t.ip=::1`, false}, {`t.ip!=::1`, true},
		{`t.net=10.0.0.0/8`, true}, {`t.net=10.2.0.0/16`, false}, {`t.net!=10.2.0.0/16`, true},
		{`t.port=80`, true}, {`t.port=http`, true}, {`t.port=65616`, true}, {`t.port>79`, true},
		{`t.anc=sshd`, true}, {`t.anc=init`, false}, {`t.anc!=bash`, true}, {`t.anc contains ys`, true},
		{`t.txt=4`, false}, {`t.txt="4(<u>)"`, true}, {`t.txt contains <u>`, true},
		// missing values: every comparison is false, != included
		{`t.missing exists`, false}, {`t.num exists`, true},
		{`t.missing=1`, false}, {`t.missing!=1`, false}, {`not t.missing=1`, true},
		{`t.anc exists`, true},
		// boolean structure
		{`t.num=211 and t.i=-2`, true}, {`t.num=211 and t.i=-3`, false},
		{`t.num=1 or t.i=-2`, true}, {`t.num=1 or t.i=-3`, false},
		{`not t.num=211`, false}, {`not not t.num=211`, false}, {`not (not t.num=211)`, true},
		{`t.num=211 and not t.i=-2`, false}, {`t.num=1 or not t.i=-3`, true},
		{`t.num=211 not t.num=1`, true}, {`t.num=1 not t.num=211`, false},
		{`t.num=211 and t.num=211 not t.num=1 and t.i=-2`, true},
		{`(t.num=1 or t.num=211) and t.s exists`, true},
		{`not (t.num=1 or t.num=2) and t.s exists`, true},
		{`t.num in (1,211) or t.num=400`, true},
	}
	vals = std
	vals["t.missing"] = nil
	delete(vals, "t.missing")
	reg.Register(&fields.Class{Name: "m", Fields: []fields.Field{{Name: "t.missing", Type: "UINT64",
		New: func(n, a string) (fields.Extractor, error) { return fakeExt{n}, nil }}}})
	for _, tt := range tests {
		f, err := Compile(tt.in, reg)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.in, err)
			continue
		}
		if got := f.Match(&fields.Ctx{}); got != tt.want || f.Err() != nil {
			t.Errorf("%q: Match = %v (err %v), want %v", tt.in, got, f.Err(), tt.want)
		}
	}
}

func TestMatchRuntimeErrors(t *testing.T) {
	reg := testRegistry()
	vals = map[string]any{"t.num": uint64(21), "t.ip": ip("10.0.0.1"), "fd.ip": []any{ip("::1")}, "t.b": true}
	tests := []struct{ in, want string }{
		{`t.num contains 21`, `'contains' not supported for numeric filters`},
		{`t.num icontains 21`, `'icontains' not supported for numeric filters`},
		{`t.num startswith 21`, `'startswith' not supported for numeric filters`},
		{`t.num endswith 21`, `'endswith' not supported for numeric filters`},
		{`t.num glob 21`, `'glob' not supported for numeric filters`},
		{`t.b contains true`, `'contains' not supported for numeric filters`},
		{`t.ip>10.0.0.0`, `comparison operator not supported for ipv4 addresses`},
		{`t.ip contains 10.0.0.0`, `'contains' not supported for ipv4 addresses`},
		{`t.ip endswith 10.0.0.0`, `comparison operator not supported for ipv4 addresses`},
		{`t.num=1 or t.num contains 2`, `'contains' not supported for numeric filters`},
	}
	for _, tt := range tests {
		f, err := Compile(tt.in, reg)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.in, err)
			continue
		}
		if f.Match(&fields.Ctx{}) {
			t.Errorf("%q matched", tt.in)
		}
		if f.Err() == nil || f.Err().Error() != tt.want {
			t.Errorf("%q: Err = %v, want %q", tt.in, f.Err(), tt.want)
		}
	}
	// short-circuit: the failing check is never reached
	f, _ := Compile(`t.num=21 or t.num contains 2`, reg)
	if !f.Match(&fields.Ctx{}) || f.Err() != nil {
		t.Errorf("short-circuit: match=false or err=%v", f.Err())
	}
}

// sockCtx returns a context whose current event is a read exit on fd 3,
// a socket of the given type with the given ends.
func sockCtx(t testing.TB, typ event.FDType, sip, dip string, sport, dport uint16) *fields.Ctx {
	addr := func(s string) []byte {
		if s == "" {
			return nil
		}
		return ip(s).AsSlice()
	}
	st := state.New(state.Options{})
	st.Load(&event.Snapshot{Threads: []event.Thread{{
		TID: 100, PID: 100, PTID: 1, Comm: "curl",
		FDs: []event.FD{{Num: 3, Type: typ, SrcIP: addr(sip), DstIP: addr(dip), SPort: sport, DPort: dport, L4Proto: event.L4TCP}},
	}}})
	var bld event.Builder
	enter := append([]byte(nil), bld.Reset(6).I64(3).U32(100).Bytes(1000, 100)...)
	exit := append([]byte(nil), bld.Reset(7).I64(1).Raw([]byte("x")).Bytes(2000, 100)...)
	evs := make([]event.Event, 2)
	for i, rec := range [][]byte{enter, exit} {
		if err := evs[i].Decode(rec); err != nil {
			t.Fatal(err)
		}
		st.Update(&evs[i])
	}
	c := fields.NewCtx(st)
	c.Ev = &evs[1]
	if st.Cur().FD == nil {
		t.Fatal("state has no current fd")
	}
	return c
}

func TestMatchSocketEnds(t *testing.T) {
	conn := func(t *testing.T) *fields.Ctx {
		return sockCtx(t, event.FDIPv4Sock, "10.0.0.79", "1.2.3.4", 43210, 80)
	}
	unconnected := func(t *testing.T) *fields.Ctx { return sockCtx(t, event.FDIPv6Sock, "", "", 0, 0) }
	tests := []struct {
		ctx     func(*testing.T) *fields.Ctx
		in      string
		want    bool
		wantErr string
	}{
		{conn, `fd.ip=1.2.3.4`, true, ""}, {conn, `fd.ip=10.0.0.79`, true, ""},
		{conn, `fd.ip!=1.2.3.4`, false, ""}, {conn, `fd.ip!=5.6.7.8`, true, ""},
		{conn, `fd.ip in (5.6.7.8, 1.2.3.4)`, true, ""}, {conn, `fd.ip=::1`, false, ""},
		{conn, `fd.port=80`, true, ""}, {conn, `fd.port=http`, true, ""}, {conn, `fd.proto=http`, true, ""},
		{conn, `fd.port!=80`, false, ""}, {conn, `fd.port!=81`, true, ""},
		{conn, `fd.port>50000`, false, ""}, {conn, `fd.port>80`, true, ""}, {conn, `fd.port in (53, 80)`, true, ""},
		{conn, `fd.net=1.0.0.0/8`, true, ""}, {conn, `fd.net!=1.0.0.0/8`, false, ""}, {conn, `fd.net!=2.0.0.0/8`, true, ""},
		{conn, `fd.ip>1.2.3.4`, false, "filter error: IP filter only supports '=' and '!=' operators"},
		{conn, `fd.ip exists`, false, "filter error: IP filter only supports '=' and '!=' operators"},
		{conn, `fd.port exists`, false, "filter error: unsupported port comparison operator"},
		{conn, `fd.rip.name exists`, false, "filter error: fd.*ip.name filter only supports '=' and '!=' operators"},
		// unconnected sockets compare their zero addresses and ports
		{unconnected, `fd.ip!=10.0.0.79`, true, ""}, {unconnected, `fd.ip=::`, true, ""},
		{unconnected, `fd.ip=0.0.0.0`, true, ""}, {unconnected, `fd.net=0.0.0.0/0`, true, ""},
		{unconnected, `fd.port=0`, true, ""}, {unconnected, `fd.port!=80`, true, ""},
	}
	for _, tt := range tests {
		f, err := Compile(tt.in, fields.Default)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.in, err)
			continue
		}
		got := f.Match(tt.ctx(t))
		gotErr := ""
		if f.Err() != nil {
			gotErr = f.Err().Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("%q: Match = %v, err %q; want %v, %q", tt.in, got, gotErr, tt.want, tt.wantErr)
		}
	}
}
