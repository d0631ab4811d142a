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

// SystemDirs are where a sysdig installation keeps its chisels. They are
// searched after the built-ins, so chisels a machine already has (and that
// ferret does not ship) keep working under ferret.
var SystemDirs = []string{"/usr/share/sysdig/chisels", "/usr/local/share/sysdig/chisels"}

// finder locates scripts by name over the directories, then the embedded
// files, then the fallback directories.
type finder struct {
	dirs     []string
	fallback []string
}

func newFinder(dirs []string) *finder {
	if dirs == nil {
		return &finder{dirs: DefaultDirs(), fallback: SystemDirs}
	}
	return &finder{dirs: dirs}
}

// readDir returns NAME.lua (or NAME verbatim) from the first directory of
// dirs holding it.
func readDir(dirs []string, name string) (src []byte, chunk string, ok bool) {
	for _, d := range dirs {
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
			return b, cand, true
		}
	}
	return nil, "", false
}

var errNotFound = errors.New("not found")

// read returns the source of NAME.lua (or NAME verbatim in a directory) and
// the chunk name used in error messages.
func (f *finder) read(name string) (src []byte, chunk string, err error) {
	if name == "" || strings.Contains(name, "\x00") {
		return nil, "", errNotFound
	}
	if b, chunk, ok := readDir(f.dirs, name); ok {
		return b, chunk, nil
	}
	if !strings.ContainsAny(name, "/\\") {
		if b, err := builtinFS.ReadFile("lua/" + name + ".lua"); err == nil {
			return b, name + ".lua", nil
		}
	}
	if b, chunk, ok := readDir(f.fallback, name); ok {
		return b, chunk, nil
	}
	return nil, "", errNotFound
}

// names returns every script name reachable, first occurrence winning, in
// sorted order.
func (f *finder) names() []string {
	seen := map[string]bool{}
	for _, d := range append(append([]string(nil), f.dirs...), f.fallback...) {
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
