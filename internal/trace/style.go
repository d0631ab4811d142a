// SPDX-License-Identifier: Apache-2.0

package trace

import "strconv"

// How named constants are printed (strace -X, --const-print-style), and
// the per-syscall sets of -e raw= and -e verbose=.

// ConstStyle is the print style of named constants (-X).
type ConstStyle uint8

// Constant print styles.
const (
	ConstAbbrev  ConstStyle = iota // names: O_RDONLY|O_CLOEXEC
	ConstRaw                       // the number only: 0x80000
	ConstVerbose                   // the number, then the names: 0x80000 /* O_RDONLY|O_CLOEXEC */
)

// parseConstStyle reads the argument of -X.
func parseConstStyle(v string) (ConstStyle, bool) {
	switch v {
	case "abbrev":
		return ConstAbbrev, true
	case "raw":
		return ConstRaw, true
	case "verbose":
		return ConstVerbose, true
	}
	return 0, false
}

// styled appends a constant as style s asks: what names appends (the
// abbreviated form), or what num appends (the number as strace prints it
// for this kind of constant) followed, in the verbose style, by the
// abbreviated form in a comment when it is not the number itself.
func styled(b []byte, s ConstStyle, num, names func([]byte) []byte) []byte {
	if s == ConstAbbrev {
		return names(b)
	}
	start := len(b)
	b = names(b)
	name := string(b[start:])
	b = num(b[:start])
	if s == ConstVerbose && len(name) > len(b)-start && name[:len(b)-start] == string(b[start:]) && name[len(b)-start] == ' ' {
		// an unknown value ("0x63 /* CAP_??? */") is its own verbose form
		return append(b[:start], name...)
	}
	if s == ConstVerbose && name != string(b[start:]) {
		b = append(b, " /* "...)
		b = append(b, name...)
		b = append(b, " */"...)
	}
	return b
}

func hexNum(v uint64) func([]byte) []byte {
	return func(b []byte) []byte { return appendHex0(b, v) }
}

func decNum(v int64) func([]byte) []byte {
	return func(b []byte) []byte { return strconv.AppendInt(b, v, 10) }
}

// appendBitsX is appendBits in style s (the number in hex).
func appendBitsX(b []byte, v uint64, t []nv, s ConstStyle) []byte {
	if s == ConstAbbrev {
		return appendBits(b, v, t)
	}
	return styled(b, s, hexNum(v), func(b []byte) []byte { return appendBits(b, v, t) })
}

// appendEnumX is appendEnum in style s (the number in hex).
func appendEnumX(b []byte, v uint64, t []nv, unknown string, s ConstStyle) []byte {
	if s == ConstAbbrev {
		return appendEnum(b, v, t, unknown)
	}
	return styled(b, s, hexNum(v), func(b []byte) []byte { return appendEnum(b, v, t, unknown) })
}

// appendSigX appends signal sig: SIGUSR1, 10, or 10 /* SIGUSR1 */.
func appendSigX(b []byte, sig int, s ConstStyle) []byte {
	if s == ConstAbbrev {
		return append(b, sigLong(sig)...)
	}
	return styled(b, s, decNum(int64(sig)), func(b []byte) []byte { return append(b, sigLong(sig)...) })
}

// appendSigShortX appends a member of a signal set: USR1, 10, or
// 10 /* USR1 */.
func appendSigShortX(b []byte, sig int, s ConstStyle) []byte {
	if s == ConstAbbrev {
		return append(b, sigShort(sig)...)
	}
	return styled(b, s, decNum(int64(sig)), func(b []byte) []byte { return append(b, sigShort(sig)...) })
}

// appendOpenFlagsX is appendOpenFlags in style s.
func appendOpenFlagsX(b []byte, v uint64, s ConstStyle) []byte {
	if s == ConstAbbrev {
		return appendOpenFlags(b, v)
	}
	return styled(b, s, hexNum(v), func(b []byte) []byte { return appendOpenFlags(b, v) })
}

// appendModeX is appendMode in style s (the number in octal).
func appendModeX(b []byte, m uint64, s ConstStyle) []byte {
	if s == ConstAbbrev {
		return appendMode(b, m)
	}
	return styled(b, s, func(b []byte) []byte { return appendOct(b, m) }, func(b []byte) []byte { return appendMode(b, m) })
}

// appendRlimX is appendRlim in style s (the number in decimal).
func appendRlimX(b []byte, v uint64, s ConstStyle) []byte {
	if s == ConstAbbrev {
		return appendRlim(b, v)
	}
	return styled(b, s, func(b []byte) []byte { return strconv.AppendUint(b, v, 10) }, func(b []byte) []byte { return appendRlim(b, v) })
}

// customArgs is the number of arguments of the syscalls with a custom
// decoder, as strace counts them.
var customArgs = map[string]int{"futex": 6, "clone": 5, "clone3": 2}

// rawArgs appends the raw arguments of c in hex, as strace prints a
// syscall of the -e raw= set: as many as strace knows the call to take.
func (r *renderer) rawArgs(c *rcall) {
	n := 6
	if c.s != nil {
		n = len(c.s.kinds)
		if c.s.custom != nil {
			n = customArgs[c.name]
		}
	}
	for i := 0; i < n && i < 6; i++ {
		r.sep()
		r.b = appendHex0(r.b, c.args[i])
	}
}

func appendIP4(b []byte, a []byte) []byte {
	for k := 0; k < 4 && k < len(a); k++ {
		if k > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(a[k]), 10)
	}
	return b
}

var statxSync = []nv{{0, "AT_STATX_SYNC_AS_STAT"}, {0x2000, "AT_STATX_FORCE_SYNC"}, {0x4000, "AT_STATX_DONT_SYNC"}}

// appendStatxFlags renders statx(2) flags as strace does: the sync type,
// then the other AT_ flags. In the raw style strace prints nothing for
// the default sync type (AT_STATX_SYNC_AS_STAT, 0) before the "|".
func appendStatxFlags(b []byte, v uint64, s ConstStyle) []byte {
	sync, rest := v&0x6000, v&^0x6000
	start := len(b)
	if s != ConstRaw || sync != 0 {
		b = appendEnumX(b, sync, statxSync, "", s)
	}
	if rest != 0 {
		b = append(b, '|')
		b = appendBitsX(b, rest, atBits, s)
	}
	if len(b) == start {
		b = append(b, '0')
	}
	return b
}
