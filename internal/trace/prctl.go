// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// prctl's arguments after the option, as strace prints them: options
// that take none show none, the common ones are decoded (capabilities,
// signals, the task name, the modes of the SET options) in the -X style,
// and the others show every argument in hex. Some results are named too
// (PR_GET_DUMPABLE's "1 (SUID_DUMP_USER)"), in every style.

var prctls = []nv{{1, "PR_SET_PDEATHSIG"}, {2, "PR_GET_PDEATHSIG"}, {3, "PR_GET_DUMPABLE"}, {4, "PR_SET_DUMPABLE"},
	{5, "PR_GET_UNALIGN"}, {6, "PR_SET_UNALIGN"}, {7, "PR_GET_KEEPCAPS"}, {8, "PR_SET_KEEPCAPS"},
	{9, "PR_GET_FPEMU"}, {10, "PR_SET_FPEMU"}, {11, "PR_GET_FPEXC"}, {12, "PR_SET_FPEXC"},
	{13, "PR_GET_TIMING"}, {14, "PR_SET_TIMING"}, {15, "PR_SET_NAME"}, {16, "PR_GET_NAME"},
	{19, "PR_GET_ENDIAN"}, {20, "PR_SET_ENDIAN"}, {21, "PR_GET_SECCOMP"}, {22, "PR_SET_SECCOMP"},
	{23, "PR_CAPBSET_READ"}, {24, "PR_CAPBSET_DROP"}, {25, "PR_GET_TSC"}, {26, "PR_SET_TSC"},
	{27, "PR_GET_SECUREBITS"}, {28, "PR_SET_SECUREBITS"}, {29, "PR_SET_TIMERSLACK"}, {30, "PR_GET_TIMERSLACK"},
	{31, "PR_TASK_PERF_EVENTS_DISABLE"}, {32, "PR_TASK_PERF_EVENTS_ENABLE"}, {33, "PR_MCE_KILL"}, {34, "PR_MCE_KILL_GET"},
	{35, "PR_SET_MM"}, {36, "PR_SET_CHILD_SUBREAPER"}, {37, "PR_GET_CHILD_SUBREAPER"}, {38, "PR_SET_NO_NEW_PRIVS"},
	{39, "PR_GET_NO_NEW_PRIVS"}, {40, "PR_GET_TID_ADDRESS"}, {41, "PR_SET_THP_DISABLE"}, {42, "PR_GET_THP_DISABLE"},
	{43, "PR_MPX_ENABLE_MANAGEMENT"}, {44, "PR_MPX_DISABLE_MANAGEMENT"}, {45, "PR_SET_FP_MODE"}, {46, "PR_GET_FP_MODE"},
	{47, "PR_CAP_AMBIENT"}, {50, "PR_SVE_SET_VL"}, {51, "PR_SVE_GET_VL"}, {52, "PR_GET_SPECULATION_CTRL"},
	{53, "PR_SET_SPECULATION_CTRL"}, {54, "PR_PAC_RESET_KEYS"}, {55, "PR_SET_TAGGED_ADDR_CTRL"}, {56, "PR_GET_TAGGED_ADDR_CTRL"},
	{57, "PR_SET_IO_FLUSHER"}, {58, "PR_GET_IO_FLUSHER"}, {59, "PR_SET_SYSCALL_USER_DISPATCH"}, {60, "PR_PAC_SET_ENABLED_KEYS"},
	{61, "PR_PAC_GET_ENABLED_KEYS"}, {62, "PR_SCHED_CORE"}, {63, "PR_SME_SET_VL"}, {64, "PR_SME_GET_VL"},
	{0x53564d41, "PR_SET_VMA"}}

// prctlArgs returns how many arguments after the option prctl's option
// shows (4 for all of them, and for the options strace does not know).
func prctlArgs(opt uint64) int {
	switch opt {
	case 3, 7, 13, 21, 27, 30, 31, 32, 46, 51, 64:
		return 0
	case 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 14, 15, 16, 19, 20, 23, 24, 25, 26, 28, 29, 36, 37, 40, 45, 50, 52, 63:
		return 1
	case 53:
		return 2
	}
	return 4
}

