// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// rcall is one syscall from its raw records: the enter record (nil when it
// was not seen) and the exit record (nil while the call runs, or for calls
// that never return).
type rcall struct {
	s           *scSpec
	name        string
	nr          int
	args        [6]uint64
	enter, exit *event.Event
	ret         int64
	fdsDone     bool // -y: the call's effect on the descriptors was applied
}

// newCall reads the number and arguments of a raw enter record.
func (c *rcall) load(enter, exit *event.Event) {
	*c = rcall{enter: enter, exit: exit, nr: -1}
	if enter != nil && enter.NParams >= event.RawEnterCopies {
		nr, _ := enter.Uint(event.RawEnterNr)
		c.nr = int(nr)
		for i := range c.args {
			p := enter.Param(event.RawEnterArg0 + i)
			if len(p) == 8 {
				c.args[i] = binary.LittleEndian.Uint64(p)
			}
		}
	}
	if exit != nil {
		c.ret, _ = exit.Int(event.RawExitRet)
	}
	c.s = spec(c.nr)
	if c.s != nil {
		c.name = c.s.name
	} else if n := event.NativeName(c.nr); n != "" {
		c.name = n
	} else if c.nr >= 0 {
		c.name = "syscall_" + strconv.Itoa(c.nr)
	}
}

// failed reports whether the call returned an error.
func (c *rcall) failed() bool { return c.exit != nil && c.ret < 0 && c.ret >= -4095 }

// succeeded reports whether the call returned without an error.
func (c *rcall) succeeded() bool { return c.exit != nil && !c.failed() }

// in returns the enter copy of argument i.
func (c *rcall) in(i int) ([]byte, bool) {
	if c.s == nil || c.enter == nil {
		return nil, false
	}
	k := -1
	if i < 6 {
		k = int(c.s.in[i])
	} else if i == int(c.s.stackArg) && c.s.stackIdx > 0 {
		k = int(c.s.stackIdx)
	}
	if k < 0 || !c.enter.HasParam(k) {
		return nil, false
	}
	return c.enter.Param(k), true
}

// out returns the exit copy of argument i, when the call succeeded.
func (c *rcall) out(i int) ([]byte, bool) {
	if c.s == nil || i >= 6 || c.s.out[i] < 0 || !c.succeeded() || !c.exit.HasParam(int(c.s.out[i])) {
		return nil, false
	}
	p := c.exit.Param(int(c.s.out[i]))
	return p, len(p) > 0
}

// outAny returns the exit copy of argument i, whatever the call returned.
func (c *rcall) outAny(i int) ([]byte, bool) {
	if c.s == nil || i >= 6 || c.s.out[i] < 0 || c.exit == nil || !c.exit.HasParam(int(c.s.out[i])) {
		return nil, false
	}
	p := c.exit.Param(int(c.s.out[i]))
	return p, len(p) > 0
}

// renderer appends the pieces of one line.
type renderer struct {
	b       []byte
	strSize int
	hex     int        // Options.Hex
	n       int        // arguments written so far
	split   int        // length of b where the first exit-only argument starts (-1: none yet)
	fds     *fdTable   // the process's descriptors with -y, else nil
	style   ConstStyle // -X
	// raw (-e raw=) prints the arguments of its syscalls in hex; the
	// structs of syscalls not in verbose (-e verbose=) are shown as
	// their addresses. nil: none raw, every one verbose.
	raw, verbose *Set
	terse        bool // the call's structs are shown as addresses
	// abbrev (-e abbrev=, -v) lists the syscalls whose structs and
	// arrays are abbreviated; nil: all. full: the call is not in it.
	abbrev *Set
	full   bool
	loc    *time.Location // the zone of the times in full structs
}

// maxElems is how many elements of an array are shown: -s of them when the
// call is abbreviated, all otherwise.
func (r *renderer) maxElems() int {
	if r.full {
		return 1 << 30
	}
	return r.strSize
}

// quote appends s quoted (see appendQuoted), in \x escapes with -x/-xx.
func (r *renderer) quote(b []byte, s []byte, max int) []byte {
	return appendQuotedX(b, s, max, r.hex)
}

func (r *renderer) sep() {
	if r.n > 0 {
		r.b = append(r.b, ", "...)
	}
	r.n++
}

func (r *renderer) str(s string) { r.sep(); r.b = append(r.b, s...) }
func (r *renderer) int(v int64)  { r.sep(); r.b = strconv.AppendInt(r.b, v, 10) }
func (r *renderer) uint(v uint64) {
	r.sep()
	r.b = strconv.AppendUint(r.b, v, 10)
}

func appendPtr(b []byte, v uint64) []byte {
	if v == 0 {
		return append(b, "NULL"...)
	}
	return appendHex(b, v)
}

func (r *renderer) ptr(v uint64) { r.sep(); r.b = appendPtr(r.b, v) }

func appendHex0(b []byte, v uint64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	return appendHex(b, v)
}

// appendOct appends v as C's %#03o.
func appendOct(b []byte, v uint64) []byte {
	s := strconv.FormatUint(v, 8)
	if v != 0 {
		s = "0" + s
	}
	for i := len(s); i < 3; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func cstr(p []byte) []byte {
	for i, c := range p {
		if c == 0 {
			return p[:i]
		}
	}
	return p
}

func u16(p []byte, off int) uint64 {
	if off+2 > len(p) {
		return 0
	}
	return uint64(binary.LittleEndian.Uint16(p[off:]))
}

func u32(p []byte, off int) uint64 {
	if off+4 > len(p) {
		return 0
	}
	return uint64(binary.LittleEndian.Uint32(p[off:]))
}

func u64(p []byte, off int) uint64 {
	if off+8 > len(p) {
		return 0
	}
	return binary.LittleEndian.Uint64(p[off:])
}

func s32(v uint64) int64 { return int64(int32(uint32(v))) }

// args renders the argument list of c (without parentheses).
func (r *renderer) args(c *rcall) {
	r.split = -1
	if r.raw != nil && r.raw.Has(c.name) {
		r.rawArgs(c)
		return
	}
	r.terse = r.verbose != nil && !r.verbose.Has(c.name)
	r.full = r.abbrev != nil && !r.abbrev.Has(c.name)
	s := c.s
	if s == nil {
		// Unknown to the table: the six raw arguments in hex, as strace
		// does for syscalls it cannot decode.
		for i := 0; i < 6; i++ {
			r.sep()
			r.b = appendHex0(r.b, c.args[i])
		}
		return
	}
	if s.custom != nil {
		s.custom(r, c)
		return
	}
	for i, k := range s.kinds {
		if i == s.split {
			r.split = len(r.b)
			if r.n > 0 {
				r.split += 2
			}
			if c.exit == nil {
				return
			}
		}
		k.print(r, c, i)
	}
}

// kind helpers

func simple(f func(r *renderer, c *rcall, i int)) *argKind { return &argKind{print: f} }

func bitsKind(t []nv) *argKind {
	return simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendBitsX(r.b, c.args[i], t, r.style) })
}

