// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
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
// files, then the fallback directories. A directory that another user could
// have filled (see unsafeDir) is skipped with a warning, as sudo and git do
// with unsafe paths; so is a script such a user could have written.
type finder struct {
	dirs     []string
	fallback []string
	// builtinOnly resolves names among the embedded scripts only: the
	// modules a built-in chisel requires.
	builtinOnly bool
	warn        io.Writer // where skipped paths are reported (os.Stderr when nil)
	warned      map[string]bool
}

func newFinder(dirs []string) *finder {
	if dirs == nil {
		return &finder{dirs: DefaultDirs(), fallback: SystemDirs}
	}
	return &finder{dirs: dirs}
}

// builtins returns a finder over the embedded scripts only.
func (f *finder) builtins() *finder { return &finder{builtinOnly: true} }

// unsafePath reports why st (a chisel directory or script) must not be
// trusted: it belongs to a user other than the invoking one and root, or
// its group or others may write to it. "" means it is safe.
func unsafePath(st os.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if uid := uint32(os.Geteuid()); sys.Uid != uid && sys.Uid != 0 {
		return fmt.Sprintf("owned by uid %d", sys.Uid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("writable by group or others (mode %04o)", st.Mode().Perm())
	}
	return ""
}

// usable reports whether path (a directory or a script) may be used,
// warning once about a path that exists but is unsafe.
func (f *finder) usable(path string, st os.FileInfo) bool {
	why := unsafePath(st)
	if why == "" {
		return true
	}
	if f.warned == nil {
		f.warned = map[string]bool{}
	}
	if !f.warned[path] {
		f.warned[path] = true
		w := f.warn
		if w == nil {
			w = os.Stderr
		}
		fmt.Fprintf(w, "ferret: warning: ignoring chisel path %s: %s\n", path, why)
	}
	return false
}

// dirOK reports whether d exists and is safe to load scripts from.
func (f *finder) dirOK(d string) bool {
	st, err := os.Stat(d)
	if err != nil || !st.IsDir() {
		return false
	}
	return f.usable(d, st)
}

// readDir returns NAME.lua (or NAME verbatim) from the first usable
// directory of dirs holding it.
func (f *finder) readDir(dirs []string, name string) (src []byte, chunk string, ok bool) {
	for _, d := range dirs {
		if !f.dirOK(d) {
			continue
		}
		for _, cand := range []string{name + ".lua", name} {
			p := filepath.Join(d, cand)
			st, err := os.Stat(p)
			if err != nil || st.IsDir() || !f.usable(p, st) {
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

// read returns the source of NAME.lua (or NAME verbatim in a directory),
// the chunk name used in error messages and whether it is an embedded
// script.
func (f *finder) read(name string) (src []byte, chunk string, builtin bool, err error) {
	if name == "" || strings.Contains(name, "\x00") {
		return nil, "", false, errNotFound
	}
	if !f.builtinOnly {
		if b, chunk, ok := f.readDir(f.dirs, name); ok {
			return b, chunk, false, nil
		}
	}
	if !strings.ContainsAny(name, "/\\") {
		if b, err := builtinFS.ReadFile("lua/" + name + ".lua"); err == nil {
			return b, name + ".lua", true, nil
		}
	}
	if !f.builtinOnly {
		if b, chunk, ok := f.readDir(f.fallback, name); ok {
			return b, chunk, false, nil
		}
	}
	return nil, "", false, errNotFound
}

// names returns every script name reachable, first occurrence winning, in
// sorted order.
func (f *finder) names() []string {
	seen := map[string]bool{}
	for _, d := range append(append([]string(nil), f.dirs...), f.fallback...) {
		if !f.dirOK(d) {
			continue
		}
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