var (
	capNames = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
		"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
		"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
		"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
		"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
		"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
		"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"}
	capEnum      []nv
	suidDump     = []nv{{0, "SUID_DUMP_DISABLE"}, {1, "SUID_DUMP_USER"}, {2, "SUID_DUMP_ROOT"}}
	prTSC        = []nv{{1, "PR_TSC_ENABLE"}, {2, "PR_TSC_SIGSEGV"}}
	prSpecWhich  = []nv{{0, "PR_SPEC_STORE_BYPASS"}, {1, "PR_SPEC_INDIRECT_BRANCH"}, {2, "PR_SPEC_L1D_FLUSH"}}
	prSpecBits   = []nv{{1, "PR_SPEC_PRCTL"}, {2, "PR_SPEC_ENABLE"}, {4, "PR_SPEC_DISABLE"}, {8, "PR_SPEC_FORCE_DISABLE"}, {16, "PR_SPEC_DISABLE_NOEXEC"}}
	prMCEKill    = []nv{{0, "PR_MCE_KILL_LATE"}, {1, "PR_MCE_KILL_EARLY"}, {2, "PR_MCE_KILL_DEFAULT"}}
	prMCEKillSet = []nv{{0, "PR_MCE_KILL_CLEAR"}, {1, "PR_MCE_KILL_SET"}}
	seccompModes = []nv{{0, "SECCOMP_MODE_DISABLED"}, {1, "SECCOMP_MODE_STRICT"}, {2, "SECCOMP_MODE_FILTER"}}
	secBits      = []nv{{1, "SECBIT_NOROOT"}, {2, "SECBIT_NOROOT_LOCKED"}, {4, "SECBIT_NO_SETUID_FIXUP"}, {8, "SECBIT_NO_SETUID_FIXUP_LOCKED"},
		{0x10, "SECBIT_KEEP_CAPS"}, {0x20, "SECBIT_KEEP_CAPS_LOCKED"}, {0x40, "SECBIT_NO_CAP_AMBIENT_RAISE"}, {0x80, "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"}}
	prUnalign = []nv{{1, "PR_UNALIGN_NOPRINT"}, {2, "PR_UNALIGN_SIGBUS"}}
	prSetMM   = []nv{{1, "PR_SET_MM_START_CODE"}, {2, "PR_SET_MM_END_CODE"}, {3, "PR_SET_MM_START_DATA"}, {4, "PR_SET_MM_END_DATA"},
		{5, "PR_SET_MM_START_STACK"}, {6, "PR_SET_MM_START_BRK"}, {7, "PR_SET_MM_BRK"}, {8, "PR_SET_MM_ARG_START"},
		{9, "PR_SET_MM_ARG_END"}, {10, "PR_SET_MM_ENV_START"}, {11, "PR_SET_MM_ENV_END"}, {12, "PR_SET_MM_AUXV"},
		{13, "PR_SET_MM_EXE_FILE"}, {14, "PR_SET_MM_MAP"}, {15, "PR_SET_MM_MAP_SIZE"}}
	prSchedCore = []nv{{0, "PR_SCHED_CORE_GET"}, {1, "PR_SCHED_CORE_CREATE"}, {2, "PR_SCHED_CORE_SHARE_TO"}, {3, "PR_SCHED_CORE_SHARE_FROM"}}
	pidTypes    = []nv{{0, "PIDTYPE_PID"}, {1, "PIDTYPE_TGID"}, {2, "PIDTYPE_PGID"}, {3, "PIDTYPE_SID"}}
	prFPMode    = []nv{{1, "PR_FP_MODE_FR"}, {2, "PR_FP_MODE_FRE"}}
	prPACKeys   = []nv{{1, "PR_PAC_APIAKEY"}, {2, "PR_PAC_APIBKEY"}, {4, "PR_PAC_APDAKEY"}, {8, "PR_PAC_APDBKEY"}, {16, "PR_PAC_APGAKEY"}}
	capAmbient  = []nv{{1, "PR_CAP_AMBIENT_IS_SET"}, {2, "PR_CAP_AMBIENT_RAISE"}, {3, "PR_CAP_AMBIENT_LOWER"}, {4, "PR_CAP_AMBIENT_CLEAR_ALL"}}
)

func init() {
	for i, n := range capNames {
		capEnum = append(capEnum, nv{uint64(i), n})
	}
}

