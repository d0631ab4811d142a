// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"slices"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

func TestPushDownTypes(t *testing.T) {
	has := func(types []event.Type, name string) bool {
		for _, typ := range event.ByName(name) {
			if slices.Contains(types, typ) {
				return true
			}
		}
		return false
	}
	tests := []struct {
		filter  string
		all     bool
		in, out []string
	}{
		{filter: "proc.name=cat", all: true},
		{filter: "evt.type=read or proc.name=cat", all: true},
		{filter: "evt.type=read", in: []string{"read", "open", "openat", "close", "clone", "execve", "procexit", "brk", "mmap", "munmap"}, out: []string{"write", "futex"}},
		{filter: "evt.type in (write, sendto) and fd.type=ipv4", in: []string{"write", "sendto", "socket", "connect"}, out: []string{"read", "futex"}},
	}
	for _, tt := range tests {
		f, err := Compile(tt.filter, fields.Default)
		if err != nil {
			t.Fatal(err)
		}
		got := KernelPushDown(f).EventTypes
		if tt.all {
			if got != nil {
				t.Errorf("%s: %d types pushed down, want none", tt.filter, len(got))
			}
			continue
		}
		for _, n := range tt.in {
			if !has(got, n) {
				t.Errorf("%s: %s missing", tt.filter, n)
			}
		}
		for _, n := range tt.out {
			if has(got, n) {
				t.Errorf("%s: %s kept", tt.filter, n)
			}
		}
	}
}
