// SPDX-License-Identifier: Apache-2.0

package unwind

import (
	"encoding/binary"

	"github.com/go-delve/delve/pkg/dwarf/frame"
)

// Arch describes the register copy of one architecture (see
// event.RawUserStack): the number of registers, the DWARF numbers of the
// stack and frame pointers, and the index of the program counter.
type Arch struct {
	Regs, SP, FP, PC int
}

// Architectures whose register copies Unwind reads.
var (
	AMD64 = Arch{Regs: 17, SP: 7, FP: 6, PC: 16}
	ARM64 = Arch{Regs: 33, SP: 31, FP: 29, PC: 32}
)

// MaxFrames bounds the frames of one stack.
const MaxFrames = 256

// Frame is one frame of a call stack.
type Frame struct {
	PC      uint64 // the return address (the interrupted address in the first frame)
	Mapped  bool   // PC is in a mapping of a file
	Path    string // that file
	FileOff uint64 // PC's offset in it
	Sym     string // the symbol at or before PC ("" when none)
	SymOff  uint64 // PC's distance from it
}

// Unwinder unwinds stacks; it caches what it read of each binary. It is
// not safe for concurrent use.
type Unwinder struct {
	arch  Arch
	files map[string]*binaryFile
}

// New returns an unwinder for register copies of arch.
func New(arch Arch) *Unwinder {
	return &Unwinder{arch: arch, files: map[string]*binaryFile{}}
}

func (u *Unwinder) file(path string) *binaryFile {
	b := u.files[path]
	if b == nil {
		b = openBinary(path)
		u.files[path] = b
	}
	return b
}

// stackMem is the copied stack: the bytes from address base.
type stackMem struct {
	base uint64
	b    []byte
}

func (m stackMem) word(addr uint64) (uint64, bool) {
	if addr < m.base || addr-m.base > uint64(len(m.b)) || uint64(len(m.b))-(addr-m.base) < 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(m.b[addr-m.base:]), true
}

// PC returns the index of the program counter in a register copy.
func (u *Unwinder) PC() int { return u.arch.PC }

