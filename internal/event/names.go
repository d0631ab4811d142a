// SPDX-License-Identifier: Apache-2.0

package event

import "strings"

// The name helpers of the event table: errno, signal and open-flag names
// every renderer (fields, trace, filemon, netfs) shares.

// errnoNames maps Linux errno values to their symbolic names.
var errnoNames = [...]string{
	1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 8: "ENOEXEC",
	9: "EBADF", 10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 15: "ENOTBLK",
	16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL",
	23: "ENFILE", 24: "EMFILE", 25: "ENOTTY", 26: "ETXTBSY", 27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE",
	30: "EROFS", 31: "EMLINK", 32: "EPIPE", 33: "EDOM", 34: "ERANGE", 35: "EDEADLK", 36: "ENAMETOOLONG",
	37: "ENOLCK", 38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 42: "ENOMSG", 43: "EIDRM", 44: "ECHRNG",
	45: "EL2NSYNC", 46: "EL3HLT", 47: "EL3RST", 48: "ELNRNG", 49: "EUNATCH", 50: "ENOCSI", 51: "EL2HLT",
	52: "EBADE", 53: "EBADR", 54: "EXFULL", 55: "ENOANO", 56: "EBADRQC", 57: "EBADSLT", 59: "EBFONT",
	60: "ENOSTR", 61: "ENODATA", 62: "ETIME", 63: "ENOSR", 64: "ENONET", 65: "ENOPKG", 66: "EREMOTE",
	67: "ENOLINK", 68: "EADV", 69: "ESRMNT", 70: "ECOMM", 71: "EPROTO", 72: "EMULTIHOP", 73: "EDOTDOT",
	74: "EBADMSG", 75: "EOVERFLOW", 76: "ENOTUNIQ", 77: "EBADFD", 78: "EREMCHG", 79: "ELIBACC",
	80: "ELIBBAD", 81: "ELIBSCN", 82: "ELIBMAX", 83: "ELIBEXEC", 84: "EILSEQ", 85: "ERESTART",
	86: "ESTRPIPE", 87: "EUSERS", 88: "ENOTSOCK", 89: "EDESTADDRREQ", 90: "EMSGSIZE", 91: "EPROTOTYPE",
	92: "ENOPROTOOPT", 93: "EPROTONOSUPPORT", 94: "ESOCKTNOSUPPORT", 95: "EOPNOTSUPP", 96: "EPFNOSUPPORT",
	97: "EAFNOSUPPORT", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL", 100: "ENETDOWN", 101: "ENETUNREACH",
	102: "ENETRESET", 103: "ECONNABORTED", 104: "ECONNRESET", 105: "ENOBUFS", 106: "EISCONN",
	107: "ENOTCONN", 108: "ESHUTDOWN", 109: "ETOOMANYREFS", 110: "ETIMEDOUT", 111: "ECONNREFUSED",
	112: "EHOSTDOWN", 113: "EHOSTUNREACH", 114: "EALREADY", 115: "EINPROGRESS", 116: "ESTALE",
	117: "EUCLEAN", 118: "ENOTNAM", 119: "ENAVAIL", 120: "EISNAM", 121: "EREMOTEIO", 122: "EDQUOT",
	123: "ENOMEDIUM", 124: "EMEDIUMTYPE", 125: "ECANCELED", 126: "ENOKEY", 127: "EKEYEXPIRED",
	128: "EKEYREVOKED", 129: "EKEYREJECTED", 130: "EOWNERDEAD", 131: "ENOTRECOVERABLE", 132: "ERFKILL",
	133: "EHWPOISON", 512: "ERESTARTSYS", 513: "ERESTARTNOINTR", 514: "ERESTARTNOHAND",
	515: "ENOIOCTLCMD", 516: "ERESTART_RESTARTBLOCK", 517: "EPROBE_DEFER", 518: "EOPENSTALE",
	521: "EBADHANDLE", 522: "ENOTSYNC", 523: "EBADCOOKIE", 524: "ENOTSUPP", 525: "ETOOSMALL",
	526: "ESERVERFAULT", 527: "EBADTYPE", 528: "EJUKEBOX", 529: "EIOCBQUEUED",
}

// ErrnoName returns the symbolic name of errno e (positive), or "" when
// unknown.
func ErrnoName(e int64) string {
	if e > 0 && e < int64(len(errnoNames)) {
		return errnoNames[e]
	}
	return ""
}

// signalNames maps signal numbers to names.
var signalNames = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
	8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM",
	15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP",
	21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM",
	27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
}

// SignalName returns the name of signal s, or "" when unknown.
func SignalName(s uint64) string {
	if s < uint64(len(signalNames)) {
		return signalNames[s]
	}
	return ""
}

// openFlags are ferret's open-flag bits in the order of their native values.
var openFlags = []struct {
	name string
	bit  uint32
}{
	{"O_CREAT", 1 << 2}, {"O_EXCL", 1 << 5}, {"O_TRUNC", 1 << 8}, {"O_APPEND", 1 << 3},
	{"O_NONBLOCK", 1 << 6}, {"O_DSYNC", 1 << 4}, {"O_DIRECT", 1 << 9}, {"O_LARGEFILE", 1 << 11},
	{"O_DIRECTORY", 1 << 10}, {"O_CLOEXEC", 1 << 12}, {"O_SYNC", 1 << 7}, {"O_TMPFILE", 1 << 13},
}

// OpenFlagsString renders ferret open flags (the values of PT_FLAGS32
// open-flag parameters) as O_RDONLY|O_CLOEXEC, the other bits in the
// order of their native values.
func OpenFlagsString(f uint32) string {
	var b []byte
	switch f & 3 {
	case 2:
		b = append(b, "O_WRONLY"...)
	case 3:
		b = append(b, "O_RDWR"...)
	default:
		b = append(b, "O_RDONLY"...)
	}
	for _, o := range openFlags {
		if f&o.bit != 0 {
			b = append(b, '|')
			b = append(b, o.name...)
		}
	}
	return string(b)
}

// FlagsString names the bits of v that names define, in table order,
// joined by "|"; names with a zero value never match. It returns "" when no
// name matches.
func FlagsString(v uint64, names []FlagName) string {
	var parts []string
	for _, f := range names {
		if f.Value != 0 && v&uint64(f.Value) == uint64(f.Value) {
			parts = append(parts, f.Name)
		}
	}
	return strings.Join(parts, "|")
}
