// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"net/netip"
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

func ip6String(p []byte) string {
	var a [16]byte
	copy(a[:], p)
	return netip.AddrFrom16(a).String()
}

// customCopy is a copy a custom decoder needs.
type customCopy struct {
	arg  uint8
	kind argKind
}

// customDecoder renders the arguments of a syscall whose layout depends on
// its own arguments (futex's operation, clone's flags).
type customDecoder struct {
	print  func(r *renderer, c *rcall)
	copies []customCopy
}

var customs = map[string]customDecoder{
	"futex":  {print: printFutex, copies: []customCopy{{3, argKind{copy: event.RawFixed, n: 16}}}},
	"clone":  {print: printClone},
	"clone3": {print: printClone3, copies: []customCopy{{0, argKind{copy: event.RawFixed, n: 88}}}},
	// the signal frame's uc_sigmask: 296 bytes above the stack pointer on
	// entry (x86_64 rt_sigframe after its return address)
	"sendmmsg":  {print: printMmsg(false), copies: mmsgCopies(false)},
	"recvmmsg":  {print: printMmsg(true), copies: mmsgCopies(true)},
	"sigreturn": {print: printSigreturn, copies: []customCopy{{37, argKind{copy: event.RawStack, n: 8}}}},
}

// futexName appends FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME.
func appendFutexOp(b []byte, op uint64) []byte {
	cmd := op & 127
	if cmd < uint64(len(futexCmds)) {
		b = append(b, futexCmds[cmd]...)
		if op&128 != 0 {
			b = append(b, "_PRIVATE"...)
		}
	} else {
		b = appendHex(b, cmd|op&128)
	}
	if op&256 != 0 {
		b = append(b, "|FUTEX_CLOCK_REALTIME"...)
	}
	if rest := op &^ 511; rest != 0 {
		b = append(b, '|')
		b = appendHex(b, rest)
	}
	return b
}

func printFutex(r *renderer, c *rcall) {
	a := c.args
	r.ptr(a[0])
	r.sep()
	r.b = styled(r.b, r.style, hexNum(a[1]), func(b []byte) []byte { return appendFutexOp(b, a[1]) })
	timeout := func() {
		r.sep()
		if p, ok := c.in(3); ok && len(p) == 16 && a[3] != 0 {
			r.b = appendTimespec(r.b, p)
		} else {
			r.b = appendPtr(r.b, a[3])
		}
	}
	bitset := func(v uint64) {
		r.sep()
		if uint32(v) == 0xffffffff {
			r.b = append(r.b, "FUTEX_BITSET_MATCH_ANY"...)
		} else {
			r.b = appendHex(r.b, uint64(uint32(v)))
		}
	}
	switch a[1] & 127 {
	case 0: // WAIT
		r.int(s32(a[2]))
		timeout()
	case 1, 7: // WAKE, UNLOCK_PI
		if a[1]&127 == 1 {
			r.int(s32(a[2]))
		}
	case 9: // WAIT_BITSET
		r.int(s32(a[2]))
		timeout()
		bitset(a[5])
	case 10: // WAKE_BITSET
		r.int(s32(a[2]))
		bitset(a[5])
	case 3: // REQUEUE
		r.int(s32(a[2]))
		r.int(s32(a[3]))
		r.ptr(a[4])
	case 4: // CMP_REQUEUE
		r.int(s32(a[2]))
		r.int(s32(a[3]))
		r.ptr(a[4])
		r.int(s32(a[5]))
	case 6, 8, 13: // LOCK_PI, TRYLOCK_PI, LOCK_PI2
		if a[1]&127 != 8 {
			timeout()
		}
	default:
		r.int(s32(a[2]))
		r.ptr(a[3])
		r.ptr(a[4])
		r.int(s32(a[5]))
	}
}

func appendCloneFlags(b []byte, f uint64, s ConstStyle) []byte {
	sig := f & 0xff
	start := len(b)
	if rest := f &^ 0xff; rest != 0 {
		b = appendBitsX(b, rest, cloneBits, s)
	}
	if sig != 0 {
		if len(b) > start {
			b = append(b, '|')
		}
		b = appendSigX(b, int(sig), s)
	}
	if len(b) == start {
		b = append(b, '0')
	}
	return b
}

// printClone renders clone(2) as strace does on x86_64: flags, stack,
// parent_tid, child_tid, tls.
func printClone(r *renderer, c *rcall) {
	f := c.args[0]
	r.str("child_stack=")
	r.b = appendPtr(r.b, c.args[1])
	r.str("flags=")
	r.b = appendCloneFlags(r.b, f, r.style)
	if f&0x100000 != 0 {
		r.str("parent_tid=")
		r.b = appendPtr(r.b, c.args[2])
	}
	if f&(0x1000000|0x200000) != 0 {
		r.str("child_tidptr=")
		r.b = appendPtr(r.b, c.args[3])
	}
	if f&0x80000 != 0 {
		r.str("tls=")
		r.b = appendPtr(r.b, c.args[4])
	}
}

// printClone3 renders the clone_args struct and its size; with
// CLONE_PARENT_SETTID the tid the kernel stored is shown after "=>".
func printClone3(r *renderer, c *rcall) {
	p, ok := c.in(0)
	r.sep()
	if !ok || len(p) < 64 {
		r.b = appendPtr(r.b, c.args[0])
	} else {
		f := u64(p, 0)
		r.b = append(r.b, "{flags="...)
		r.b = appendBitsX(r.b, f, cloneBits, r.style)
		if f&0x1000 != 0 {
			r.b = append(r.b, ", pidfd="...)
			r.b = appendPtr(r.b, u64(p, 8))
		}
		if f&(0x1000000|0x200000) != 0 {
			r.b = append(r.b, ", child_tid="...)
			r.b = appendPtr(r.b, u64(p, 16))
		}
		if f&0x100000 != 0 {
			r.b = append(r.b, ", parent_tid="...)
			r.b = appendPtr(r.b, u64(p, 24))
		}
		r.b = append(r.b, ", exit_signal="...)
		if s := u64(p, 32); s > 0 && s <= 64 {
			r.b = appendSigX(r.b, int(s), r.style)
		} else {
			r.b = strconv.AppendUint(r.b, s, 10)
		}
		r.b = append(r.b, ", stack="...)
		r.b = appendPtr(r.b, u64(p, 40))
		r.b = append(r.b, ", stack_size="...)
		r.b = appendHex0(r.b, u64(p, 48))
		if f&0x80000 != 0 {
			r.b = append(r.b, ", tls="...)
			r.b = appendPtr(r.b, u64(p, 56))
		}
		r.b = append(r.b, '}')
		r.split = len(r.b)
		if f&0x100000 != 0 && c.succeeded() && c.ret > 0 {
			r.b = append(r.b, " => {parent_tid=["...)
			r.b = strconv.AppendInt(r.b, c.ret, 10)
			r.b = append(r.b, "]}"...)
		}
	}
	r.uint(c.args[1])
}

// printSigreturn renders rt_sigreturn's {mask=[...]}, the mask the frame
// restores.
func printSigreturn(r *renderer, c *rcall) {
	p, ok := c.in(37)
	if !ok || len(p) != 8 {
		return
	}
	r.sep()
	r.b = append(r.b, "{mask="...)
	r.b = appendSigset(r.b, u64(p, 0), r.style)
	r.b = append(r.b, '}')
}
