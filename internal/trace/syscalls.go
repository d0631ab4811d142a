// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// The decoding table: for each syscall, the kind of each argument in order
// ("-" skips one), and after "=" the kind of the return value. A kind names
// one decoder (argKinds) and says which user memory the probe copies for it,
// so the same table drives the capture (Copies) and the rendering.
var syscallTable = map[string]string{
	"read":               "fd rbuf u",
	"write":              "fd wbuf u",
	"pread64":            "fd rbuf u ld",
	"pwrite64":           "fd wbuf u ld",
	"readv":              "fd iov_out d",
	"writev":             "fd iov_in d",
	"preadv":             "fd iov_out d ld",
	"pwritev":            "fd iov_in d ld",
	"preadv2":            "fd iov_out d ld - rwf",
	"pwritev2":           "fd iov_in d ld - rwf",
	"process_vm_readv":   "d iov_out u iov_addr u x",
	"process_vm_writev":  "d iov_in u iov_addr u x",
	"open":               "path oflags omode",
	"openat":             "dirfd path oflags omode",
	"creat":              "path mode",
	"close":              "fd",
	"close_range":        "u u x",
	"stat":               "path stat_out",
	"lstat":              "path stat_out",
	"fstat":              "fd stat_out",
	"newfstatat":         "dirfd path stat_out atflags",
	"statx":              "dirfd path statxflags statxmask statx_out",
	"statfs":             "path statfs_out",
	"fstatfs":            "fd statfs_out",
	"lseek":              "fd ld whence",
	"mmap":               "p u prot mflags fd x =x",
	"mprotect":           "p u prot",
	"munmap":             "p u",
	"mremap":             "p u u mremap p =x",
	"madvise":            "p u madv",
	"msync":              "p u msync",
	"mlock":              "p u",
	"munlock":            "p u",
	"mlockall":           "mlockall",
	"brk":                "p =x",
	"access":             "path access",
	"faccessat":          "dirfd path access",
	"faccessat2":         "dirfd path access faccessflags",
	"pipe":               "pipefds",
	"pipe2":              "pipefds ocloexec",
	"dup":                "fd",
	"dup2":               "fd fd",
	"dup3":               "fd fd ocloexec",
	"getpid":             "",
	"getppid":            "",
	"gettid":             "",
	"getuid":             "",
	"geteuid":            "",
	"getgid":             "",
	"getegid":            "",
	"getpgrp":            "",
	"setsid":             "",
	"sync":               "",
	"pause":              "",
	"vfork":              "",
	"fork":               "",
	"sched_yield":        "",
	"munlockall":         "",
	"getpgid":            "d",
	"getsid":             "d",
	"setpgid":            "d d",
	"setuid":             "d",
	"setgid":             "d",
	"setreuid":           "d d",
	"setregid":           "d d",
	"setresuid":          "d d d",
	"setresgid":          "d d d",
	"getresuid":          "int_out int_out int_out",
	"getresgid":          "int_out int_out int_out",
	"setfsuid":           "d",
	"setfsgid":           "d",
	"getgroups":          "d gids_out",
	"setgroups":          "d gids_in",
	"umask":              "umode =o",
	"chdir":              "path",
	"fchdir":             "fd",
	"chroot":             "path",
	"getcwd":             "cwd u",
	"mkdir":              "path mode",
	"mkdirat":            "dirfd path mode",
	"rmdir":              "path",
	"unlink":             "path",
	"unlinkat":           "dirfd path atflags",
	"rename":             "path path",
	"renameat":           "dirfd path dirfd path",
	"renameat2":          "dirfd path dirfd path renflags",
	"link":               "path path",
	"linkat":             "dirfd path dirfd path atflags",
	"symlink":            "path path",
	"symlinkat":          "path dirfd path",
	"readlink":           "path rstr u",
	"readlinkat":         "dirfd path rstr u",
	"chmod":              "path mode",
	"fchmod":             "fd mode",
	"fchmodat":           "dirfd path mode",
	"chown":              "path d d",
	"lchown":             "path d d",
	"fchown":             "fd d d",
	"fchownat":           "dirfd path d d atflags",
	"truncate":           "path ld",
	"ftruncate":          "fd ld",
	"fsync":              "fd",
	"fdatasync":          "fd",
	"syncfs":             "fd",
	"fadvise64":          "fd ld ld fadv",
	"fallocate":          "fd d ld ld",
	"flock":              "fd flock",
	"getdents64":         "fd dents u",
	"getdents":           "fd dents u",
	"utimensat":          "dirfd path utimes atflags",
	"getxattr":           "path str p u",
	"lgetxattr":          "path str p u",
	"fgetxattr":          "fd str p u",
	"setxattr":           "path str p u xattr",
	"lsetxattr":          "path str p u xattr",
	"fsetxattr":          "fd str p u xattr",
	"listxattr":          "path p u",
	"llistxattr":         "path p u",
	"flistxattr":         "fd p u",
	"copy_file_range":    "fd p fd p u u",
	"sendfile":           "fd fd p u",
	"splice":             "fd p fd p u x",
	"ioctl":              "fd ioctl ioctlarg",
	"fcntl":              "fd fcntl fcntlarg",
	"execve":             "path argv envp",
	"execveat":           "dirfd path argv envp atflags",
	"exit":               "d =?",
	"exit_group":         "d =?",
	"wait4":              "d wstatus waitopts p",
	"kill":               "d sig",
	"tkill":              "d sig",
	"tgkill":             "d d sig",
	"rt_sigaction":       "sig sa_in sa_out u",
	"rt_sigprocmask":     "sighow sigset_in sigset_out u",
	"rt_sigreturn":       "sigreturn",
	"rt_sigpending":      "sigset_out u",
	"rt_sigsuspend":      "sigset_in u",
	"sigaltstack":        "stack_in stack_out",
	"set_tid_address":    "p",
	"set_robust_list":    "p u",
	"get_robust_list":    "d p p",
	"rseq":               "p x d x",
	"arch_prctl":         "archprctl p",
	"prctl":              "prctl prctl1 prctlx prctlx prctlx4",
	"prlimit64":          "d rlres rlim_in rlim_out",
	"getrlimit":          "rlres rlim_out",
	"setrlimit":          "rlres rlim_in",
	"getrusage":          "rusagewho p",
	"getrandom":          "rbuf u grnd",
	"uname":              "uts_out",
	"sysinfo":            "sysinfo_out",
	"umount2":            "path umount",
	"mount":              "path path path mount p",
	"futex":              "futex",
	"clock_gettime":      "clock ts_out",
	"clock_getres":       "clock ts_out",
	"clock_nanosleep":    "clock timerflags ts_in ts_rem",
	"nanosleep":          "ts_in ts_rem",
	"gettimeofday":       "p p",
	"time":               "p",
	"alarm":              "u",
	"timer_create":       "clock sigev_in int_out",
	"timer_settime":      "d timerflags itspec_in itspec_out",
	"timer_gettime":      "d itspec_out",
	"timer_getoverrun":   "d",
	"timer_delete":       "d",
	"get_mempolicy":      "mpol_out nodes_out u p mpolget",
	"set_mempolicy":      "mpolmode nodes_in u",
	"mbind":              "p u mpolmode nodes_in u mbindflags",
	"getitimer":          "itimer p",
	"setitimer":          "itimer p p",
	"getpriority":        "prio d",
	"setpriority":        "prio d d",
	"sched_getaffinity":  "d u cpuset",
	"sched_setaffinity":  "d u p",
	"sched_getscheduler": "d",
	"socket":             "af socktype proto",
	"socketpair":         "af socktype proto pipefds",
	"connect":            "fd sockaddr_in u",
	"bind":               "fd sockaddr_in u",
	"listen":             "fd d",
	"accept":             "fd sockaddr_out socklen_io",
	"accept4":            "fd sockaddr_out socklen_io sockflags",
	"getsockname":        "fd sockaddr_out socklen_io",
	"getpeername":        "fd sockaddr_out socklen_io",
	"shutdown":           "fd shut",
	"sendto":             "fd wbuf u msgflags sockaddr_in u",
	"recvfrom":           "fd rbuf u msgflags sockaddr_out socklen_io",
	"sendmsg":            "fd msghdr_in msgflags",
	"recvmsg":            "fd msghdr_out msgflags",
	"sendmmsg":           "sendmmsg",
	"recvmmsg":           "recvmmsg",
	"setsockopt":         "fd sollevel sockopt optval u",
	"getsockopt":         "fd sollevel sockopt optval_out optlen_io",
	"poll":               "pollfds u d",
	"ppoll":              "pollfds u ts_in p u",
	"select":             "d fdset fdset fdset tv_left",
	"pselect6":           "d fdset fdset fdset ts_left p",
	"epoll_create":       "d",
	"epoll_create1":      "epollflags",
	"epoll_ctl":          "fd epollop fd epev_in",
	"epoll_wait":         "fd epevs_out d d",
	"epoll_pwait":        "fd epevs_out d d p u",
	"eventfd2":           "u efd",
	"timerfd_create":     "clock tfd",
	"signalfd4":          "fd p u sfd",
	"inotify_init1":      "inotify",
	"inotify_add_watch":  "fd path x",
	"memfd_create":       "path memfd",
	"clone":              "clone",
	"clone3":             "clone3",
	"sched_getparam":     "d p",
	"membarrier":         "d d",
	"capget":             "p p",
	"personality":        "x",
}