// appendIntOut appends the int prctl wrote at p: [v], [NAME] for a table.
func (r *renderer) prctlIntOut(c *rcall, i int, t []nv, unknown string, sig bool) {
	p, ok := c.out(i)
	if !ok || len(p) < 4 || c.failed() || c.args[i] == 0 {
		r.b = appendPtr(r.b, c.args[i])
		return
	}
	v := u32(p, 0)
	r.b = append(r.b, '[')
	switch {
	case sig && v > 0 && v <= 64:
		r.b = appendSigX(r.b, int(v), r.style)
	case t != nil:
		r.b = appendEnumX(r.b, v, t, unknown, r.style)
	default:
		r.b = strconv.AppendInt(r.b, s32(v), 10)
	}
	r.b = append(r.b, ']')
}

// prctlArg1Kind is prctl's first argument after the option. The probe
// copies 16 bytes there on enter and on exit (the task name of
// PR_SET_NAME and PR_GET_NAME, the int of the GET options; nothing when
// it is not a pointer).
func prctlArg1Kind() *argKind {
	return &argKind{copy: event.RawFixed, n: 16, both: true, print: func(r *renderer, c *rcall, i int) {
		opt := c.args[0]
		if prctlArgs(opt) == 0 {
			return
		}
		r.sep()
		v := c.args[i]
		switch opt {
		case 1: // PR_SET_PDEATHSIG
			if v > 0 && v <= 64 {
				r.b = appendSigX(r.b, int(v), r.style)
			} else {
				r.b = strconv.AppendUint(r.b, v, 10)
			}
		case 2: // PR_GET_PDEATHSIG
			r.prctlIntOut(c, i, nil, "", true)
		case 37: // PR_GET_CHILD_SUBREAPER
			r.prctlIntOut(c, i, nil, "", false)
		case 25: // PR_GET_TSC
			r.prctlIntOut(c, i, prTSC, "PR_TSC_???", false)
		case 26: // PR_SET_TSC
			r.b = appendEnumX(r.b, v, prTSC, "PR_TSC_???", r.style)
		case 4: // PR_SET_DUMPABLE
			r.b = appendEnumX(r.b, v, suidDump, "SUID_DUMP_???", r.style)
		case 5, 9, 11, 19, 40: // PR_GET_UNALIGN, _FPEMU, _FPEXC, _ENDIAN, PR_GET_TID_ADDRESS
			if p, ok := c.out(i); ok && !c.failed() && v != 0 && len(p) >= 8 {
				r.b = append(r.b, '[')
				if opt == 40 {
					r.b = appendPtr(r.b, u64(p, 0))
				} else {
					r.b = appendHex0(r.b, u32(p, 0))
				}
				r.b = append(r.b, ']')
			} else {
				r.b = appendPtr(r.b, v)
			}
		case 8, 10, 12, 14, 20, 29, 36, 38, 39, 41, 57:
			// PR_SET_KEEPCAPS, _FPEMU, _FPEXC, _TIMING, _ENDIAN, _TIMERSLACK,
			// _CHILD_SUBREAPER, _NO_NEW_PRIVS, _THP_DISABLE, _IO_FLUSHER
			r.b = strconv.AppendUint(r.b, v, 10)
		case 50, 63: // PR_SVE_SET_VL, PR_SME_SET_VL: the flags, then the length
			r.b = appendVecLen(r.b, v, opt == 63, r.style)
		case 28: // PR_SET_SECUREBITS
			r.b = appendFlagsUnknown(r.b, v, secBits, "SECBIT_???", r.style)
		case 6: // PR_SET_UNALIGN
			r.b = appendFlagsUnknown(r.b, v, prUnalign, "PR_UNALIGN_???", r.style)
		case 45: // PR_SET_FP_MODE
			r.b = appendFlagsUnknown(r.b, v, prFPMode, "PR_FP_MODE_???", r.style)
		case 54, 60: // PR_PAC_RESET_KEYS, PR_PAC_SET_ENABLED_KEYS
			r.b = appendFlagsUnknown(r.b, v, prPACKeys, "PR_PAC_???", r.style)
		case 35: // PR_SET_MM
			r.b = appendEnumX(r.b, v, prSetMM, "PR_SET_MM_???", r.style)
		case 0x53564d41: // PR_SET_VMA
			r.b = appendEnumX(r.b, v, []nv{{0, "PR_SET_VMA_ANON_NAME"}}, "PR_SET_VMA_???", r.style)
		case 62: // PR_SCHED_CORE
			r.b = appendEnumX(r.b, v, prSchedCore, "PR_SCHED_CORE_???", r.style)
		case 55: // PR_SET_TAGGED_ADDR_CTRL
			r.b = appendTaggedAddrCtrl(r.b, v)
		case 15, 16: // PR_SET_NAME, PR_GET_NAME
			p, ok := c.in(i)
			if len(p) == 0 {
				// the page was not resident when the call entered
				p, ok = c.outAny(i)
			}
			if opt == 16 {
				p, ok = c.out(i)
				ok = ok && !c.failed()
			}
			if !ok || len(p) == 0 || v == 0 {
				r.b = appendPtr(r.b, v)
				return
			}
			r.b = r.quote(r.b, cstr(p), -1)
		case 23, 24: // PR_CAPBSET_READ, PR_CAPBSET_DROP
			r.b = appendEnumX(r.b, v, capEnum, "CAP_???", r.style)
		case 52, 53: // PR_GET/SET_SPECULATION_CTRL
			r.b = appendEnumX(r.b, v, prSpecWhich, "PR_SPEC_???", r.style)
		case 22: // PR_SET_SECCOMP
			r.b = appendEnumX(r.b, v, seccompModes, "SECCOMP_MODE_???", r.style)
		case 33: // PR_MCE_KILL
			r.b = appendEnumX(r.b, v, prMCEKillSet, "PR_MCE_KILL_???", r.style)
		case 59: // PR_SET_SYSCALL_USER_DISPATCH
			r.b = appendEnumX(r.b, v, []nv{{0, "PR_SYS_DISPATCH_OFF"}, {1, "PR_SYS_DISPATCH_ON"}}, "PR_SYS_DISPATCH_???", r.style)
		case 47: // PR_CAP_AMBIENT
			r.b = appendEnumX(r.b, v, capAmbient, "PR_CAP_AMBIENT_???", r.style)
		default:
			r.b = appendHex0(r.b, v)
		}
	}}
}