func enumKind(t []nv, unknown string) *argKind {
	return simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendEnumX(r.b, c.args[i], t, unknown, r.style) })
}

// fixed is a kind whose struct of n bytes is copied on enter (exit false)
// or on exit; print renders it, else the pointer is shown.
func fixed(n uint16, exit bool, print func(r *renderer, c *rcall, p []byte)) *argKind {
	return &argKind{copy: event.RawFixed, n: n, exit: exit, print: func(r *renderer, c *rcall, i int) {
		var p []byte
		var ok bool
		if exit {
			p, ok = c.out(i)
		} else {
			p, ok = c.in(i)
		}
		r.sep()
		if !ok || len(p) < int(n) || c.args[i] == 0 || r.terse {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		print(r, c, p)
	}}
}

var argKinds map[string]*argKind

// initKinds fills argKinds (before the table is compiled).
func initKinds() {
	argKinds = map[string]*argKind{
		"-":  simple(func(r *renderer, c *rcall, i int) {}), // not shown
		"d":  simple(func(r *renderer, c *rcall, i int) { r.int(s32(c.args[i])) }),
		"ld": simple(func(r *renderer, c *rcall, i int) { r.int(int64(c.args[i])) }),
		"u":  simple(func(r *renderer, c *rcall, i int) { r.uint(c.args[i]) }),
		"x":  simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendHex0(r.b, c.args[i]) }),
		"p":  simple(func(r *renderer, c *rcall, i int) { r.ptr(c.args[i]) }),
		"fd": simple(func(r *renderer, c *rcall, i int) {
			r.int(s32(c.args[i]))
			r.b = appendFDPath(r.b, r.fds, s32(c.args[i]))
		}),
		"dirfd": simple(func(r *renderer, c *rcall, i int) {
			if s32(c.args[i]) == -100 {
				r.sep()
				r.b = styled(r.b, r.style, decNum(-100), func(b []byte) []byte { return append(b, "AT_FDCWD"...) })
				if cwd, ok := r.fds.cwdOf(); ok {
					r.b = appendAngled(r.b, cwd)
				}
			} else {
				r.int(s32(c.args[i]))
				r.b = appendFDPath(r.b, r.fds, s32(c.args[i]))
			}
		}),
		"path": {copy: event.RawStr, both: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			if len(p) <= 1 {
				// the page was not resident when the call entered: the
				// copy made when it returned
				p, ok = c.outAny(i)
			}
			if !ok || c.args[i] == 0 || len(p) == 0 {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = r.quote(r.b, cstr(p), -1)
		}},
		// a NUL-terminated string that is no path: -s of it is shown
		"str": {copy: event.RawStr, both: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			if len(p) <= 1 {
				p, ok = c.outAny(i)
			}
			if !ok || c.args[i] == 0 || len(p) == 0 {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = r.quote(r.b, cstr(p), r.strSize)
		}},
		"rbuf": {copy: event.RawRetLen, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.out(i)
			if !ok && !(c.succeeded() && c.ret == 0) {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.buf(p, c.ret)
		}},
		"wbuf": {copy: event.RawArgLen, n: 1, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			n := int64(c.args[i+1])
			if !ok && n != 0 {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.buf(p, n)
		}},
		"cwd": {copy: event.RawRetLen, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.out(i)
			if !ok {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = r.quote(r.b, cstr(p), -1)
		}},
		"oflags": simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendOpenFlagsX(r.b, c.args[i], r.style) }),
		"omode": simple(func(r *renderer, c *rcall, i int) {
			if f := c.args[i-1]; f&0100 != 0 || f&020200000 == 020200000 {
				r.sep()
				r.b = appendOct(r.b, c.args[i])
			}
		}),
		"mode":  simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendOct(r.b, c.args[i]&07777) }),
		"umode": simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendOct(r.b, c.args[i]&0777) }),
		"prot":  bitsKind(protBits),
		"mflags": simple(func(r *renderer, c *rcall, i int) {
			r.sep()
			r.b = styled(r.b, r.style, hexNum(c.args[i]), func(b []byte) []byte { return appendMapFlags(b, c.args[i]) })
		}),
		"atflags":    bitsKind(atBits),
		"statxflags": simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendStatxFlags(r.b, c.args[i], r.style) }),
		"statxmask":  bitsKind(statxMask),
		"access":     bitsKind(accessBits),
		"whence":     enumKind(whence, ""),
		"rlres":      enumKind(rlimits, "RLIMIT_???"),
		"sighow":     enumKind(sigHow, "SIG_???"),
		"clock":      enumKind(clocks, "CLOCK_???"),
		"timerflags": bitsKind(timerBits),
		"grnd":       bitsKind(grnd),
		"fadv":       enumKind(fadvs, ""),
		"madv":       enumKind(madvs, ""),
		"msgflags":   bitsKind(msgBits),
		"renflags":   bitsKind(renameBits),
		"waitopts":   bitsKind(waitBits),
		"ocloexec":   bitsKind(ocloexec),
		"sockflags":  bitsKind(sockBits),
		"xattr":      bitsKind(xattrBits),
		"mremap":     bitsKind(mremapBits),
		"msync":      bitsKind(msyncBits),
		"mlockall":   bitsKind(mlockBits),
		"epollflags": bitsKind([]nv{{02000000, "EPOLL_CLOEXEC"}}),
		"epollop":    enumKind(epollOps, ""),
		"efd":        bitsKind(efdBits),
		"tfd":        bitsKind(tfdBits),
		"sfd":        bitsKind(sfdBits),
		"inotify":    bitsKind(inotifyIn),
		"memfd":      bitsKind(memfdBits),
		"shut":       enumKind(shutHow, ""),
		"flock":      bitsKind(flockOps),
		"itimer":     enumKind(itimers, ""),
		"prio":       enumKind(prioWhich, ""),
		"mount":      bitsKind(mountBits),
		"umount":     bitsKind(umountBits),
		"archprctl":  enumKind(archPrctl, "ARCH_???"),
		"prctl":      enumKind(prctls, "PR_???"),
		"prctl1":     prctlArg1Kind(),
		"prctlx":     prctlRestKind(false),
		"prctlx4":    prctlRestKind(true),
		"ioctl":      enumKind(ioctls, ""),
		"fcntl":      enumKind(fcntlCmds, "F_???"),
		"fcntlarg": simple(func(r *renderer, c *rcall, i int) {
			switch c.args[i-1] {
			case 1, 3, 9, 11, 1025, 1032, 1034: // F_GET*: no argument
			case 2:
				r.sep()
				r.b = appendBitsX(r.b, c.args[i], fdFlags, r.style)
			case 4:
				r.sep()
				r.b = appendOpenFlagsX(r.b, c.args[i], r.style)
			case 0, 1030, 8, 10, 1024, 1026, 1031, 1033:
				r.int(s32(c.args[i]))
			default:
				r.ptr(c.args[i])
			}
		}),
		"rusagewho": simple(func(r *renderer, c *rcall, i int) {
			r.sep()
			r.b = appendEnumX(r.b, uint64(s32(c.args[i])), rusageWho, "", r.style)
		}),
		"sig": simple(func(r *renderer, c *rcall, i int) {
			v := s32(c.args[i])
			if v > 0 && v <= 64 {
				r.sep()
				r.b = appendSigX(r.b, int(v), r.style)
			} else {
				r.int(v)
			}
		}),
		"af": simple(func(r *renderer, c *rcall, i int) { r.sep(); r.b = appendEnumX(r.b, c.args[i], families, "", r.style) }),
		"socktype": simple(func(r *renderer, c *rcall, i int) {
			r.sep()
			r.b = appendEnumX(r.b, c.args[i]&0xf, sockTypes, "", r.style)
			if rest := c.args[i] &^ 0xf; rest != 0 {
				r.b = append(r.b, '|')
				r.b = appendBitsX(r.b, rest, sockBits, r.style)
			}
		}),
		"proto": simple(func(r *renderer, c *rcall, i int) {
			if af := c.args[0]; af == 2 || af == 10 {
				r.sep()
				r.b = appendEnumX(r.b, c.args[i], ipProtos, "", r.style)
			} else if name, ok := netlinkProtos[byte(c.args[i])]; ok && af == 16 && c.args[i] < 256 {
				r.sep()
				r.b = styled(r.b, r.style, hexNum(c.args[i]), func(b []byte) []byte { return append(b, "NETLINK_"+name...) })
			} else {
				r.int(s32(c.args[i]))
			}
		}),
		"sollevel": enumKind(solLevels, ""),
		"sockopt": simple(func(r *renderer, c *rcall, i int) {
			r.sep()
			switch c.args[1] {
			case 1:
				r.b = appendEnumX(r.b, c.args[i], soNames, "", r.style)
			case 6:
				r.b = appendEnumX(r.b, c.args[i], tcpNames, "", r.style)
			case 0:
				r.b = appendEnumX(r.b, c.args[i], ipNames, "", r.style)
			case 41:
				r.b = appendEnumX(r.b, c.args[i], ipv6Names, "", r.style)
			default:
				r.b = strconv.AppendUint(r.b, c.args[i], 10)
			}
		}),
		"optval": {copy: event.RawArgLen, n: 1, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			r.optval(p, ok, c.args[i])
		}},
		"optval_out": {copy: event.RawPtrLen, n: 1, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.out(i)
			r.optval(p, ok, c.args[i])
		}},
		"optlen_io":  socklenIO(),
		"socklen_io": socklenIO(),
		"sockaddr_in": {copy: event.RawArgLen, n: 1, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			if !ok || c.args[i] == 0 || len(p) < 2 || r.terse {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = appendSockaddrX(r.b, p, r.style, r.hex)
		}},
		"sockaddr_out": {copy: event.RawPtrLen, n: 1, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.out(i)
			if !ok || c.args[i] == 0 || len(p) < 2 || r.terse {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = appendSockaddrX(r.b, p, r.style, r.hex)
		}},
		"pollfds": {copy: event.RawArgLen, n: 1, unit: 8, both: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			if !ok || c.args[i] == 0 {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = appendPollfds(r.b, p, false, r.style)
		}},
		"argv": {copy: event.RawStrv, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			if !ok || c.args[i] == 0 || r.terse {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.strv(p)
		}},
		// the number of variables, or (unabbreviated: Copies' envp is
		// then RawStrv, see FullCopies) the strings
		"envp": {copy: event.RawPtrCount, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.in(i)
			if r.full && ok && c.args[i] != 0 && !r.terse {
				r.strv(p)
				return
			}
			r.b = appendPtr(r.b, c.args[i])
			if ok && len(p) == 8 && c.args[i] != 0 && !r.terse {
				r.b = append(r.b, " /* "...)
				r.b = strconv.AppendUint(r.b, u64(p, 0), 10)
				r.b = append(r.b, " vars */"...)
			}
		}},
		"dents": {copy: event.RawRetLen, n: 250, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			if !c.succeeded() || r.terse {
				r.b = appendHex(r.b, c.args[i])
				return
			}
			p, _ := c.out(i)
			if r.full {
				r.dirents(p, c.name == "getdents64")
				return
			}
			r.b = appendHex(r.b, c.args[i])
			n := 0
			for off := 0; off+18 < len(p); n++ {
				l := int(u16(p, off+16))
				if l == 0 {
					break
				}
				off += l
			}
			r.b = append(r.b, " /* "...)
			r.b = strconv.AppendInt(r.b, int64(n), 10)
			r.b = append(r.b, " entries */"...)
		}},
		"int_out": fixed(4, true, func(r *renderer, c *rcall, p []byte) {
			r.b = append(r.b, '[')
			r.b = strconv.AppendInt(r.b, s32(u32(p, 0)), 10)
			r.b = append(r.b, ']')
		}),
		"pipefds": fixed(8, true, func(r *renderer, c *rcall, p []byte) {
			r.b = append(r.b, '[')
			r.b = strconv.AppendInt(r.b, s32(u32(p, 0)), 10)
			r.b = appendFDPath(r.b, r.fds, s32(u32(p, 0)))
			r.b = append(r.b, ", "...)
			r.b = strconv.AppendInt(r.b, s32(u32(p, 4)), 10)
			r.b = appendFDPath(r.b, r.fds, s32(u32(p, 4)))
			r.b = append(r.b, ']')
		}),
		// the status only when a child was waited for (WNOHANG's 0
		// leaves it unset)
		"wstatus": {copy: event.RawFixed, n: 4, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.out(i)
			if !ok || len(p) < 4 || c.args[i] == 0 || c.ret <= 0 {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = append(r.b, '[')
			r.b = appendWaitStatus(r.b, u32(p, 0))
			r.b = append(r.b, ']')
		}},
		"faccessflags": bitsKind(faccessBits),
		"cpuset": {copy: event.RawRetLen, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.out(i)
			if !ok || r.terse {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = append(r.b, '[')
			n := 0
			for k, by := range p {
				for bit := 0; bit < 8; bit++ {
					if by&(1<<bit) != 0 {
						if n > 0 {
							r.b = append(r.b, ' ')
						}
						r.b = strconv.AppendInt(r.b, int64(8*k+bit), 10)
						n++
					}
				}
			}
			r.b = append(r.b, ']')
		}},
		"stat_out":   fixed(144, true, appendStat),
		"statx_out":  fixed(256, true, appendStatx),
		"statfs_out": fixed(120, true, appendStatfs),
		"rlim_in":    fixed(16, false, appendRlimit),
		"rlim_out":   fixed(16, true, appendRlimit),
		"sa_in":      fixed(32, false, appendSigaction),
		"sa_out":     fixed(32, true, appendSigaction),
		"sigset_in":  fixed(8, false, func(r *renderer, c *rcall, p []byte) { r.b = appendSigset(r.b, u64(p, 0), r.style) }),
		"sigset_out": fixed(8, true, func(r *renderer, c *rcall, p []byte) { r.b = appendSigset(r.b, u64(p, 0), r.style) }),
		"ts_in":      fixed(16, false, func(r *renderer, c *rcall, p []byte) { r.b = appendTimespec(r.b, p) }),
		"ts_out":     fixed(16, true, func(r *renderer, c *rcall, p []byte) { r.b = appendTimespec(r.b, p) }),
		// the time left of a sleep, printed when the call returns: the
		// struct when a signal interrupted it (to be restarted), for
		// clock_nanosleep only a relative one; else the address
		"ts_rem": {copy: event.RawFixed, n: 16, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			restart := c.ret >= -516 && c.ret <= -512 && c.ret != -515
			p, ok := c.outAny(i)
			if !restart || !ok || len(p) < 16 || c.args[i] == 0 || r.terse || (c.name == "clock_nanosleep" && c.args[1] != 0) {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = appendTimespec(r.b, p)
		}},
		"stack_in":    fixed(24, false, appendStack),
		"stack_out":   fixed(24, true, appendStack),
		"uts_out":     fixed(390, true, appendUtsname),
		"sysinfo_out": fixed(112, true, appendSysinfo),
		"utimes":      fixed(32, false, appendUtimes),
		"epev_in": fixed(12, false, func(r *renderer, c *rcall, p []byte) {
			if c.args[1] == 2 { // EPOLL_CTL_DEL ignores the event
				r.b = appendPtr(r.b, c.args[3])
				return
			}
			r.b = appendEpollEvent(r.b, p, r.style)
		}),
		"epevs_out": {copy: event.RawArgLen, n: 1, unit: 12, exit: true, print: func(r *renderer, c *rcall, i int) {
			r.sep()
			p, ok := c.out(i)
			if !ok || c.args[i] == 0 {
				r.b = appendPtr(r.b, c.args[i])
				return
			}
			r.b = append(r.b, '[')
			for k := 0; int64(k) < c.ret && 12*k+12 <= len(p); k++ {
				if k > 0 {
					r.b = append(r.b, ", "...)
				}
				if k == r.maxElems() {
					r.b = append(r.b, "..."...)
					break
				}
				r.b = appendEpollEvent(r.b, p[12*k:], r.style)
			}
			r.b = append(r.b, ']')
		}},
		"fdset":      fixed(128, false, func(r *renderer, c *rcall, p []byte) { r.b = appendFDSet(r.b, p, c.args[0]) }),
		"ts_left":    fixed(16, false, func(r *renderer, c *rcall, p []byte) { r.b = appendTimespec(r.b, p) }),
		"tv_left":    fixed(16, false, func(r *renderer, c *rcall, p []byte) { r.b = appendTimeval(r.b, p) }),
		"ioctlarg":   {copy: event.RawFixed, n: 36, both: true, print: printIoctlArg},
		"gids_in":    gidsKind(false),
		"gids_out":   gidsKind(true),
		"iov_in":     iovKind(false),
		"iov_out":    iovKind(true),
		"iov_addr":   iovAddrKind(),
		"msghdr_in":  msgKind(false),
		"msghdr_out": msgKind(true),
		"rwf":        bitsKind(rwfBits),
		"sigev_in":   fixed(32, false, appendSigevent),
		"itspec_in":  fixed(32, false, appendItimerspec),
		"itspec_out": fixed(32, true, appendItimerspec),
		"mpolmode":   mpolModeKind(),
		"mpol_out":   mpolOutKind(),
		"nodes_in":   nodemaskKind(false),
		"nodes_out":  nodemaskKind(true),
		"mpolget":    bitsKind(mpolGet),
		"mbindflags": bitsKind(mbindBits),
	}
	// an output kind is one copied on exit
	for _, k := range argKinds {
		if k.both {
			k.exit = true
		}
	}
	// the input sides of these are printed before the call returns
	argKinds["pollfds"].exit = false
	// shown on enter, their exit copies in the result (select's sets and
	// time left)
	for _, k := range []string{"fdset", "ts_left", "tv_left"} {
		argKinds[k].both, argKinds[k].exit = true, false
	}
	argKinds["path"].exit = false
	argKinds["rstr"] = argKinds["rbuf"]
}

