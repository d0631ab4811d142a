// SPDX-License-Identifier: Apache-2.0

package unwind

// evalExpr evaluates a DWARF expression of the CFI (the PLT's CFA rule,
// realigned frames' register rules): the operations on registers,
// constants, the stack words copied and arithmetic. cfa, when set, is
// pushed first (register rules). It reports false for operations it does
// not know and for unknown registers or memory.
func evalExpr(e []byte, regs []uint64, known []bool, mem stackMem, cfa *uint64) (uint64, bool) {
	var st []uint64
	if cfa != nil {
		st = append(st, *cfa)
	}
	pop := func() (uint64, bool) {
		if len(st) == 0 {
			return 0, false
		}
		v := st[len(st)-1]
		st = st[:len(st)-1]
		return v, true
	}
	for i := 0; i < len(e); {
		op := e[i]
		i++
		switch {
		case op >= 0x30 && op <= 0x4f: // DW_OP_lit0..31
			st = append(st, uint64(op-0x30))
		case op >= 0x70 && op <= 0x8f: // DW_OP_breg0..31
			off, n := sleb(e[i:])
			if n == 0 {
				return 0, false
			}
			i += n
			r := int(op - 0x70)
			if r >= len(regs) || !known[r] {
				return 0, false
			}
			st = append(st, uint64(int64(regs[r])+off))
		case op >= 0x50 && op <= 0x6f: // DW_OP_reg0..31
			r := int(op - 0x50)
			if r >= len(regs) || !known[r] {
				return 0, false
			}
			st = append(st, regs[r])
		default:
			switch op {
			case 0x08: // const1u
				if i+1 > len(e) {
					return 0, false
				}
				st = append(st, uint64(e[i]))
				i++
			case 0x09: // const1s
				if i+1 > len(e) {
					return 0, false
				}
				st = append(st, uint64(int64(int8(e[i]))))
				i++
			case 0x0a, 0x0b: // const2u, const2s
				if i+2 > len(e) {
					return 0, false
				}
				v := uint64(e[i]) | uint64(e[i+1])<<8
				if op == 0x0b {
					v = uint64(int64(int16(v)))
				}
				st = append(st, v)
				i += 2
			case 0x10: // constu
				v, n := uleb(e[i:])
				if n == 0 {
					return 0, false
				}
				i += n
				st = append(st, v)
			case 0x11: // consts
				v, n := sleb(e[i:])
				if n == 0 {
					return 0, false
				}
				i += n
				st = append(st, uint64(v))
			case 0x12: // dup
				if len(st) == 0 {
					return 0, false
				}
				st = append(st, st[len(st)-1])
			case 0x06: // deref
				a, ok := pop()
				if !ok {
					return 0, false
				}
				w, ok := mem.word(a)
				if !ok {
					return 0, false
				}
				st = append(st, w)
			case 0x23: // plus_uconst
				v, n := uleb(e[i:])
				if n == 0 || len(st) == 0 {
					return 0, false
				}
				i += n
				st[len(st)-1] += v
			case 0x1a, 0x1c, 0x1e, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e:
				b, ok1 := pop()
				a, ok2 := pop()
				if !ok1 || !ok2 {
					return 0, false
				}
				st = append(st, binop(op, a, b))
			default:
				return 0, false
			}
		}
	}
	return pop()
}

func binop(op byte, a, b uint64) uint64 {
	t := func(c bool) uint64 {
		if c {
			return 1
		}
		return 0
	}
	switch op {
	case 0x1a:
		return a & b
	case 0x1c:
		return a - b
	case 0x1e:
		return a * b
	case 0x21:
		return a | b
	case 0x22:
		return a + b
	case 0x24:
		return a << (b & 63)
	case 0x25:
		return a >> (b & 63)
	case 0x26:
		return uint64(int64(a) >> (b & 63))
	case 0x27:
		return a ^ b
	case 0x29:
		return t(a == b)
	case 0x2a:
		return t(int64(a) >= int64(b))
	case 0x2b:
		return t(int64(a) > int64(b))
	case 0x2c:
		return t(int64(a) <= int64(b))
	case 0x2d:
		return t(int64(a) < int64(b))
	case 0x2e:
		return t(a != b)
	}
	return 0
}

func uleb(b []byte) (uint64, int) {
	var v uint64
	for i, c := range b {
		if i >= 10 {
			return 0, 0
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

func sleb(b []byte) (int64, int) {
	var v int64
	for i, c := range b {
		if i >= 10 {
			return 0, 0
		}
		v |= int64(c&0x7f) << (7 * uint(i))
		if c&0x80 == 0 {
			if shift := 7 * uint(i+1); shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, i + 1
		}
	}
	return 0, 0
}