// Split cuts a RawUserStack copy into its registers and stack bytes.
func (u *Unwinder) Split(p []byte) (regs []uint64, stack []byte, ok bool) {
	n := 8 * u.arch.Regs
	if len(p) < n {
		return nil, nil, false
	}
	regs = make([]uint64, u.arch.Regs)
	for i := range regs {
		regs[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
	return regs, p[n:], true
}

// Unwind returns the call stack of the task whose registers and stack
// (from its stack pointer) were copied, with the mappings of its process.
func (u *Unwinder) Unwind(maps Maps, regs []uint64, stack []byte) []Frame {
	if len(regs) != u.arch.Regs {
		return nil
	}
	a := u.arch
	cur := make([]uint64, a.Regs)
	copy(cur, regs)
	known := make([]bool, a.Regs)
	for i := range known {
		known[i] = true
	}
	mem := stackMem{base: regs[a.SP], b: stack}
	var out []Frame
	for depth := 0; depth < MaxFrames; depth++ {
		pc := cur[a.PC]
		fr := Frame{PC: pc}
		m, ok := maps.Find(pc)
		if !ok {
			out = append(out, fr)
			break
		}
		fr.Mapped, fr.Path, fr.FileOff = true, m.Path, pc-m.Start+m.Off
		bin := u.file(m.Path)
		v, vok := bin.vaddr(fr.FileOff)
		if vok {
			if s, ok := bin.symbolAt(v); ok {
				fr.Sym, fr.SymOff = s.name, v-s.value
			}
		}
		out = append(out, fr)
		if !vok {
			break
		}
		// a return address is looked up one byte back: the call may be the
		// last instruction of its function
		look := v
		if depth > 0 {
			look--
		}
		next, nknown, ok := u.step(bin, look, cur, known, mem)
		if !ok {
			break
		}
		if next[a.SP] <= cur[a.SP] && next[a.PC] == cur[a.PC] || next[a.PC] == 0 {
			break
		}
		cur, known = next, nknown
	}
	return out
}

// step computes the registers of the caller of the frame at address v of
// bin (cur: this frame's registers) by its CFI or, where it has none, by
// the frame pointer.
func (u *Unwinder) step(bin *binaryFile, v uint64, cur []uint64, known []bool, mem stackMem) ([]uint64, []bool, bool) {
	a := u.arch
	next := make([]uint64, a.Regs)
	nknown := make([]bool, a.Regs)
	copy(next, cur)
	copy(nknown, known)
	fde, err := bin.fdes.FDEForPC(v)
	if err != nil {
		// no CFI: the frame pointer, as libdw's fallback: [fp] is the
		// caller's, [fp+8] the return address
		fp := cur[a.FP]
		if !known[a.FP] || fp == 0 {
			return nil, nil, false
		}
		ra, ok := mem.word(fp + 8)
		if !ok {
			return nil, nil, false
		}
		savedFP, ok := mem.word(fp)
		next[a.FP], nknown[a.FP] = savedFP, ok
		next[a.SP], next[a.PC] = fp+16, ra
		return next, nknown, true
	}
	ctx, err := establish(fde, v)
	if err != nil {
		return nil, nil, false
	}
	var cfa uint64
	switch ctx.CFA.Rule {
	case frame.RuleCFA:
		r := int(ctx.CFA.Reg)
		if r >= a.Regs || !known[r] {
			return nil, nil, false
		}
		cfa = uint64(int64(cur[r]) + ctx.CFA.Offset)
	case frame.RuleExpression:
		x, ok := evalExpr(ctx.CFA.Expression, cur, known, mem, nil)
		if !ok {
			return nil, nil, false
		}
		cfa = x
	default:
		return nil, nil, false
	}
	ra := int(ctx.RetAddrReg)
	raSet := false
	for reg, rule := range ctx.Regs {
		r := int(reg)
		if r >= a.Regs {
			continue
		}
		switch rule.Rule {
		case frame.RuleUndefined:
			nknown[r] = false
		case frame.RuleSameVal:
		case frame.RuleOffset:
			w, ok := mem.word(uint64(int64(cfa) + rule.Offset))
			next[r], nknown[r] = w, ok
		case frame.RuleValOffset:
			next[r], nknown[r] = uint64(int64(cfa)+rule.Offset), true
		case frame.RuleRegister:
			if int(rule.Reg) < a.Regs {
				next[r], nknown[r] = cur[rule.Reg], known[rule.Reg]
			} else {
				nknown[r] = false
			}
		case frame.RuleExpression:
			addr, ok := evalExpr(rule.Expression, cur, known, mem, &cfa)
			if ok {
				next[r], nknown[r] = mem.word(addr)
			} else {
				nknown[r] = false
			}
		case frame.RuleValExpression:
			next[r], nknown[r] = evalExpr(rule.Expression, cur, known, mem, &cfa)
		default:
			nknown[r] = false
		}
		if r == ra {
			raSet = true
		}
	}
	if ra >= a.Regs || !nknown[ra] || (!raSet && ra == a.PC) {
		// no rule for the return address, or an undefined one: the
		// outermost frame
		return nil, nil, false
	}
	next[a.PC] = next[ra]
	next[a.SP] = cfa
	nknown[a.SP] = true
	return next, nknown, true
}

// establish runs the CFI of fde up to address v (delve's parser may panic
// on instructions it does not know).
func establish(fde *frame.FrameDescriptionEntry, v uint64) (ctx *frame.FrameContext, err error) {
	defer func() {
		if r := recover(); r != nil {
			ctx, err = nil, errBadCFI
		}
	}()
	return fde.EstablishFrame(v)
}

type unwindError string

func (e unwindError) Error() string { return string(e) }

const errBadCFI = unwindError("unwind: bad CFI")