// argKind is one decoder: what the probe copies for the argument and how it
// is printed.
type argKind struct {
	copy  event.RawKind // 0: no copy
	n     uint16        // copy size (RawFixed), length argument offset (RawArgLen/RawPtrLen/RawIovec: +1 = next), cap (RawRetLen)
	unit  uint8
	exit  bool // copied (and printed) when the call returns
	both  bool // copied on enter and on exit
	print func(r *renderer, c *rcall, i int)
}

// scSpec is the compiled table entry of one syscall.
type scSpec struct {
	name  string
	kinds []*argKind
	ret   byte // 'd' decimal, 'x' hex, 'o' octal, '?' never returns
	// copy index (parameter index in the raw record) per argument, enter
	// and exit; -1 when not copied
	in, out [6]int8
	// split is the index of the first argument printed only when the
	// call returns (len(kinds) when none): "<unfinished ...>" ends there.
	split  int
	custom func(r *renderer, c *rcall)
	raw    event.RawSyscall
	// the enter copy of the stack (RawStack, custom decoders only)
	stackArg, stackIdx int8
}

// specs holds the compiled table, by native number.
var specs [512]*scSpec

// Copies returns the user memory copies of every syscall for the live
// capture (live.Options.Raw), indexed by native number.
func Copies() []event.RawSyscall {
	out := make([]event.RawSyscall, len(specs))
	for nr, s := range specs {
		if s != nil {
			out[nr] = s.raw
		}
	}
	return out
}

