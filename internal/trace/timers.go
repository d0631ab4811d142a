// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// POSIX timers (timer_create's sigevent, timer_settime's itimerspecs) and
// NUMA memory policies (get_mempolicy, set_mempolicy, mbind), as strace
// prints them.

var (
	sigevNotify = []nv{{0, "SIGEV_SIGNAL"}, {1, "SIGEV_NONE"}, {2, "SIGEV_THREAD"}, {4, "SIGEV_THREAD_ID"}}
	mpolModes   = []nv{{0, "MPOL_DEFAULT"}, {1, "MPOL_PREFERRED"}, {2, "MPOL_BIND"}, {3, "MPOL_INTERLEAVE"}, {4, "MPOL_LOCAL"}, {5, "MPOL_PREFERRED_MANY"}}
	mpolFlags   = []nv{{1 << 15, "MPOL_F_STATIC_NODES"}, {1 << 14, "MPOL_F_RELATIVE_NODES"}, {1 << 13, "MPOL_F_NUMA_BALANCING"}}
	mpolGet     = []nv{{1, "MPOL_F_NODE"}, {2, "MPOL_F_ADDR"}, {4, "MPOL_F_MEMS_ALLOWED"}}
	mbindBits   = []nv{{1, "MPOL_MF_STRICT"}, {2, "MPOL_MF_MOVE"}, {4, "MPOL_MF_MOVE_ALL"}}
)

// appendSigevent appends a struct sigevent (its first 32 bytes): the
// value only when signals carry it, the thread or function fields of
// the notification kinds that use them; the value when it is not zero.
func appendSigevent(r *renderer, c *rcall, p []byte) {
	notify := u32(p, 12)
	r.b = append(r.b, '{')
	if v := u64(p, 0); v != 0 {
		r.b = append(r.b, "sigev_value={sival_int="...)
		r.b = strconv.AppendInt(r.b, s32(v), 10)
		r.b = append(r.b, ", sival_ptr="...)
		r.b = appendPtr(r.b, v)
		r.b = append(r.b, "}, "...)
	}
	r.b = append(r.b, "sigev_signo="...)
	if sig := u32(p, 8); sig > 0 && sig <= 64 {
		r.b = appendSigX(r.b, int(sig), r.style)
	} else {
		r.b = strconv.AppendUint(r.b, sig, 10)
	}
	r.b = append(r.b, ", sigev_notify="...)
	r.b = appendEnumX(r.b, notify, sigevNotify, "SIGEV_???", r.style)
	switch notify {
	case 4:
		r.b = append(r.b, ", sigev_notify_thread_id="...)
		r.b = strconv.AppendInt(r.b, s32(u32(p, 16)), 10)
	case 2:
		r.b = append(r.b, ", sigev_notify_function="...)
		r.b = appendPtr(r.b, u64(p, 16))
		r.b = append(r.b, ", sigev_notify_attributes="...)
		r.b = appendPtr(r.b, u64(p, 24))
	}
	r.b = append(r.b, '}')
}

// appendItimerspec appends a struct itimerspec.
func appendItimerspec(r *renderer, c *rcall, p []byte) {
	r.b = append(r.b, "{it_interval="...)
	r.b = appendTimespec(r.b, p[:16])
	r.b = append(r.b, ", it_value="...)
	r.b = appendTimespec(r.b, p[16:32])
	r.b = append(r.b, '}')
}

// mpolModeKind is a memory policy mode with its flags.
func mpolModeKind() *argKind {
	return simple(func(r *renderer, c *rcall, i int) {
		r.sep()
		r.b = appendMpolMode(r.b, c.args[i], r.style)
	})
}

func appendMpolMode(b []byte, v uint64, s ConstStyle) []byte {
	return styled(b, s, hexNum(v), func(b []byte) []byte {
		mode, flags := v&^(7<<13), v&(7<<13)
		b = appendEnum(b, mode, mpolModes, "MPOL_???")
		if flags != 0 {
			b = append(b, '|')
			b = appendBits(b, flags, mpolFlags)
		}
		return b
	})
}

// mpolOutKind is get_mempolicy's mode, printed as a policy whatever the
// flags (strace does so with MPOL_F_NODE too).
func mpolOutKind() *argKind {
	return fixed(4, true, func(r *renderer, c *rcall, p []byte) {
		r.b = append(r.b, '[')
		r.b = appendMpolMode(r.b, u32(p, 0), r.style)
		r.b = append(r.b, ']')
	})
}

// nodesMax is how many bytes of a node mask the probe copies (512 nodes).
const nodesMax = 64

// nodemaskKind is a node mask of the number of bits in the next
// argument (the kernel reads one fewer), printed as strace prints
// unsigned longs with "%#0*lx": zero without its 0x.
func nodemaskKind(exit bool) *argKind {
	return &argKind{copy: event.RawFixed, n: nodesMax, exit: exit, print: func(r *renderer, c *rcall, i int) {
		r.sep()
		var p []byte
		var ok bool
		if exit {
			p, ok = c.out(i)
			ok = ok && !c.failed()
		} else {
			p, ok = c.in(i)
		}
		longs := int((c.args[i+1] + 62) / 64)
		if c.args[i+1] == 0 {
			longs = 0
		}
		if c.args[i] == 0 || longs == 0 || r.terse {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		if !ok || len(p) < min(longs, nodesMax/8)*8 {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		r.b = append(r.b, '[')
		for k := 0; k < longs; k++ {
			if k > 0 {
				r.b = append(r.b, ", "...)
			}
			if k == nodesMax/8 {
				r.b = append(r.b, "..."...)
				break
			}
			v := u64(p, 8*k)
			if v == 0 {
				r.b = append(r.b, "0000000000000000"...)
				continue
			}
			h := strconv.FormatUint(v, 16)
			r.b = append(r.b, "0x"...)
			for n := len(h); n < 14; n++ {
				r.b = append(r.b, '0')
			}
			r.b = append(r.b, h...)
		}
		r.b = append(r.b, ']')
	}}
}
