// SPDX-License-Identifier: Apache-2.0

package unwind

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMaps(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "maps"))
	if err != nil {
		t.Fatal(err)
	}
	m := ParseMaps(b)
	if len(m) != 4 {
		t.Fatalf("mappings: %+v", m)
	}
	got, ok := m.Find(0x7f0000029350)
	if !ok || got.Path != "/usr/lib/x86_64-linux-gnu/libc.so.6" || got.Off != 0x26000 {
		t.Errorf("Find: %+v %v", got, ok)
	}
	if got, ok := m.Find(0x7f0000000000 + 0x200000); ok {
		t.Errorf("unmapped address found in %+v", got)
	}
	if got, ok := m.Find(0x5600000060c4); !ok || got.Path != "/usr/bin/my prog" {
		t.Errorf("path with a space: %+v %v", got, ok)
	}
}

func TestParseLinkMap(t *testing.T) {
	var p []byte
	add := func(bias uint64, name string) {
		p = binary.LittleEndian.AppendUint64(p, bias)
		p = append(append(p, name...), 0)
	}
	add(0x5600, "/usr/bin/dash")
	add(0x5600, "")
	add(0x7ff0, "linux-vdso.so.1")
	add(0x7f00, "/lib/x86_64-linux-gnu/libc.so.6")
	p = append(p, 1, 2, 3) // cut short
	objs := ParseLinkMap(p)
	want := []Object{{0x5600, "/usr/bin/dash"}, {0x7f00, "/lib/x86_64-linux-gnu/libc.so.6"}}
	if len(objs) != len(want) || objs[0] != want[0] || objs[1] != want[1] {
		t.Errorf("got %+v, want %+v", objs, want)
	}
}

// TestExprPLT evaluates the CFA rule of the x86-64 PLT (rsp + 8, plus 8
// more past the push of an entry: rip&15 >= 11).
func TestExprPLT(t *testing.T) {
	expr := []byte{0x77, 8, 0x80, 0, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22}
	regs := make([]uint64, 17)
	known := make([]bool, 17)
	for i := range known {
		known[i] = true
	}
	regs[7] = 0x1000
	for _, c := range []struct{ rip, want uint64 }{{0x4010, 0x1008}, {0x401b, 0x1010}} {
		regs[16] = c.rip
		if v, ok := evalExpr(expr, regs, known, stackMem{}, nil); !ok || v != c.want {
			t.Errorf("rip %#x: %#x %v, want %#x", c.rip, v, ok, c.want)
		}
	}
	known[7] = false
	if _, ok := evalExpr(expr, regs, known, stackMem{}, nil); ok {
		t.Error("unknown register evaluated")
	}
	if _, ok := evalExpr([]byte{0x96}, regs, known, stackMem{}, nil); ok {
		t.Error("unknown operation evaluated")
	}
}

// TestSymbolChoice: the nearest symbol at or before the address, sizes
// aside; at one address the first global one, else the first local one.
func TestSymbolChoice(t *testing.T) {
	fn := func(name string, v uint64, bind elf.SymBind) elf.Symbol {
		return elf.Symbol{Name: name, Value: v, Size: 16, Section: 1, Info: elf.ST_INFO(bind, elf.STT_FUNC)}
	}
	b := &binaryFile{syms: rankSymbols([]elf.Symbol{
		fn("local_alias", 0x100, elf.STB_LOCAL),
		fn("weak_first", 0x200, elf.STB_WEAK),
		fn("global_after", 0x200, elf.STB_GLOBAL),
		fn("global", 0x100, elf.STB_GLOBAL),
		{Name: "undef", Value: 0x180, Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC)},
		{Name: "sect", Value: 0x180, Section: 1, Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_SECTION)},
	})}
	for _, c := range []struct {
		v    uint64
		want string
		off  uint64
	}{{0x100, "global", 0}, {0x1f0, "global", 0xf0}, {0x200, "weak_first", 0}, {0x9000, "weak_first", 0x8e00}} {
		s, ok := b.symbolAt(c.v)
		if !ok || s.name != c.want || c.v-s.value != c.off {
			t.Errorf("%#x: %+v %v, want %s+%#x", c.v, s, ok, c.want, c.off)
		}
	}
	if s, ok := b.symbolAt(0x80); ok {
		t.Errorf("symbol before the first: %+v", s)
	}
}

// TestUnwindRecorded unwinds a write(2) of testdata/sample recorded with
// testdata/record.go and compares the frames with strace -k's lines for
// the same call (sample.want): the symbols of .symtab, CFI through
// PT_GNU_EH_FRAME, and the argument count on top of the stack _start's
// return address would be, in no mapping.
func TestUnwindRecorded(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	maps := ParseMaps(bytes.ReplaceAll(read("sample.maps"), []byte("/TESTDATA/"), []byte(dir+"/")))
	u := New(AMD64)
	regs, stack, ok := u.Split(append(read("sample.regs"), read("sample.stack")...))
	if !ok {
		t.Fatal("short register copy")
	}
	var got []string
	for _, f := range u.Unwind(maps, regs, stack) {
		if !f.Mapped {
			got = append(got, fmt.Sprintf(" > unexpected_backtracing_error [%#x]", f.PC))
			break
		}
		got = append(got, fmt.Sprintf(" > %s(%s+%#x) [%#x]", strings.TrimPrefix(f.Path, dir+"/"), f.Sym, f.SymOff, f.FileOff))
	}
	want := strings.Split(strings.TrimRight(string(read("sample.want")), "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("frames:\n%s\nwant (strace -k):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// the stack cut short after the return address of the first frame:
	// that frame and its caller
	if fr := u.Unwind(maps, regs, stack[:8]); len(fr) != 2 || fr[0].Sym != "leaf" {
		t.Errorf("cut stack: %+v", fr)
	}
}

// FuzzUnwind unwinds arbitrary register and stack copies (the stack is
// the traced program's memory) against the sample's mappings, and parses
// arbitrary object lists and maps.
func FuzzUnwind(f *testing.F) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		f.Fatal(err)
	}
	mb, err := os.ReadFile(filepath.Join(dir, "sample.maps"))
	if err != nil {
		f.Fatal(err)
	}
	maps := ParseMaps(bytes.ReplaceAll(mb, []byte("/TESTDATA/"), []byte(dir+"/")))
	rb, _ := os.ReadFile(filepath.Join(dir, "sample.regs"))
	sb, _ := os.ReadFile(filepath.Join(dir, "sample.stack"))
	f.Add(append(rb, sb[:256]...))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00/bin/x\x00"))
	u := New(AMD64)
	f.Fuzz(func(t *testing.T, p []byte) {
		if regs, stack, ok := u.Split(p); ok {
			if fr := u.Unwind(maps, regs, stack); len(fr) > MaxFrames {
				t.Fatalf("%d frames", len(fr))
			}
		}
		ParseLinkMap(p)
		ParseMaps(p)
	})
}
