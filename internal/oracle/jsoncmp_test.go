// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"os"
	"path/filepath"
	"testing"
)

// TestJSONTiesComparison checks the -j comparison of the top chisels:
// member order is free, layout and values are not, and only rows tied at
// the lowest value may differ.
func TestJSONTiesComparison(t *testing.T) {
	want := "{\n  \"ts\":\"1\",\n  \"data\":[[\"a\",\"9\",5],[\"b\",\"8\",3],[\"c\",\"7\",3]],\n  \"info\":[{\n      \"desc\":\"P\",\n      \"is_key\":true,\n      \"name\":\"proc.name\"\n    },null]\n}\n"
	for _, c := range []struct {
		got  string
		same bool
	}{
		{want, true},
		{"{\n  \"info\":[{\n      \"name\":\"proc.name\",\n      \"is_key\":true,\n      \"desc\":\"P\"\n    },null],\n  \"data\":[[\"a\",\"9\",5],[\"c\",\"7\",3],[\"b\",\"8\",3]],\n  \"ts\":\"1\"\n}\n", true},
		{"{\n  \"ts\":\"1\",\n  \"data\":[[\"a\",\"9\",5],[\"b\",\"8\",3],[\"d\",\"6\",3]],\n  \"info\":[{\n      \"desc\":\"P\",\n      \"is_key\":true,\n      \"name\":\"proc.name\"\n    },null]\n}\n", true},
		// a row above the lowest value differs
		{"{\n  \"ts\":\"1\",\n  \"data\":[[\"x\",\"9\",5],[\"b\",\"8\",3],[\"c\",\"7\",3]],\n  \"info\":[{\n      \"desc\":\"P\",\n      \"is_key\":true,\n      \"name\":\"proc.name\"\n    },null]\n}\n", false},
		// another layout
		{"{\n  \"ts\":\"1\",\n  \"data\":[[\"a\",\"9\",5],[\"b\",\"8\",3],[\"c\",\"7\",3]],\n  \"info\":[{\"desc\":\"P\",\"is_key\":true,\"name\":\"proc.name\"},null]\n}\n", false},
		// another value
		{"{\n  \"ts\":\"2\",\n  \"data\":[[\"a\",\"9\",5],[\"b\",\"8\",3],[\"c\",\"7\",3]],\n  \"info\":[{\n      \"desc\":\"P\",\n      \"is_key\":true,\n      \"name\":\"proc.name\"\n    },null]\n}\n", false},
	} {
		if got := Same(JSONTies, []byte(c.got), []byte(want)); got != c.same {
			t.Errorf("Same(JSONTies) = %v, want %v for\n%s", got, c.same, c.got)
		}
	}
}

// TestTopChiselsJSONMatchSysdig compares every top chisel's -j output (the
// JSON of its table: layout, escapes, number rendering, the info
// descriptors) with sysdig's on generated captures.
func TestTopChiselsJSONMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	dir := t.TempDir()
	for _, seed := range []uint64{3, 11} {
		p := filepath.Join(dir, "top.scap")
		if err := os.WriteFile(p, Generate(seed).Encode(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, c := range chisels {
			if c.Cmp != Ties || c.Args[1] == "bottlenecks" { // bottlenecks prints no JSON
				continue
			}
			m := Mode{Group: "chisel:" + c.Args[1], Args: append([]string{"-j"}, c.Args...), Cmp: JSONTies}
			if v := r.Check(p, m); !v.Agree && !v.SysdigFailed {
				t.Errorf("seed %d: %s", seed, describe(v))
			}
		}
	}
}