// gidsKind is a group id array whose length is the previous argument: its
// entries are shown on enter (setgroups) or, as many as the call returned,
// on exit (getgroups).
func gidsKind(exit bool) *argKind {
	return &argKind{copy: event.RawArgLen, n: ^uint16(0), unit: 4, exit: exit, print: func(r *renderer, c *rcall, i int) {
		r.sep()
		n := int64(s32(c.args[i-1]))
		p, ok := c.in(i)
		if exit {
			p, ok = c.out(i)
			n = c.ret
		}
		switch {
		case c.args[i] == 0 || (exit && !c.succeeded()):
			r.b = appendPtr(r.b, c.args[i])
			return
		case c.args[i-1] == 0 || n == 0:
			r.b = append(r.b, "[]"...) // nothing to read or write
			return
		case !ok || n < 0:
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		r.b = append(r.b, '[')
		for k := 0; k < int(n) && 4*k+4 <= len(p); k++ {
			if k > 0 {
				r.b = append(r.b, ", "...)
			}
			r.b = strconv.AppendUint(r.b, uint64(u32(p, 4*k)), 10)
		}
		r.b = append(r.b, ']')
	}}
}

func socklenIO() *argKind {
	return &argKind{copy: event.RawFixed, n: 4, both: true, print: func(r *renderer, c *rcall, i int) {
		r.sep()
		in, ok := c.in(i)
		if !ok || c.args[i] == 0 || len(in) < 4 || r.terse {
			r.b = appendPtr(r.b, c.args[i])
			return
		}
		r.b = append(r.b, '[')
		r.b = strconv.AppendUint(r.b, u32(in, 0), 10)
		if out, ok := c.out(i); ok && len(out) == 4 && u32(out, 0) != u32(in, 0) {
			r.b = append(r.b, " => "...)
			r.b = strconv.AppendUint(r.b, u32(out, 0), 10)
		}
		r.b = append(r.b, ']')
	}}
}

func (r *renderer) optval(p []byte, ok bool, ptr uint64) {
	switch {
	case !ok || ptr == 0 || r.terse:
		r.b = appendPtr(r.b, ptr)
	case len(p) == 4:
		r.b = append(r.b, '[')
		r.b = strconv.AppendInt(r.b, s32(u32(p, 0)), 10)
		r.b = append(r.b, ']')
	default:
		r.b = r.quote(r.b, p, r.strSize)
	}
}

// buf renders a data buffer of which count bytes were moved; the probe
// copied p (at most the snap length).
func (r *renderer) buf(p []byte, count int64) {
	if count >= 0 && int64(len(p)) > count {
		p = p[:count]
	}
	r.b = r.quote(r.b, p, r.strSize)
	if count > int64(len(p)) && len(p) <= r.strSize {
		r.b = append(r.b, "..."...)
	}
}

// appendMapFlags renders mmap(2) flags: the mapping type, then the other
// flags.
func appendMapFlags(b []byte, v uint64) []byte {
	b = appendEnum(b, v&0xf, mapType, "")
	if rest := v &^ 0xf; rest != 0 {
		b = append(b, '|')
		b = appendBits(b, rest, mapBits)
	}
	return b
}

var sigHandlers = []nv{{0, "SIG_DFL"}, {1, "SIG_IGN"}}

// appendOpenFlags renders open(2) flags: the access mode, then the other
// flags in strace's order.
func appendOpenFlags(b []byte, v uint64) []byte {
	switch v & 3 {
	case 1:
		b = append(b, "O_WRONLY"...)
	case 2:
		b = append(b, "O_RDWR"...)
	case 3:
		b = append(b, "O_ACCMODE"...)
	default:
		b = append(b, "O_RDONLY"...)
	}
	rest := v &^ 3
	if rest&020200000 == 020200000 {
		b = append(b, "|O_TMPFILE"...)
		rest &^= 020200000
	}
	if rest != 0 {
		b = append(b, '|')
		b = appendBits(b, rest, openBits)
	}
	return b
}

func appendMode(b []byte, m uint64) []byte {
	switch m & 0170000 {
	case 0140000:
		b = append(b, "S_IFSOCK"...)
	case 0120000:
		b = append(b, "S_IFLNK"...)
	case 0100000:
		b = append(b, "S_IFREG"...)
	case 060000:
		b = append(b, "S_IFBLK"...)
	case 040000:
		b = append(b, "S_IFDIR"...)
	case 020000:
		b = append(b, "S_IFCHR"...)
	case 010000:
		b = append(b, "S_IFIFO"...)
	default:
		return appendOct(b, m)
	}
	if m&07000 != 0 {
		if m&04000 != 0 {
			b = append(b, "|S_ISUID"...)
		}
		if m&02000 != 0 {
			b = append(b, "|S_ISGID"...)
		}
		if m&01000 != 0 {
			b = append(b, "|S_ISVTX"...)
		}
	}
	b = append(b, '|')
	return appendOct(b, m&0777)
}

// appendDev appends makedev(0x88, 0x1) for a device number in the kernel's
// user encoding.
func appendDev(b []byte, major, minor uint64) []byte {
	b = append(b, "makedev("...)
	b = appendHex0(b, major)
	b = append(b, ", "...)
	b = appendHex0(b, minor)
	return append(b, ')')
}

func appendStat(r *renderer, c *rcall, p []byte) {
	if r.full {
		appendStatFull(r, p)
		return
	}
	mode := u32(p, 24)
	r.b = append(r.b, "{st_mode="...)
	r.b = appendModeX(r.b, mode, r.style)
	if t := mode & 0170000; t == 020000 || t == 060000 {
		dev := u64(p, 40)
		r.b = append(r.b, ", st_rdev="...)
		r.b = styled(r.b, r.style, hexNum(dev), func(b []byte) []byte {
			return appendDev(b, (dev>>8)&0xfff|(dev>>32)&^0xfff, dev&0xff|(dev>>12)&^0xff)
		})
	} else {
		r.b = append(r.b, ", st_size="...)
		r.b = strconv.AppendInt(r.b, int64(u64(p, 48)), 10)
	}
	r.b = append(r.b, ", ...}"...)
}

func appendStatx(r *renderer, c *rcall, p []byte) {
	if r.full {
		appendStatxFull(r, p)
		return
	}
	r.b = append(r.b, "{stx_mask="...)
	r.b = appendBitsX(r.b, u32(p, 0), statxMask, r.style)
	r.b = append(r.b, ", stx_attributes="...)
	r.b = appendBitsX(r.b, u64(p, 8), statxAttrs, r.style)
	mode := u16(p, 28)
	r.b = append(r.b, ", stx_mode="...)
	r.b = appendModeX(r.b, mode, r.style)
	if t := mode & 0170000; t == 020000 || t == 060000 {
		r.b = append(r.b, ", stx_rdev="...)
		r.b = appendDev(r.b, u32(p, 128), u32(p, 132))
	} else {
		r.b = append(r.b, ", stx_size="...)
		r.b = strconv.AppendUint(r.b, u64(p, 40), 10)
	}
	r.b = append(r.b, ", ...}"...)
}

var fsMagics = []nv{{0xEF53, "EXT2_SUPER_MAGIC"}, {0x01021994, "TMPFS_MAGIC"}, {0x9fa0, "PROC_SUPER_MAGIC"},
	{0x62656572, "SYSFS_MAGIC"}, {0x1cd1, "DEVPTS_SUPER_MAGIC"}, {0x27e0eb, "CGROUP_SUPER_MAGIC"},
	{0x63677270, "CGROUP2_SUPER_MAGIC"}, {0x794c7630, "OVERLAYFS_SUPER_MAGIC"}, {0x58465342, "XFS_SUPER_MAGIC"},
	{0x9123683E, "BTRFS_SUPER_MAGIC"}, {0x65735546, "FUSE_SUPER_MAGIC"}, {0x73636673, "SECURITYFS_MAGIC"}}

var stFlags = []nv{{0x20, "ST_VALID"}, {1, "ST_RDONLY"}, {2, "ST_NOSUID"}, {4, "ST_NODEV"}, {8, "ST_NOEXEC"},
	{16, "ST_SYNCHRONOUS"}, {64, "ST_MANDLOCK"}, {128, "ST_WRITE"}, {256, "ST_APPEND"}, {512, "ST_IMMUTABLE"},
	{1024, "ST_NOATIME"}, {2048, "ST_NODIRATIME"}, {4096, "ST_RELATIME"}}

func appendStatfs(r *renderer, c *rcall, p []byte) {
	field := func(name string, v uint64) {
		r.b = append(r.b, name...)
		r.b = strconv.AppendUint(r.b, v, 10)
	}
	r.b = append(r.b, "{f_type="...)
	r.b = appendEnumX(r.b, u64(p, 0), fsMagics, "", r.style)
	field(", f_bsize=", u64(p, 8))
	field(", f_blocks=", u64(p, 16))
	field(", f_bfree=", u64(p, 24))
	field(", f_bavail=", u64(p, 32))
	field(", f_files=", u64(p, 40))
	field(", f_ffree=", u64(p, 48))
	r.b = append(r.b, ", f_fsid={val=["...)
	r.b = appendHex0(r.b, u32(p, 56))
	r.b = append(r.b, ", "...)
	r.b = appendHex0(r.b, u32(p, 60))
	r.b = append(r.b, "]}"...)
	field(", f_namelen=", u64(p, 64))
	field(", f_frsize=", u64(p, 72))
	r.b = append(r.b, ", f_flags="...)
	r.b = appendBitsX(r.b, u64(p, 80), stFlags, r.style)
	r.b = append(r.b, '}')
}

func appendRlim(b []byte, v uint64) []byte {
	switch {
	case v == ^uint64(0):
		return append(b, "RLIM64_INFINITY"...)
	case v > 1024 && v%1024 == 0:
		b = strconv.AppendUint(b, v/1024, 10)
		return append(b, "*1024"...)
	}
	return strconv.AppendUint(b, v, 10)
}

func appendRlimit(r *renderer, c *rcall, p []byte) {
	r.b = append(r.b, "{rlim_cur="...)
	r.b = appendRlimX(r.b, u64(p, 0), r.style)
	r.b = append(r.b, ", rlim_max="...)
	r.b = appendRlimX(r.b, u64(p, 8), r.style)
	r.b = append(r.b, '}')
}

// appendSigset renders a signal mask as strace does: the complement
// "~[...]" when more than half of the signals are in it.
func appendSigset(b []byte, m uint64, s ConstStyle) []byte {
	if bits.OnesCount64(m) > 32 {
		b = append(b, '~')
		m = ^m
	}
	b = append(b, '[')
	n := 0
	for sig := 1; sig <= 64; sig++ {
		if m&(1<<(sig-1)) != 0 {
			if n > 0 {
				b = append(b, ' ')
			}
			b = appendSigShortX(b, sig, s)
			n++
		}
	}
	return append(b, ']')
}

func appendSigaction(r *renderer, c *rcall, p []byte) {
	h, flags, restorer, mask := u64(p, 0), u64(p, 8), u64(p, 16), u64(p, 24)
	r.b = append(r.b, "{sa_handler="...)
	switch h {
	case 0, 1:
		r.b = appendEnumX(r.b, h, sigHandlers, "", r.style)
	default:
		r.b = appendHex(r.b, h)
	}
	r.b = append(r.b, ", sa_mask="...)
	r.b = appendSigset(r.b, mask, r.style)
	r.b = append(r.b, ", sa_flags="...)
	r.b = appendBitsX(r.b, flags, saBits, r.style)
	if flags&0x04000000 != 0 {
		r.b = append(r.b, ", sa_restorer="...)
		r.b = appendPtr(r.b, restorer)
	}
	r.b = append(r.b, '}')
}

// printIoctlArg renders the argument of an ioctl: the terminal structs
// (termios, winsize) and pids by request, read when the call returned
// (get requests) or entered (set requests); else the value as strace does.
func printIoctlArg(r *renderer, c *rcall, i int) {
	if c.args[1] == 0x5450 || c.args[1] == 0x5451 { // FIONCLEX, FIOCLEX: no argument
		return
	}
	r.sep()
	arg := c.args[i]
	in, okIn := c.in(i)
	out, okOut := c.out(i)
	switch c.args[1] {
	case 0x5401: // TCGETS
		if okOut && len(out) >= 16 {
			r.b = appendTermios(r.b, out, r.style, r.full)
			return
		}
	case 0x5402, 0x5403, 0x5404: // TCSETS, TCSETSW, TCSETSF
		if okIn && len(in) >= 16 {
			r.b = appendTermios(r.b, in, r.style, r.full)
			return
		}
	case 0x5413: // TIOCGWINSZ
		if okOut && len(out) >= 8 {
			r.b = appendWinsize(r.b, out)
			return
		}
	case 0x5414: // TIOCSWINSZ
		if okIn && len(in) >= 8 {
			r.b = appendWinsize(r.b, in)
			return
		}
	case 0x540F, 0x5429, 0x541B: // TIOCGPGRP, TIOCGSID, FIONREAD
		if okOut && len(out) >= 4 {
			r.b = append(r.b, '[')
			r.b = strconv.AppendInt(r.b, s32(u32(out, 0)), 10)
			r.b = append(r.b, ']')
			return
		}
	case 0x5410, 0x5421: // TIOCSPGRP, FIONBIO
		if okIn && len(in) >= 4 {
			r.b = append(r.b, '[')
			r.b = strconv.AppendInt(r.b, s32(u32(in, 0)), 10)
			r.b = append(r.b, ']')
			return
		}
	case 0x40049409: // FICLONE: the source descriptor
		r.b = strconv.AppendInt(r.b, s32(arg), 10)
		r.b = appendFDPath(r.b, r.fds, s32(arg))
		return
	}
	r.b = appendPtr(r.b, arg)
}

// appendTermios renders a struct termios as strace abbreviates it, or
// whole (full).
func appendTermios(b []byte, p []byte, s ConstStyle, full bool) []byte {
	b = append(b, "{c_iflag="...)
	b = appendBitsX(b, uint64(u32(p, 0)), termIflags, s)
	b = append(b, ", c_oflag="...)
	o := uint64(u32(p, 4))
	var mask uint64
	for _, d := range termODelays {
		b = appendEnumX(b, o&d.mask, d.names, "", s)
		b = append(b, '|')
		mask |= d.mask
	}
	b = appendBitsX(b, o&^mask, termOflags, s)
	c := uint64(u32(p, 8))
	b = append(b, ", c_cflag="...)
	b = appendEnumX(b, c&010017, termBauds, "", s)
	b = append(b, '|')
	b = appendEnumX(b, c&060, termCsize, "", s)
	if rest := c &^ (010017 | 060); rest != 0 {
		b = append(b, '|')
		b = appendBitsX(b, rest, termCflags, s)
	}
	b = append(b, ", c_lflag="...)
	b = appendBitsX(b, uint64(u32(p, 12)), termLflags, s)
	if full && len(p) >= 36 {
		return appendTermiosTail(b, p)
	}
	return append(b, ", ...}"...)
}

func appendWinsize(b []byte, p []byte) []byte {
	b = append(b, "{ws_row="...)
	b = strconv.AppendUint(b, uint64(u16(p, 0)), 10)
	b = append(b, ", ws_col="...)
	b = strconv.AppendUint(b, uint64(u16(p, 2)), 10)
	b = append(b, ", ws_xpixel="...)
	b = strconv.AppendUint(b, uint64(u16(p, 4)), 10)
	b = append(b, ", ws_ypixel="...)
	b = strconv.AppendUint(b, uint64(u16(p, 6)), 10)
	return append(b, '}')
}

func appendTimeval(b []byte, p []byte) []byte {
	b = append(b, "{tv_sec="...)
	b = strconv.AppendInt(b, int64(u64(p, 0)), 10)
	b = append(b, ", tv_usec="...)
	b = strconv.AppendInt(b, int64(u64(p, 8)), 10)
	return append(b, '}')
}

// appendEpollEvent renders a struct epoll_event (12 bytes, packed).
func appendEpollEvent(b []byte, p []byte, s ConstStyle) []byte {
	b = append(b, "{events="...)
	b = appendBitsX(b, uint64(u32(p, 0)), epollEvents, s)
	b = append(b, ", data={u32="...)
	b = strconv.AppendUint(b, uint64(u32(p, 4)), 10)
	b = append(b, ", u64="...)
	b = strconv.AppendUint(b, u64(p, 4), 10)
	return append(b, "}}"...)
}

// appendFDSet renders the descriptors below nfds set in an fd_set.
func appendFDSet(b []byte, p []byte, nfds uint64) []byte {
	b = append(b, '[')
	n := 0
	for fd := 0; uint64(fd) < nfds && fd/8 < len(p); fd++ {
		if p[fd/8]&(1<<(fd%8)) != 0 {
			if n > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(fd), 10)
			n++
		}
	}
	return append(b, ']')
}

