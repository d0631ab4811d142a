// SPDX-License-Identifier: Apache-2.0

package app

import (
	"github.com/ferret-observability/ferret/internal/getopt"
	"reflect"
	"testing"
)

func TestGetopt(t *testing.T) {
	tests := []struct {
		args     []string
		opts     []getopt.Opt
		operands []string
		err      string
	}{
		{[]string{"-r", "f.scap", "evt.num<=260"}, []getopt.Opt{{Name: "r", Arg: "f.scap"}}, []string{"evt.num<=260"}, ""},
		{[]string{"-pc", "-j"}, []getopt.Opt{{Name: "p", Arg: "c"}, {Name: "j", Arg: ""}}, nil, ""},
		{[]string{"-lv"}, []getopt.Opt{{Name: "l", Arg: ""}, {Name: "v", Arg: ""}}, nil, ""},
		{[]string{"-cl"}, []getopt.Opt{{Name: "c", Arg: "l"}}, nil, ""},
		{[]string{"proc.name=cat", "-q", "and", "x"}, []getopt.Opt{{Name: "q", Arg: ""}}, []string{"proc.name=cat", "and", "x"}, ""},
		{[]string{"-qSr", "a"}, []getopt.Opt{{Name: "q", Arg: ""}, {Name: "S", Arg: ""}, {Name: "r", Arg: "a"}}, nil, ""},
		{[]string{"--read=a", "--json", "--print", "%evt.num"}, []getopt.Opt{{Name: "r", Arg: "a"}, {Name: "j", Arg: ""}, {Name: "p", Arg: "%evt.num"}}, nil, ""},
		{[]string{"--", "-x"}, nil, []string{"-x"}, ""},
		{[]string{"-Y"}, nil, nil, "invalid option -- 'Y'"},
		{[]string{"-r"}, nil, nil, "option requires an argument -- 'r'"},
		{[]string{"--bogus"}, nil, nil, "unrecognized option '--bogus'"},
		{[]string{"--buffer-size", "8M"}, []getopt.Opt{{Name: "buffer-size", Arg: "8M"}}, nil, ""},
		{[]string{"--list-markdown"}, []getopt.Opt{{Name: "list-markdown", Arg: ""}}, nil, ""},
	}
	for _, tt := range tests {
		opts, ops, err := getopt.Parse(optDefs, tt.args)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: err %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(opts, tt.opts) || !reflect.DeepEqual(ops, tt.operands) {
			t.Errorf("%q: got %v %q, want %v %q", tt.args, opts, ops, tt.opts, tt.operands)
		}
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		args  []string
		check func(c *Config) bool
	}{
		{[]string{"-pc"}, func(c *Config) bool { return c.Container && !c.FormatSet }},
		{[]string{"-pcontainer"}, func(c *Config) bool { return c.Container }},
		{[]string{"-pp"}, func(c *Config) bool { return c.PrintFormat }},
		{[]string{"-pk"}, func(c *Config) bool { return c.K8s }},
		{[]string{"-p", `a\tb\\n%evt.num\n--\e`}, func(c *Config) bool { return c.Format == "a\tb\\n%evt.num\n--\x1b" }},
		{[]string{"-r", "a", "-r", "b"}, func(c *Config) bool { return reflect.DeepEqual(c.Read, []string{"a", "b"}) }},
		{[]string{"-t", "D"}, func(c *Config) bool { return c.TimeMode == 'D' }},
		{[]string{"-X", "-A"}, func(c *Config) bool { return c.Buf == 'A' }},
		{[]string{"-s", "200", "-n", "10", "-M", "3"}, func(c *Config) bool { return c.Snaplen == 200 && c.NumEvents == 10 && c.MaxSeconds == 3 }},
		{[]string{"--buffer-size=16M"}, func(c *Config) bool { return c.BufferSize == 16<<20 }},
		{[]string{"-c", "topfiles_bytes", "-cl"}, func(c *Config) bool { return c.ListChisels && c.Chisels[0] == "topfiles_bytes" }},
	}
	for _, tt := range tests {
		c, err := parseConfig(tt.args)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !tt.check(c) {
			t.Errorf("%q: unexpected config %+v", tt.args, c)
		}
	}
	for _, bad := range [][]string{{"-t", "x"}, {"-n", "abc"}, {"-n", "0"}, {"-M", "0"}, {"-C", "x"}, {"--buffer-size", "lots"}} {
		if _, err := parseConfig(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzGetopt(f *testing.F) {
	f.Add("-r\x00a\x00-pc\x00evt.num<3")
	f.Add("--print=%evt.num\x00--\x00-x")
	f.Fuzz(func(t *testing.T, s string) {
		args := splitNUL(s)
		c, err := parseConfig(args)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}

func splitNUL(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
