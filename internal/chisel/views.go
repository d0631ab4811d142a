// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// ViewFile is a view script found in a chisel directory.
type ViewFile struct {
	Name string // file name without .lua (v_procs)
	Path string
}

// ViewFiles returns the v_*.lua scripts of the chisel directories (nil:
// $FERRET_CHISEL_DIR, $SYSDIG_CHISEL_DIR, ./chisels, ~/.chisels, then a
// sysdig installation's directories), first occurrence of a name winning,
// sorted by name.
func ViewFiles(dirs []string) []ViewFile {
	if dirs == nil {
		dirs = append(DefaultDirs(), SystemDirs...)
	}
	seen := map[string]bool{}
	var out []ViewFile
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || !strings.HasPrefix(n, "v_") || !strings.HasSuffix(n, ".lua") {
				continue
			}
			n = strings.TrimSuffix(n, ".lua")
			if seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, ViewFile{Name: n, Path: filepath.Join(d, e.Name())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ReadViewInfo runs a view script in a fresh Lua state (with the same
// library search path as chisels, so a view may require helpers) and
// returns its view_info table as plain Go values: tables with only
// consecutive integer keys become []any, other tables map[string]any,
// strings string, numbers float64, booleans bool. ok is false when the
// script defines no view_info table (it is a chisel or a library).
func ReadViewInfo(path string) (info map[string]any, ok bool, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	out := bufio.NewWriter(io.Discard)
	L := newLuaState(out, &finder{dirs: []string{filepath.Dir(path)}, fallback: SystemDirs})
	defer L.Close()
	fn, err := L.Load(strings.NewReader(string(src)), filepath.Base(path))
	if err == nil {
		L.Push(fn)
		err = L.PCall(0, 0, nil)
	}
	if err != nil {
		return nil, false, errorf("%s: %s", filepath.Base(path), luaErrorText(err))
	}
	t, isTable := L.GetGlobal("view_info").(*lua.LTable)
	if !isTable {
		return nil, false, nil
	}
	m, _ := luaToGo(t, 0).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, true, nil
}

// luaToGo converts a Lua value; depth bounds self-referencing tables.
func luaToGo(v lua.LValue, depth int) any {
	switch x := v.(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return float64(x)
	case lua.LBool:
		return bool(x)
	case *lua.LTable:
		if depth > 16 {
			return nil
		}
		n := x.Len()
		count := 0
		x.ForEach(func(lua.LValue, lua.LValue) { count++ })
		if n > 0 && n == count {
			arr := make([]any, 0, n)
			for i := 1; i <= n; i++ {
				arr = append(arr, luaToGo(x.RawGetInt(i), depth+1))
			}
			return arr
		}
		if count == 0 {
			return []any{}
		}
		m := make(map[string]any, count)
		x.ForEach(func(k, val lua.LValue) {
			if ks, ok := k.(lua.LString); ok {
				m[string(ks)] = luaToGo(val, depth+1)
			}
		})
		return m
	}
	return nil
}
