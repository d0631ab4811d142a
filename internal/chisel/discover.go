// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed lua/*.lua
var builtinFS embed.FS

// EnvDir is the environment variable holding extra chisel directories
// (separated by ':' or ';'); they take priority over the other ones.
// sysdig's SYSDIG_CHISEL_DIR is honoured too, after it.
const EnvDir = "FERRET_CHISEL_DIR"

const envSysdigDir = "SYSDIG_CHISEL_DIR"

// DefaultDirs returns the chisel search path in priority order:
// $FERRET_CHISEL_DIR and $SYSDIG_CHISEL_DIR entries, ./chisels/ and
// ~/.chisels/. The embedded
// built-in chisels come after all of them.
func DefaultDirs() []string {
	var dirs []string
	for _, name := range []string{EnvDir, envSysdigDir} {
		env := os.Getenv(name)
		dirs = append(dirs, strings.FieldsFunc(env, func(r rune) bool { return r == ':' || r == ';' })...)
	}
	dirs = append(dirs, "chisels")
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".chisels"))
	}
	return dirs
}

// finder locates scripts by name over the directories, then the embedded
// files.
type finder struct {
	dirs []string
}

func newFinder(dirs []string) *finder {
	if dirs == nil {
		dirs = DefaultDirs()
	}
	return &finder{dirs: dirs}
}

var errNotFound = errors.New("not found")

// read returns the source of NAME.lua (or NAME verbatim in a directory) and
// the chunk name used in error messages.
func (f *finder) read(name string) (src []byte, chunk string, err error) {
	if name == "" || strings.Contains(name, "\x00") {
		return nil, "", errNotFound
	}
	for _, d := range f.dirs {
		for _, cand := range []string{name + ".lua", name} {
			p := filepath.Join(d, cand)
			st, err := os.Stat(p)
			if err != nil || st.IsDir() {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			return b, cand, nil
		}
	}
	if !strings.ContainsAny(name, "/\\") {
		if b, err := builtinFS.ReadFile("lua/" + name + ".lua"); err == nil {
			return b, name + ".lua", nil
		}
	}
	return nil, "", errNotFound
}

// names returns every script name reachable, first occurrence winning, in
// sorted order.
func (f *finder) names() []string {
	seen := map[string]bool{}
	for _, d := range f.dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".lua") {
				continue
			}
			seen[strings.TrimSuffix(e.Name(), ".lua")] = true
		}
	}
	ents, _ := fs.ReadDir(builtinFS, "lua")
	for _, e := range ents {
		seen[strings.TrimSuffix(e.Name(), ".lua")] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// BuiltinNames returns the names of the embedded scripts that are chisels
// (helper libraries excluded).
func BuiltinNames() []string {
	ents, _ := fs.ReadDir(builtinFS, "lua")
	var out []string
	for _, e := range ents {
		n := strings.TrimSuffix(e.Name(), ".lua")
		if strings.HasPrefix(n, "ferret_") {
			continue
		}
		out = append(out, n)
	}
	return out
}