func appendTimespec(b []byte, p []byte) []byte {
	b = append(b, "{tv_sec="...)
	b = strconv.AppendInt(b, int64(u64(p, 0)), 10)
	b = append(b, ", tv_nsec="...)
	b = strconv.AppendInt(b, int64(u64(p, 8)), 10)
	return append(b, '}')
}

func appendStack(r *renderer, c *rcall, p []byte) {
	r.b = append(r.b, "{ss_sp="...)
	r.b = appendPtr(r.b, u64(p, 0))
	r.b = append(r.b, ", ss_flags="...)
	r.b = appendBitsX(r.b, u32(p, 8), []nv{{1, "SS_ONSTACK"}, {2, "SS_DISABLE"}, {1 << 31, "SS_AUTODISARM"}}, r.style)
	r.b = append(r.b, ", ss_size="...)
	r.b = strconv.AppendUint(r.b, u64(p, 16), 10)
	r.b = append(r.b, '}')
}

func appendUtsname(r *renderer, c *rcall, p []byte) {
	if r.full {
		appendUtsnameFull(r, p)
		return
	}
	r.b = append(r.b, "{sysname="...)
	r.b = r.quote(r.b, cstr(p[0:65]), -1)
	r.b = append(r.b, ", nodename="...)
	r.b = r.quote(r.b, cstr(p[65:130]), -1)
	r.b = append(r.b, ", ...}"...)
}

