// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// prctl's arguments after the option, as strace prints them: options
// that take none show none, the common ones are decoded (capabilities,
// signals, the task name), and the others show every argument in hex.

// prctlArgs returns how many arguments after the option prctl's option
// shows (4 for all of them).
func prctlArgs(opt uint64) int {
	switch opt {
	case 3, 7, 13, 21, 30, 31, 32, 42: // PR_GET_DUMPABLE, _KEEPCAPS, _TIMING, _SECCOMP, _TIMERSLACK, PR_TASK_PERF_EVENTS_DISABLE, _ENABLE, PR_GET_THP_DISABLE
		return 0
	case 1, 2, 4, 8, 15, 16, 23, 24, 36: // PR_SET_PDEATHSIG, PR_GET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_SET_NAME, PR_GET_NAME, PR_CAPBSET_READ, PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER
		return 1
	}
	return 4
}

var capNames = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"}

// prctlArg1Kind is prctl's first argument after the option. The probe
// copies 16 bytes there on enter and on exit (the task name of
// PR_SET_NAME and PR_GET_NAME; nothing when it is not a pointer).
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
				r.b = append(r.b, sigLong(int(v))...)
			} else {
				r.b = strconv.AppendUint(r.b, v, 10)
			}
		case 2: // PR_GET_PDEATHSIG
			p, ok := c.out(i)
			if !ok || len(p) < 4 {
				r.b = appendPtr(r.b, v)
				return
			}
			r.b = append(r.b, '[')
			if s := u32(p, 0); s > 0 && s <= 64 {
				r.b = append(r.b, sigLong(int(s))...)
			} else {
				r.b = strconv.AppendUint(r.b, s, 10)
			}
			r.b = append(r.b, ']')
		case 4, 8, 36, 38, 39: // PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_SET_CHILD_SUBREAPER, PR_SET/GET_NO_NEW_PRIVS
			r.b = strconv.AppendUint(r.b, v, 10)
		case 15, 16: // PR_SET_NAME, PR_GET_NAME
			p, ok := c.in(i)
			if opt == 16 {
				p, ok = c.out(i)
			}
			if !ok || len(p) == 0 || v == 0 {
				r.b = appendPtr(r.b, v)
				return
			}
			r.b = r.quote(r.b, cstr(p), -1)
		case 23, 24: // PR_CAPBSET_READ, PR_CAPBSET_DROP
			if v < uint64(len(capNames)) {
				r.b = append(r.b, capNames[v]...)
			} else {
				r.b = appendHex0(r.b, v)
				r.b = append(r.b, " /* CAP_??? */"...)
			}
		default:
			r.b = appendHex0(r.b, v)
		}
	}}
}

// prctlRestKind is one of prctl's arguments after the first: shown in hex
// for the options that take them.
func prctlRestKind() *argKind {
	return simple(func(r *renderer, c *rcall, i int) {
		if prctlArgs(c.args[0]) < 4 {
			return
		}
		r.sep()
		if o := c.args[0]; o == 38 || o == 39 { // PR_SET/GET_NO_NEW_PRIVS
			r.b = strconv.AppendUint(r.b, c.args[i], 10)
			return
		}
		r.b = appendHex0(r.b, c.args[i])
	})
}
