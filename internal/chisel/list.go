// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bufio"
	"context"
	"io"
	"sort"
	"strings"
	"time"
)

// scan loads every reachable script to read its declarations. Scripts that
// fail to load are skipped, as sysdig does.
func scan(dirs []string) []Meta {
	f := newFinder(dirs)
	var out []Meta
	for _, name := range f.names() {
		if m, ok := describe(f, name); ok {
			out = append(out, m)
		}
	}
	return out
}

// describe runs one script's top level in a scratch state.
func describe(f *finder, name string) (Meta, bool) {
	src, chunk, builtin, err := f.read(name)
	if err != nil {
		return Meta{}, false
	}
	mods := f
	if builtin {
		mods = f.builtins()
	}
	out := bufio.NewWriter(io.Discard)
	c := &Chisel{opts: &Options{}, find: f, out: out, meta: Meta{Name: name}}
	c.reg = c.opts.registry()
	L := newLuaState(out, mods)
	defer L.Close()
	// Listing runs every script's top level: do not let one that loops
	// forever hang -cl.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	L.SetContext(ctx)
	c.L = L
	c.registerAPI()
	fn, err := L.Load(strings.NewReader(string(src)), chunk)
	if err != nil {
		return Meta{}, false
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		return Meta{}, false
	}
	m, err := readMeta(L, name)
	if err != nil {
		return Meta{}, false
	}
	if m.IsChisel && !m.HasArgs {
		return Meta{}, false
	}
	return m, m.IsChisel || m.IsView
}

// List writes the -cl listing: visible chisels grouped by category, in
// sysdig's layout. dirs nil means DefaultDirs().
func List(w io.Writer, dirs []string) error {
	bw := bufio.NewWriter(w)
	var list []Meta
	for _, m := range scan(dirs) {
		if m.IsChisel && !m.Hidden {
			list = append(list, m)
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Category != list[j].Category {
			return list[i].Category < list[j].Category
		}
		return list[i].Name < list[j].Name
	})
	last := "\x00"
	for _, m := range list {
		if m.Category != last {
			last = m.Category
			head := "Category: " + m.Category
			bw.WriteString("\n" + head + "\n" + strings.Repeat("-", len(head)) + "\n")
		}
		writeShort(bw, m)
	}
	bw.WriteString("\nUse the -i flag to get detailed information about a specific chisel\n")
	return bw.Flush()
}

const (
	nameCol   = 16
	shortWrap = 63
	longWrap  = 79
)

func writeShort(w *bufio.Writer, m Meta) {
	if len(m.Name) >= nameCol {
		w.WriteString(m.Name + "\n" + strings.Repeat(" ", nameCol))
	} else {
		w.WriteString(m.Name + strings.Repeat(" ", nameCol-len(m.Name)))
	}
	writeWrapped(w, m.Short, shortWrap, strings.Repeat(" ", nameCol))
	w.WriteString("\n")
}

// writeWrapped cuts s every width bytes, starting each continuation line
// with indent.
func writeWrapped(w *bufio.Writer, s string, width int, indent string) {
	for i := 0; i < len(s); i += width {
		if i > 0 {
			w.WriteString("\n" + indent)
		}
		end := i + width
		if end > len(s) {
			end = len(s)
		}
		w.WriteString(s[i:end])
	}
}

// Info writes the -i NAME description. It returns an *Error when no
// visible chisel has that name.
func Info(w io.Writer, name string, dirs []string) error {
	f := newFinder(dirs)
	m, ok := describe(f, name)
	if !ok || m.Hidden {
		return errorf("chisel %s not found - use -cl to list them.", name)
	}
	bw := bufio.NewWriter(w)
	if m.IsChisel {
		head := "Category: " + m.Category
		bw.WriteString("\n" + head + "\n" + strings.Repeat("-", len(head)) + "\n")
		writeShort(bw, m)
	}
	bw.WriteString("\n")
	writeWrapped(bw, m.Description, longWrap, "")
	bw.WriteString("\nArgs:\n")
	if len(m.Args) == 0 {
		bw.WriteString("(None)\n")
	} else {
		for _, a := range m.Args {
			writeWrapped(bw, "["+a.Type+"] "+a.Name+" - "+a.Desc, shortWrap, strings.Repeat(" ", nameCol))
			bw.WriteString("\n")
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}