func appendSysinfo(r *renderer, c *rcall, p []byte) {
	field := func(name string, off int) {
		r.b = append(r.b, name...)
		r.b = strconv.AppendUint(r.b, u64(p, off), 10)
	}
	field("{uptime=", 0)
	r.b = append(r.b, ", loads=["...)
	for k := 0; k < 3; k++ {
		if k > 0 {
			r.b = append(r.b, ", "...)
		}
		r.b = strconv.AppendUint(r.b, u64(p, 8+8*k), 10)
	}
	r.b = append(r.b, ']')
	field(", totalram=", 32)
	field(", freeram=", 40)
	field(", sharedram=", 48)
	field(", bufferram=", 56)
	field(", totalswap=", 64)
	field(", freeswap=", 72)
	r.b = append(r.b, ", procs="...)
	r.b = strconv.AppendUint(r.b, u16(p, 80), 10)
	field(", totalhigh=", 88)
	field(", freehigh=", 96)
	r.b = append(r.b, ", mem_unit="...)
	r.b = strconv.AppendUint(r.b, u32(p, 104), 10)
	r.b = append(r.b, '}')
}

func appendUtimes(r *renderer, c *rcall, p []byte) {
	r.b = append(r.b, '[')
	for k := 0; k < 2; k++ {
		if k > 0 {
			r.b = append(r.b, ", "...)
		}
		sec, nsec := int64(u64(p, 16*k)), int64(u64(p, 16*k+8))
		switch nsec {
		case 1<<30 - 1, 1<<30 - 2:
			q := p[16*k : 16*k+16]
			r.b = styled(r.b, r.style, func(b []byte) []byte { return appendTimespec(b, q) }, func(b []byte) []byte {
				if nsec == 1<<30-1 {
					return append(b, "UTIME_NOW"...)
				}
				return append(b, "UTIME_OMIT"...)
			})
		default:
			r.b = appendTimespec(r.b, p[16*k:16*k+16])
			r.b = append(r.b, " /* "...)
			t := time.Unix(sec, nsec)
			r.b = t.AppendFormat(r.b, "2006-01-02T15:04:05")
			if nsec != 0 {
				r.b = append(r.b, '.')
				s := strconv.FormatInt(nsec, 10)
				for i := len(s); i < 9; i++ {
					r.b = append(r.b, '0')
				}
				r.b = append(r.b, s...)
			}
			r.b = t.AppendFormat(r.b, "-0700")
			r.b = append(r.b, " */"...)
		}
	}
	r.b = append(r.b, ']')
}