func init() {
	initKinds()
	for name, desc := range syscallTable {
		nr, ok := event.NativeNumber(name)
		if !ok || nr < 0 || nr >= len(specs) {
			continue
		}
		s := &scSpec{name: name, ret: 'd'}
		for i := range s.in {
			s.in[i], s.out[i] = -1, -1
		}
		words := strings.Fields(desc)
		if n := len(words); n > 0 && strings.HasPrefix(words[n-1], "=") {
			s.ret = words[n-1][1]
			words = words[:n-1]
		}
		if len(words) == 1 {
			if f, ok := customs[words[0]]; ok {
				s.custom = f.print
				for _, k := range f.copies {
					s.addCopy(k.arg, &k.kind)
				}
				s.split = -1
				specs[nr] = s
				continue
			}
		}
		s.split = -1
		for i, w := range words {
			k, ok := argKinds[w]
			if !ok {
				panic("trace: unknown argument kind " + w + " of " + name)
			}
			s.kinds = append(s.kinds, k)
			if i < 6 {
				s.addCopy(uint8(i), k)
			}
			if k.exit && s.split < 0 {
				s.split = i
			}
		}
		if s.split < 0 {
			s.split = len(s.kinds)
		}
		specs[nr] = s
	}
}

// addCopy records the copy kind k asks for argument i.
func (s *scSpec) addCopy(i uint8, k *argKind) {
	if k.copy == 0 {
		return
	}
	if k.copy == event.RawStack {
		s.stackArg, s.stackIdx = int8(i), int8(event.RawEnterCopies+len(s.raw.Enter))
		s.raw.Enter = append(s.raw.Enter, event.RawCopy{Kind: k.copy, Arg: i, N: k.n})
		return
	}
	n := k.n
	if k.copy == event.RawArgLen || k.copy == event.RawPtrLen || k.copy == event.RawIovec {
		n += uint16(i) // relative to the argument
	}
	c := event.RawCopy{Kind: k.copy, Arg: i, N: n, Unit: k.unit, Exit: k.exit}
	if !k.exit || k.both {
		c.Exit = false
		if k.copy == event.RawMsghdr && k.both {
			c.Unit = 2 // the header only (recvmsg's msg_namelen)
		}
		s.in[i] = int8(event.RawEnterCopies + len(s.raw.Enter))
		s.raw.Enter = append(s.raw.Enter, c)
	}
	if k.exit || k.both {
		c.Exit, c.Unit = true, k.unit
		s.out[i] = int8(event.RawExitCopies + len(s.raw.Exit))
		s.raw.Exit = append(s.raw.Exit, c)
	}
}

// spec returns the table entry of syscall nr (nil when not in the table).
func spec(nr int) *scSpec {
	if nr < 0 || nr >= len(specs) {
		return nil
	}
	return specs[nr]
}