// prctlRestKind is one of prctl's arguments after the first: shown in hex
// for the options that take them. The last one is copied as a string on
// enter (PR_SET_VMA_ANON_NAME's name).
func prctlRestKind(last bool) *argKind {
	k := simple(func(r *renderer, c *rcall, i int) {
		opt, n := c.args[0], prctlArgs(c.args[0])
		if i > n {
			return
		}
		r.sep()
		v := c.args[i]
		switch {
		case opt == 38 || opt == 39: // PR_SET/GET_NO_NEW_PRIVS
			r.b = strconv.AppendUint(r.b, v, 10)
		case opt == 59 && i == 4: // PR_SET_SYSCALL_USER_DISPATCH's selector
			r.b = appendPtr(r.b, v)
		case opt == 53 && i == 2: // PR_SET_SPECULATION_CTRL's value
			if v == 0 {
				r.b = appendEnumX(r.b, v, nil, "PR_SPEC_???", r.style)
			} else {
				r.b = appendBitsX(r.b, v, prSpecBits, r.style)
			}
		case opt == 47 && i == 2 && c.args[1] >= 1 && c.args[1] <= 3: // PR_CAP_AMBIENT's capability
			r.b = appendEnumX(r.b, v, capEnum, "CAP_???", r.style)
		case opt == 33 && i == 2 && c.args[1] == 1: // PR_MCE_KILL_SET's policy
			r.b = appendEnumX(r.b, v, prMCEKill, "PR_MCE_KILL_???", r.style)
		case opt == 60 && i == 2: // PR_PAC_SET_ENABLED_KEYS' enabled keys
			r.b = appendFlagsUnknown(r.b, v, prPACKeys, "PR_PAC_???", r.style)
		case opt == 0x53564d41 && c.args[1] == 0 && i == 3: // PR_SET_VMA_ANON_NAME's size
			r.b = strconv.AppendUint(r.b, v, 10)
		case opt == 0x53564d41 && c.args[1] == 0 && i == 4: // and name
			p, ok := c.in(i)
			if !ok || v == 0 || len(p) == 0 {
				r.b = appendPtr(r.b, v)
			} else {
				r.b = r.quote(r.b, cstr(p), r.strSize)
			}
		case opt == 62 && i == 2: // PR_SCHED_CORE's pid
			r.b = strconv.AppendInt(r.b, s32(v), 10)
		case opt == 62 && i == 3: // its pid type, always with its number
			r.b = appendHex0(r.b, v)
			name := "PIDTYPE_???"
			if v < uint64(len(pidTypes)) {
				name = pidTypes[v].name
			}
			r.b = append(r.b, " /* "+name+" */"...)
		case opt == 62 && i == 4: // its cookie's address
			r.b = appendPtr(r.b, v)
		default:
			r.b = appendHex0(r.b, v)
		}
	})
	if last {
		k.copy = event.RawStr
	}
	return k
}

