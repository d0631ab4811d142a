// SPDX-License-Identifier: Apache-2.0

package unwind

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"path/filepath"
)

// Object is a loaded ELF object: its path and load bias (the difference
// between its addresses in memory and in the file).
type Object struct {
	Bias uint64
	Path string
}

// ParseLinkMap reads an event.RawLinkMap copy: the executable, then the
// dynamic linker's list, keeping the objects with absolute paths (not the
// list's entry of the executable, nor the vDSO).
func ParseLinkMap(p []byte) []Object {
	var out []Object
	for first := true; len(p) >= 9; first = false {
		bias := binary.LittleEndian.Uint64(p)
		p = p[8:]
		i := bytes.IndexByte(p, 0)
		if i < 0 {
			break
		}
		name := string(p[:i])
		p = p[i+1:]
		if len(name) > 0 && name[0] == '/' {
			out = append(out, Object{Bias: bias, Path: name})
		} else if first {
			continue
		}
	}
	return out
}

// ObjectMaps returns the mappings the objects' loadable segments make, as
// /proc/PID/maps would list them (paths with symbolic links resolved, as
// the kernel names mapped files). It stands in for the maps of a process
// that has exited.
func (u *Unwinder) ObjectMaps(objs []Object) Maps {
	var out Maps
	seen := map[string]bool{}
	for _, o := range objs {
		path := o.Path
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		b := u.file(path)
		for _, p := range b.loads {
			if p.Flags&elf.PF_X == 0 && len(b.loads) > 1 {
				continue
			}
			start := (p.Vaddr + o.Bias) &^ 4095
			end := (p.Vaddr + o.Bias + p.Memsz + 4095) &^ 4095
			out = append(out, Mapping{Start: start, End: end, Off: p.Off &^ 4095, Path: path})
		}
	}
	sortMaps(out)
	return out
}
