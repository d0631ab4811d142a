// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func fmtInt(i int) string { return strconv.Itoa(i) }

// sharedDir finds ../shared beside the repository root.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Skip("repository root not found")
		}
		dir = up
	}
}

func refPath(t testing.TB, name string) string {
	return filepath.Join(sharedDir(t), "reference", name)
}

func luaString(s string) lua.LValue  { return lua.LString(s) }
func luaNumber(n float64) lua.LValue { return lua.LNumber(n) }
