// SPDX-License-Identifier: Apache-2.0

package unwind

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/go-delve/delve/pkg/dwarf/frame"
)

// binaryFile is what the unwinder needs of one ELF file: its loadable
// segments, its CFI and its symbols.
type binaryFile struct {
	loads []elf.ProgHeader
	fdes  frame.FrameDescriptionEntries
	syms  []symbol // by value, then preference
	err   error
}

type symbol struct {
	value uint64
	name  string
}

// openBinary reads path. A file that cannot be read gives a binary with
// err set: its frames show without symbols and end the stack.
func openBinary(path string) *binaryFile {
	b := &binaryFile{}
	f, err := elf.Open(path)
	if err != nil {
		b.err = err
		return b
	}
	defer f.Close()
	hdr := false
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_LOAD:
			b.loads = append(b.loads, p.ProgHeader)
		case elf.PT_GNU_EH_FRAME:
			hdr = true
		}
	}
	b.syms = readSymbols(f)
	// libdw finds .eh_frame through its header's segment: binaries without
	// one (static busybox) are unwound by frame pointer, as strace does
	if s := f.Section(".eh_frame"); hdr && s != nil && s.Type != elf.SHT_NOBITS {
		if data, err := s.Data(); err == nil {
			b.fdes, b.err = parseCFI(data, f.ByteOrder, s.Addr, f.Class)
		}
	}
	return b
}

// parseCFI parses an .eh_frame section mapped at addr; the entries come
// back ordered by address.
func parseCFI(data []byte, order binary.ByteOrder, addr uint64, class elf.Class) (fdes frame.FrameDescriptionEntries, err error) {
	defer func() {
		if r := recover(); r != nil {
			fdes, err = nil, fmt.Errorf("unwind: bad .eh_frame: %v", r)
		}
	}()
	ptr := 8
	if class == elf.ELFCLASS32 {
		ptr = 4
	}
	if addr == 0 {
		addr = 1 // Parse reads .eh_frame only at a nonzero address
	}
	all, err := frame.Parse(data, order, 0, ptr, addr)
	if err != nil {
		return nil, err
	}
	return frame.FrameDescriptionEntries(nil).Append(all), nil
}

// readSymbols returns the symbols of .symtab, else of .dynsym, that can
// name code: defined, named, and neither sections, files nor TLS. Sorted
// by value; of the symbols at one value the first of the table's global
// part is kept, else the first local one, as libdw searches them (fflush,
// not the global _IO_fflush after it; PyImport_ImportModuleLevelObject,
// not the local PyImport_ImportModuleLevelObject.localalias before it).
func readSymbols(f *elf.File) []symbol {
	list, err := f.Symbols()
	if err != nil || len(list) == 0 {
		list, _ = f.DynamicSymbols()
	}
	return rankSymbols(list)
}

// rankSymbols orders a symbol table as readSymbols says.
func rankSymbols(list []elf.Symbol) []symbol {
	type ranked struct {
		symbol
		local bool
		idx   int
	}
	var rs []ranked
	for i, s := range list {
		t := elf.ST_TYPE(s.Info)
		if s.Name == "" || s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE ||
			t == elf.STT_SECTION || t == elf.STT_FILE || t == elf.STT_TLS {
			continue
		}
		rs = append(rs, ranked{symbol{s.Value, s.Name}, elf.ST_BIND(s.Info) == elf.STB_LOCAL, i})
	}
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.value != b.value {
			return a.value < b.value
		}
		if a.local != b.local {
			return b.local
		}
		return a.idx < b.idx
	})
	out := make([]symbol, 0, len(rs))
	for i, r := range rs {
		if i > 0 && r.value == rs[i-1].value {
			continue // the preferred one at this value is kept
		}
		out = append(out, r.symbol)
	}
	return out
}

// vaddr converts a file offset to the address the ELF file gives it.
func (b *binaryFile) vaddr(off uint64) (uint64, bool) {
	for _, p := range b.loads {
		if off >= p.Off && off < p.Off+p.Filesz {
			return off - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

// symbolAt returns the symbol at or before address v.
func (b *binaryFile) symbolAt(v uint64) (symbol, bool) {
	i := sort.Search(len(b.syms), func(i int) bool { return b.syms[i].value > v })
	if i == 0 {
		return symbol{}, false
	}
	return b.syms[i-1], true
}