func appendWaitStatus(b []byte, s uint64) []byte {
	switch {
	case s&0x7f == 0:
		b = append(b, "{WIFEXITED(s) && WEXITSTATUS(s) == "...)
		b = strconv.AppendUint(b, (s>>8)&0xff, 10)
	case s&0xff == 0x7f:
		b = append(b, "{WIFSTOPPED(s) && WSTOPSIG(s) == "...)
		b = append(b, sigLong(int((s>>8)&0xff))...)
	default:
		b = append(b, "{WIFSIGNALED(s) && WTERMSIG(s) == "...)
		b = append(b, sigLong(int(s&0x7f))...)
		if s&0x80 != 0 {
			b = append(b, " && WCOREDUMP(s)"...)
		}
	}
	return append(b, '}')
}

func appendPollfds(b []byte, p []byte, revents bool, s ConstStyle) []byte {
	b = append(b, '[')
	n := 0
	for off := 0; off+8 <= len(p); off += 8 {
		ev := u16(p, off+4)
		if revents {
			ev = u16(p, off+6)
			if ev == 0 {
				continue
			}
		}
		if n > 0 {
			b = append(b, ", "...)
		}
		b = append(b, "{fd="...)
		b = strconv.AppendInt(b, s32(u32(p, off)), 10)
		if revents {
			b = append(b, ", revents="...)
		} else {
			b = append(b, ", events="...)
		}
		b = appendBitsX(b, ev, pollBits, s)
		b = append(b, '}')
		n++
	}
	return append(b, ']')
}

