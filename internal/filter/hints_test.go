// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"fmt"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

func typesOf(names ...string) []event.Type {
	var out []event.Type
	for _, n := range names {
		out = append(out, event.ByName(n)...)
	}
	return out
}

func TestKernelHints(t *testing.T) {
	generic := []event.Type{event.GenericE, event.GenericX}
	tests := []struct {
		in   string
		want string
	}{
		{`evt.num>3`, `any`},
		{`evt.type=open`, fmt.Sprint(typesOf("open"), " [] [] []")},
		{`evt.type in (open, openat)`, fmt.Sprint(append(generic[:0:0], typesOf("open", "openat")...), " [] [] []")},
		{`evt.type=open and proc.name=curl`, fmt.Sprint(typesOf("open"), " [] [] [curl]")},
		{`evt.type=open or proc.name=curl`, `any`},
		{`evt.type=open or evt.type=close`, fmt.Sprint(typesOf("open", "close"), " [] [] []")},
		{`not evt.type=open`, `any`},
		{`evt.type!=open`, `any`},
		{`proc.pid=1 and thread.tid in (2, 3)`, `[] [1] [2 3] []`},
		{`(proc.pid=1 or proc.pid=4) and evt.num=3`, `[] [1 4] [] []`},
		{`evt.type=open and not proc.name=curl`, fmt.Sprint(typesOf("open"), " [] [] []")},
		{`evt.type=open and evt.type=close`, `[] [] [] []`},
		{`evt.type=mkdirat`, fmt.Sprint(typesOf("mkdirat"), " [] [] []")},
		{`evt.type=io_setup`, fmt.Sprint(generic, " [] [] []")},
	}
	for _, tt := range tests {
		f, err := Compile(tt.in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c := KernelHints(f).Containers; c != nil {
			t.Errorf("KernelHints(%q) restricts containers: %v", tt.in, c)
		}
	}
	for _, tt := range tests {
		f, err := Compile(tt.in, nil)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.in, err)
			continue
		}
		h := KernelHints(f)
		got := "any"
		if !h.Any {
			got = fmt.Sprint(fmtTypes(h.Types), " ", fmtInts(h.PIDs), " ", fmtInts(h.TIDs), " ", fmtStrs(h.Comms))
		}
		if got != tt.want {
			t.Errorf("KernelHints(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func fmtTypes(t []event.Type) string {
	if t == nil {
		return "[]"
	}
	return fmt.Sprint(t)
}
func fmtInts(t []int64) string  { return fmt.Sprint(append([]int64{}, t...)) }
func fmtStrs(t []string) string { return fmt.Sprint(append([]string{}, t...)) }

func TestFieldsAndUsesOnly(t *testing.T) {
	f, err := Compile(`proc.name=curl and (fd.name exists or proc.aname[1]=bash)`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(f.Fields()); got != "[proc.name fd.name proc.aname[1]]" {
		t.Errorf("Fields = %s", got)
	}
	if !f.UsesOnly("process", "fd") || f.UsesOnly("process") {
		t.Errorf("UsesOnly wrong")
	}
}

func TestKernelHintsContainers(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{`container.name=web1`, []string{"web1"}},
		{`container.id in (0123456789ab, web2) and evt.type=open`, []string{"0123456789ab", "web2"}},
		{`container.name=web1 or container.name=web2`, []string{"web1", "web2"}},
		{`container.name=web1 and container.id=0123456789ab`, []string{"web1"}},
		{`container.name=web1 or proc.name=sh`, nil},
		{`container.id=host`, nil},
		{`container.name in (web1, host)`, nil},
		{`container.name!=web1`, nil},
		{`not container.name=web1`, nil},
		{`container.name contains web`, nil},
	} {
		f, err := Compile(tt.in, nil)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.in, err)
		}
		if got := KernelHints(f).Containers; fmt.Sprint(got) != fmt.Sprint(tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("KernelHints(%q).Containers = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}
