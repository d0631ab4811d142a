// SPDX-License-Identifier: Apache-2.0

package manual

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	help := `ferret version 1
Usage: ferret x [options]
       ferret x -p PID

Does things.

Options:
 -b, --print-base64 Print data buffers in base64.
 -r <file>, --read=<file>
                    Read events.
  -e trace=SET, --trace=SET only these syscalls: names,
                            classes
      --json[=true|false]   one JSON object per line
      --size WxH            picture size
 -A, -X, --cri,
 --force-term-compat
                    Accepted for compatibility.

Keys: q quits.
`
	p := Parse(help)
	if !reflect.DeepEqual(p.Usage, []string{"ferret x [options]", "ferret x -p PID"}) {
		t.Errorf("usage %q", p.Usage)
	}
	if len(p.Prose) != 1 || p.Prose[0].Lines[0] != "Does things." || len(p.After) != 1 {
		t.Errorf("prose %v after %v", p.Prose, p.After)
	}
	want := []Option{
		{"-b, --print-base64", []string{"-b", "--print-base64"}, "", "Print data buffers in base64."},
		{"-r <file>, --read=<file>", []string{"-r", "--read"}, "<file>", "Read events."},
		{"-e trace=SET, --trace=SET", []string{"-e", "--trace"}, "trace=SET", "only these syscalls: names, classes"},
		{"--json[=true|false]", []string{"--json"}, "", "one JSON object per line"},
		{"--size WxH", []string{"--size"}, "WxH", "picture size"},
		{"-A, -X, --cri, --force-term-compat", []string{"-A", "-X", "--cri", "--force-term-compat"}, "", "Accepted for compatibility."},
	}
	if !reflect.DeepEqual(p.Options, want) {
		for i := range p.Options {
			t.Errorf("option %d: %#v", i, p.Options[i])
		}
	}
}
