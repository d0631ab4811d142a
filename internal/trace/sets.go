// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// classes are strace's syscall classes for x86-64, by class name (without
// the leading %).
var classes = map[string][]string{
	"file": words(`open openat openat2 creat access faccessat faccessat2 stat lstat newfstatat statx statfs
		truncate chdir chroot chmod fchmodat chown lchown fchownat link linkat unlink unlinkat symlink
		symlinkat readlink readlinkat rename renameat renameat2 mkdir mkdirat rmdir mknod mknodat execve
		execveat utime utimes futimesat utimensat mount umount2 swapon swapoff pivot_root acct getxattr
		lgetxattr setxattr lsetxattr listxattr llistxattr removexattr lremovexattr inotify_add_watch
		fanotify_mark name_to_handle_at quotactl uselib open_tree move_mount mount_setattr fspick getcwd`),
	"desc": words(`read write open close fstat poll lseek mmap ioctl pread64 pwrite64 readv writev pipe
		pipe2 select dup dup2 dup3 sendfile fcntl flock fsync fdatasync ftruncate getdents getdents64
		fchdir fchmod fchown fstatfs readahead fsetxattr fgetxattr flistxattr fremovexattr epoll_create
		epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 openat mkdirat mknodat fchownat
		futimesat newfstatat unlinkat renameat renameat2 linkat symlinkat readlinkat fchmodat faccessat
		faccessat2 pselect6 ppoll splice tee sync_file_range vmsplice utimensat signalfd signalfd4
		timerfd_create timerfd_settime timerfd_gettime eventfd eventfd2 fallocate inotify_init
		inotify_init1 inotify_add_watch inotify_rm_watch preadv pwritev preadv2 pwritev2 perf_event_open
		fanotify_init fanotify_mark name_to_handle_at open_by_handle_at syncfs setns finit_module
		execveat statx copy_file_range memfd_create userfaultfd bpf io_uring_setup io_uring_enter
		io_uring_register pidfd_open pidfd_getfd pidfd_send_signal openat2 close_range fsopen fsmount
		fsconfig fspick open_tree move_mount mount_setattr process_madvise creat bind listen accept
		accept4 connect getsockname getpeername sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg
		shutdown setsockopt getsockopt fadvise64 fstatfs`),
	"process": words(`clone clone3 fork vfork execve execveat exit exit_group wait4 waitid kill tkill tgkill
		rt_sigqueueinfo rt_tgsigqueueinfo pidfd_send_signal pidfd_open unshare`),
	"network": words(`socket socketpair bind listen accept accept4 connect getsockname getpeername sendto
		recvfrom sendmsg recvmsg sendmmsg recvmmsg shutdown setsockopt getsockopt`),
	"signal": words(`rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending rt_sigtimedwait
		rt_sigqueueinfo rt_sigsuspend sigaltstack kill tkill tgkill pause signalfd signalfd4
		rt_tgsigqueueinfo pidfd_send_signal`),
	"ipc": words(`shmget shmat shmctl shmdt semget semop semctl semtimedop msgget msgsnd msgrcv msgctl`),
	"memory": words(`mmap mprotect munmap brk mremap msync mincore madvise shmat shmdt mlock munlock
		mlockall munlockall remap_file_pages mbind set_mempolicy get_mempolicy migrate_pages move_pages
		mlock2 pkey_mprotect process_madvise`),
	"stat":    words(`stat statx`),
	"lstat":   words(`lstat`),
	"fstat":   words(`fstat newfstatat`),
	"%stat":   words(`stat lstat fstat newfstatat statx`),
	"statfs":  words(`statfs`),
	"fstatfs": words(`fstatfs`),
	"%statfs": words(`statfs fstatfs`),
	"creds": words(`getuid geteuid getgid getegid setuid setgid setreuid setregid setresuid getresuid
		setresgid getresgid setfsuid setfsgid getgroups setgroups capget capset prctl`),
	"clock": words(`clock_gettime clock_settime clock_getres clock_adjtime gettimeofday settimeofday
		adjtimex time`),
	"pure": words(`getpid getppid getuid geteuid getgid getegid gettid getpgrp`),
}

// legacy are class names strace also accepts without the % sign.
var legacy = map[string]string{"file": "file", "desc": "desc", "process": "process", "network": "network",
	"net": "network", "signal": "signal", "signals": "signal", "ipc": "ipc", "memory": "memory"}

func words(s string) []string { return strings.Fields(s) }

// Set is a parsed -e trace= expression.
type Set struct {
	all     bool
	negate  bool
	names   map[string]bool
	regexps []*regexp.Regexp
}

// ParseSet parses strace's -e trace= syntax: a comma-separated list of
// syscall names, %classes (or their legacy bare names), /regexps, "all" and
// "none", with an optional leading "!" negating the whole set and a "?"
// prefix that ignores unknown names.
func ParseSet(expr string) (*Set, error) {
	s := &Set{names: make(map[string]bool)}
	if e, ok := strings.CutPrefix(expr, "!"); ok {
		s.negate, expr = true, e
	}
	if expr == "" {
		return nil, fmt.Errorf("empty syscall set")
	}
	for _, tok := range strings.Split(expr, ",") {
		quiet := false
		if t, ok := strings.CutPrefix(tok, "?"); ok {
			quiet, tok = true, t
		}
		switch {
		case tok == "all":
			s.all = true
		case tok == "none":
		case strings.HasPrefix(tok, "/"):
			re, err := regexp.Compile(tok[1:])
			if err != nil {
				return nil, fmt.Errorf("invalid syscall regexp %q: %w", tok[1:], err)
			}
			s.regexps = append(s.regexps, re)
		case strings.HasPrefix(tok, "%"):
			c, ok := classes[tok[1:]]
			if !ok {
				if quiet {
					continue
				}
				return nil, fmt.Errorf("invalid system call class %q", tok)
			}
			for _, n := range c {
				s.names[n] = true
			}
		default:
			if cl, ok := legacy[tok]; ok {
				for _, n := range classes[cl] {
					s.names[n] = true
				}
				continue
			}
			if syscallNr(tok) == 1<<20 {
				if quiet {
					continue
				}
				return nil, fmt.Errorf("invalid system call %q", tok)
			}
			s.names[tok] = true
		}
	}
	return s, nil
}

// Has reports whether syscall name is in the set. A nil set holds everything.
func (s *Set) Has(name string) bool {
	if s == nil {
		return true
	}
	in := s.all || s.names[name]
	if !in {
		for _, re := range s.regexps {
			if re.MatchString(name) {
				in = true
				break
			}
		}
	}
	return in != s.negate
}

// Names returns the syscall names of a set that is a plain list (no
// negation, "all" or regexp), sorted, and false otherwise. A live capture can
// then record only these syscalls.
func (s *Set) Names() ([]string, bool) {
	if s == nil || s.negate || s.all || len(s.regexps) > 0 {
		return nil, false
	}
	out := make([]string, 0, len(s.names))
	for n := range s.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, true
}