func appendSockaddr(b []byte, p []byte) []byte { return appendSockaddrX(b, p, ConstAbbrev, 0) }

// appendSockaddrX is appendSockaddr in style s: with -X raw and verbose an
// IPv4 port and address are shown as their bytes, as strace does. hex is
// Options.Hex, for the strings (paths, addresses).
func appendSockaddrX(b []byte, p []byte, s ConstStyle, hex int) []byte {
	var ip [16]byte
	fam := u16(p, 0)
	b = append(b, "{sa_family="...)
	b = appendEnumX(b, fam, families, "", s)
	switch fam {
	case 1:
		path := p[2:]
		if len(path) > 0 && path[0] == 0 {
			b = append(b, ", sun_path=@"...)
			b = appendQuotedX(b, cstr(path[1:]), -1, hex)
		} else if len(path) > 0 {
			b = append(b, ", sun_path="...)
			b = appendQuotedX(b, cstr(path), -1, hex)
		}
	case 2:
		if len(p) >= 8 && s != ConstAbbrev {
			b = append(b, ", sin_port="...)
			b = appendQuotedHex(b, p[2:4], -1, true)
			if s == ConstVerbose {
				b = append(b, " /* htons("...)
				b = strconv.AppendUint(b, uint64(p[2])<<8|uint64(p[3]), 10)
				b = append(b, ") */"...)
			}
			b = append(b, ", sin_addr="...)
			b = appendQuotedHex(b, p[4:8], -1, true)
			if s == ConstVerbose {
				b = append(b, " /* inet_addr("...)
				b = appendQuotedX(b, appendIP4(ip[:0], p[4:8]), -1, hex)
				b = append(b, ") */"...)
			}
		} else if len(p) >= 8 {
			b = append(b, ", sin_port=htons("...)
			b = strconv.AppendUint(b, uint64(p[2])<<8|uint64(p[3]), 10)
			b = append(b, "), sin_addr=inet_addr("...)
			b = appendQuotedX(b, appendIP4(ip[:0], p[4:8]), -1, hex)
			b = append(b, ')')
		}
	case 10:
		if len(p) >= 28 && s != ConstAbbrev {
			b = append(b, ", sin6_port="...)
			b = appendQuotedHex(b, p[2:4], -1, true)
			if s == ConstVerbose {
				b = append(b, " /* htons("...)
				b = strconv.AppendUint(b, uint64(p[2])<<8|uint64(p[3]), 10)
				b = append(b, ") */"...)
			}
			b = append(b, ", sin6_flowinfo="...)
			b = appendQuotedHex(b, p[4:8], -1, true)
			if s == ConstVerbose {
				b = append(b, " /* htonl("...)
				b = strconv.AppendUint(b, uint64(binary.BigEndian.Uint32(p[4:])), 10)
				b = append(b, ") */"...)
			}
			b = append(b, ", sin6_addr="...)
			b = appendQuotedHex(b, p[8:24], -1, true)
			if s == ConstVerbose {
				b = append(b, " /* inet_pton(AF_INET6, "...)
				b = appendQuotedX(b, []byte(ip6String(p[8:24])), -1, hex)
				b = append(b, ") */"...)
			}
			b = append(b, ", sin6_scope_id="...)
			b = strconv.AppendUint(b, u32(p, 24), 10)
		} else if len(p) >= 28 {
			b = append(b, ", sin6_port=htons("...)
			b = strconv.AppendUint(b, uint64(p[2])<<8|uint64(p[3]), 10)
			b = append(b, "), sin6_flowinfo=htonl("...)
			b = strconv.AppendUint(b, uint64(binary.BigEndian.Uint32(p[4:])), 10)
			b = append(b, "), inet_pton(AF_INET6, "...)
			b = appendQuotedX(b, []byte(ip6String(p[8:24])), -1, hex)
			b = append(b, ", &sin6_addr), sin6_scope_id="...)
			b = strconv.AppendUint(b, u32(p, 24), 10)
		}
	case 16:
		if len(p) >= 12 {
			b = append(b, ", nl_pid="...)
			b = strconv.AppendInt(b, s32(u32(p, 4)), 10)
			b = append(b, ", nl_groups="...)
			s := strconv.FormatUint(u32(p, 8), 16)
			for i := len(s); i < 8; i++ {
				b = append(b, '0')
			}
			b = append(b, s...)
		}
	default:
		b = append(b, ", sa_data="...)
		b = appendQuoted(b, p[2:], -1)
	}
	return append(b, '}')
}
