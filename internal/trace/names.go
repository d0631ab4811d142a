// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
	"golang.org/x/sys/unix"
)

// typeNames maps a dedicated event type (either direction) to the kernel
// name of the syscall it records. When several syscalls share one event
// (dup/dup2/dup3) the one named like the event wins, else the lowest number.
var typeNames [event.MaxType]string

// typeNrs maps a dedicated event type to the syscall number typeNames names.
var typeNrs [event.MaxType]int

func init() {
	for i := range typeNrs {
		typeNrs[i] = -1
	}
	for _, r := range event.Routes() {
		if r.Enter == event.GenericE || int(r.Enter) >= event.MaxType || int(r.Exit) >= event.MaxType {
			continue
		}
		name := event.NativeName(r.Nr)
		if name == "" {
			continue
		}
		for _, t := range []event.Type{r.Enter, r.Exit} {
			cur := typeNames[t]
			switch {
			case cur == "":
			case cur == t.Name():
				continue
			case name == t.Name():
			case typeNrs[t] < r.Nr:
				continue
			}
			typeNames[t] = name
			typeNrs[t] = r.Nr
		}
	}
}

// syscallName returns the kernel name of the syscall recorded by a pair
// (enter may be nil). Generic events carry the native number on enter and
// the portable code on both.
func syscallName(enter, exit *event.Event) string {
	if enter != nil && enter.Type == event.GenericE {
		if nr, ok := enter.Uint(1); ok {
			if n := event.NativeName(int(nr)); n != "" {
				return n
			}
		}
		if c, ok := enter.Uint(0); ok {
			return event.SyscallCodeName(uint16(c))
		}
	}
	t := exit
	if t == nil {
		t = enter
	}
	if t.Type == event.GenericX || t.Type == event.GenericE {
		if c, ok := t.Uint(0); ok {
			return event.SyscallCodeName(uint16(c))
		}
		return "syscall"
	}
	if int(t.Type) < len(typeNames) && typeNames[t.Type] != "" {
		return typeNames[t.Type]
	}
	return t.Type.Name()
}

// syscallNr returns the native number of a syscall name, or a large number
// for unknown names (used to order ties in the summary as strace does).
func syscallNr(name string) int {
	if nr, ok := event.NativeNumber(name); ok {
		return nr
	}
	return 1 << 20
}

// appendErrno appends "-1 ENOENT (No such file or directory)".
func appendErrno(b []byte, errno int64) []byte {
	e := unix.Errno(errno)
	b = append(b, "-1 "...)
	name := unix.ErrnoName(e)
	if name == "" {
		b = append(b, "errno "...)
		b = strconv.AppendInt(b, errno, 10)
		return b
	}
	b = append(b, name...)
	b = append(b, " ("...)
	b = append(b, strerror(e)...)
	return append(b, ')')
}

// strerror returns glibc's message for e (Go's, with a capital first letter).
func strerror(e unix.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	if special, ok := messages[e]; ok {
		return special
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// messages are glibc texts that differ from Go's beyond capitalisation.
var messages = map[unix.Errno]string{
	unix.ENOTSUP:     "Operation not supported",
	unix.EAGAIN:      "Resource temporarily unavailable",
	unix.ENODATA:     "No data available",
	unix.ENOTTY:      "Inappropriate ioctl for device",
	unix.ENOSYS:      "Function not implemented",
	unix.ECHILD:      "No child processes",
	unix.EINPROGRESS: "Operation now in progress",
}

// signalName returns "SIGCHLD" for 17.
func signalName(sig uint64) string {
	if n := unix.SignalName(unix.Signal(sig)); n != "" {
		return n
	}
	return "SIG" + strconv.FormatUint(sig, 10)
}
