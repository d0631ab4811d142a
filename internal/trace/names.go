// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
	"golang.org/x/sys/unix"
)

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
	if e == unix.EOPNOTSUPP {
		name = "EOPNOTSUPP" // glibc's name for 95, shared with ENOTSUP
	}
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
	if n := event.SignalName(sig); n != "" {
		return n
	}
	return "SIG" + strconv.FormatUint(sig, 10)
}