// appendPrctlResult appends the result of a successful prctl whose
// option names it, as strace does: "1 (SUID_DUMP_USER)" in every -X
// style, PR_GET_SPECULATION_CTRL's flags except in the raw one.
func appendPrctlResult(b []byte, c *rcall, s ConstStyle) ([]byte, bool) {
	v := uint64(c.ret)
	var t []nv
	switch c.args[0] {
	case 3: // PR_GET_DUMPABLE
		t = suidDump
	case 34: // PR_MCE_KILL_GET
		t = prMCEKill
	case 27: // PR_GET_SECUREBITS
		if v == 0 || s == ConstRaw {
			return appendHex0(b, v), true
		}
		b = appendHex0(b, v)
		b = append(b, " ("...)
		b = appendBits(b, v, secBits)
		return append(b, ')'), true
	case 52: // PR_GET_SPECULATION_CTRL
		b = appendHex0(b, v)
		if s == ConstRaw {
			return b, true
		}
		if v == 0 {
			return append(b, " (PR_SPEC_NOT_AFFECTED)"...), true
		}
		b = append(b, " ("...)
		b = appendBits(b, v, prSpecBits)
		return append(b, ')'), true
	default:
		return b, false
	}
	b = strconv.AppendUint(b, v, 10)
	for _, f := range t {
		if f.v == v {
			b = append(b, " ("...)
			b = append(b, f.name...)
			return append(b, ')'), true
		}
	}
	return b, true
}

// appendFlagsUnknown is appendBitsX, with strace's "0x100 /* SECBIT_??? */"
// when no bit of v has a name.
func appendFlagsUnknown(b []byte, v uint64, t []nv, unknown string, s ConstStyle) []byte {
	for _, f := range t {
		if v&f.v != 0 {
			return appendBitsX(b, v, t, s)
		}
	}
	if v == 0 {
		return append(b, '0')
	}
	b = appendHex0(b, v)
	if s == ConstRaw {
		return b
	}
	return append(b, " /* "+unknown+" */"...)
}

// appendVecLen renders the argument of PR_SVE_SET_VL and PR_SME_SET_VL:
// the flags (bits 17 and 18), then the vector length in hex.
func appendVecLen(b []byte, v uint64, sme bool, s ConstStyle) []byte {
	pfx := "PR_SVE_"
	if sme {
		pfx = "PR_SME_"
	}
	if s == ConstRaw {
		return appendHex0(b, v)
	}
	n := len(b)
	if v&(1<<18) != 0 {
		b = append(b, pfx+"SET_VL_ONEXEC"...)
	}
	if v&(1<<17) != 0 {
		if len(b) > n {
			b = append(b, '|')
		}
		b = append(b, pfx+"VL_INHERIT"...)
	}
	if len(b) > n {
		b = append(b, '|')
	}
	return appendHex0(b, v&^(3<<17))
}

// appendTaggedAddrCtrl renders PR_SET_TAGGED_ADDR_CTRL's mode: the enable
// bit (or its negation), the MTE check fault mode, the tag mask.
func appendTaggedAddrCtrl(b []byte, v uint64) []byte {
	if v&1 == 0 {
		b = append(b, '!')
	}
	b = append(b, "PR_TAGGED_ADDR_ENABLE"...)
	switch v & 6 {
	case 0:
		b = append(b, "|PR_MTE_TCF_NONE"...)
	case 2:
		b = append(b, "|PR_MTE_TCF_SYNC"...)
	case 4:
		b = append(b, "|PR_MTE_TCF_ASYNC"...)
	case 6:
		b = append(b, "|PR_MTE_TCF_MASK"...)
	}
	if m := (v >> 3) & 0xffff; m != 0 {
		b = append(b, '|')
		b = appendHex0(b, m)
		b = append(b, "<<PR_MTE_TAG_SHIFT"...)
	}
	if rest := v &^ 0x7ffff; rest != 0 {
		b = append(b, '|')
		b = appendHex0(b, rest)
	}
	return b
}
