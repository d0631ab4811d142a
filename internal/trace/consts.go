// SPDX-License-Identifier: Apache-2.0

package trace

import "strconv"

// nv is one named value of a flag set or an enumeration, in the kernel's
// native encoding (x86_64).
type nv struct {
	v    uint64
	name string
}

// appendBits renders v as the names of its bits joined by "|" in table
// order, then any unnamed rest in hex; zero is zero (or the table's zero
// name).
func appendBits(b []byte, v uint64, t []nv) []byte {
	start, rest := len(b), v
	for _, f := range t {
		if f.v != 0 && v&f.v == f.v && rest&f.v != 0 {
			if len(b) > start {
				b = append(b, '|')
			}
			b = append(b, f.name...)
			rest &^= f.v
		}
	}
	if rest != 0 {
		if len(b) > start {
			b = append(b, '|')
		}
		b = appendHex(b, rest)
	}
	if len(b) == start {
		for _, f := range t {
			if f.v == 0 {
				return append(b, f.name...)
			}
		}
		b = append(b, '0')
	}
	return b
}

// appendEnum renders v as its name, or in decimal (with an /* NAME_??? */
// comment as strace does for unknown values of some enumerations).
func appendEnum(b []byte, v uint64, t []nv, unknown string) []byte {
	for _, f := range t {
		if f.v == v {
			return append(b, f.name...)
		}
	}
	if unknown == "" {
		return strconv.AppendUint(b, v, 10)
	}
	b = appendHex0(b, v)
	return append(b, " /* "+unknown+" */"...)
}

var (
	protBits = []nv{{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}, {0x01000000, "PROT_GROWSDOWN"}, {0x02000000, "PROT_GROWSUP"}, {0, "PROT_NONE"}}
	mapBits  = []nv{{0x10, "MAP_FIXED"}, {0x20, "MAP_ANONYMOUS"}, {0x40, "MAP_32BIT"}, {0x100, "MAP_GROWSDOWN"},
		{0x800, "MAP_DENYWRITE"}, {0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"}, {0x4000, "MAP_NORESERVE"},
		{0x8000, "MAP_POPULATE"}, {0x10000, "MAP_NONBLOCK"}, {0x20000, "MAP_STACK"}, {0x40000, "MAP_HUGETLB"},
		{0x80000, "MAP_SYNC"}, {0x100000, "MAP_FIXED_NOREPLACE"}}
	mapType = []nv{{1, "MAP_SHARED"}, {2, "MAP_PRIVATE"}, {3, "MAP_SHARED_VALIDATE"}}
	// open flags after the access mode, in strace's order
	openBits = []nv{{0100, "O_CREAT"}, {0200, "O_EXCL"}, {0400, "O_NOCTTY"}, {01000, "O_TRUNC"}, {02000, "O_APPEND"},
		{04000, "O_NONBLOCK"}, {04010000, "O_SYNC"}, {010000, "O_DSYNC"}, {020000, "O_ASYNC"}, {040000, "O_DIRECT"},
		{0100000, "O_LARGEFILE"}, {0400000, "O_NOFOLLOW"}, {01000000, "O_NOATIME"},
		{02000000, "O_CLOEXEC"}, {010000000, "O_PATH"}, {0200000, "O_DIRECTORY"}}
	atBits = []nv{{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x400, "AT_SYMLINK_FOLLOW"},
		{0x800, "AT_NO_AUTOMOUNT"}, {0x1000, "AT_EMPTY_PATH"}, {0x2000, "AT_STATX_FORCE_SYNC"}, {0x4000, "AT_STATX_DONT_SYNC"}, {0x8000, "AT_RECURSIVE"}}
	// faccessat2's flags (AT_EACCESS is AT_REMOVEDIR's value)
	faccessBits = []nv{{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_EACCESS"}, {0x1000, "AT_EMPTY_PATH"}}
	accessBits  = []nv{{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}, {0, "F_OK"}}
	whence      = []nv{{0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"}}
	rlimits     = []nv{{0, "RLIMIT_CPU"}, {1, "RLIMIT_FSIZE"}, {2, "RLIMIT_DATA"}, {3, "RLIMIT_STACK"}, {4, "RLIMIT_CORE"},
		{5, "RLIMIT_RSS"}, {6, "RLIMIT_NPROC"}, {7, "RLIMIT_NOFILE"}, {8, "RLIMIT_MEMLOCK"}, {9, "RLIMIT_AS"},
		{10, "RLIMIT_LOCKS"}, {11, "RLIMIT_SIGPENDING"}, {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"}, {14, "RLIMIT_RTPRIO"}, {15, "RLIMIT_RTTIME"}}
	sigHow     = []nv{{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}}
	saBits     = []nv{{0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"}, {0x40000000, "SA_NODEFER"}, {0x80000000, "SA_RESETHAND"}, {1, "SA_NOCLDSTOP"}, {2, "SA_NOCLDWAIT"}, {4, "SA_SIGINFO"}}
	clocks     = []nv{{0, "CLOCK_REALTIME"}, {1, "CLOCK_MONOTONIC"}, {2, "CLOCK_PROCESS_CPUTIME_ID"}, {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"}, {5, "CLOCK_REALTIME_COARSE"}, {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"}, {8, "CLOCK_REALTIME_ALARM"}, {9, "CLOCK_BOOTTIME_ALARM"}, {11, "CLOCK_TAI"}}
	grnd       = []nv{{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}}
	families   = []nv{{0, "AF_UNSPEC"}, {1, "AF_UNIX"}, {2, "AF_INET"}, {10, "AF_INET6"}, {16, "AF_NETLINK"}, {17, "AF_PACKET"}}
	sockTypes  = []nv{{1, "SOCK_STREAM"}, {2, "SOCK_DGRAM"}, {3, "SOCK_RAW"}, {4, "SOCK_RDM"}, {5, "SOCK_SEQPACKET"}, {10, "SOCK_PACKET"}}
	sockBits   = []nv{{02000000, "SOCK_CLOEXEC"}, {04000, "SOCK_NONBLOCK"}}
	ipProtos   = []nv{{0, "IPPROTO_IP"}, {1, "IPPROTO_ICMP"}, {6, "IPPROTO_TCP"}, {17, "IPPROTO_UDP"}, {58, "IPPROTO_ICMPV6"}, {132, "IPPROTO_SCTP"}}
	rwfBits    = []nv{{1, "RWF_HIPRI"}, {2, "RWF_DSYNC"}, {4, "RWF_SYNC"}, {8, "RWF_NOWAIT"}, {0x10, "RWF_APPEND"}}
	msgBits    = []nv{{1, "MSG_OOB"}, {2, "MSG_PEEK"}, {4, "MSG_DONTROUTE"}, {8, "MSG_CTRUNC"}, {0x20, "MSG_TRUNC"}, {0x40, "MSG_DONTWAIT"}, {0x80, "MSG_EOR"}, {0x100, "MSG_WAITALL"}, {0x4000, "MSG_NOSIGNAL"}, {0x8000, "MSG_MORE"}, {0x40000000, "MSG_CMSG_CLOEXEC"}}
	ipNames    = []nv{{1, "IP_TOS"}, {2, "IP_TTL"}, {3, "IP_HDRINCL"}, {4, "IP_OPTIONS"}, {8, "IP_PKTINFO"}, {10, "IP_MTU_DISCOVER"}, {11, "IP_RECVERR"}, {12, "IP_RECVTTL"}, {13, "IP_RECVTOS"}, {14, "IP_MTU"}, {15, "IP_FREEBIND"}, {19, "IP_TRANSPARENT"}, {24, "IP_BIND_ADDRESS_NO_PORT"}, {32, "IP_MULTICAST_IF"}, {33, "IP_MULTICAST_TTL"}, {34, "IP_MULTICAST_LOOP"}, {35, "IP_ADD_MEMBERSHIP"}, {36, "IP_DROP_MEMBERSHIP"}}
	ipv6Names  = []nv{{16, "IPV6_UNICAST_HOPS"}, {23, "IPV6_MTU_DISCOVER"}, {25, "IPV6_RECVERR"}, {26, "IPV6_V6ONLY"}, {49, "IPV6_RECVPKTINFO"}, {50, "IPV6_PKTINFO"}, {67, "IPV6_TCLASS"}}
	solLevels  = []nv{{0, "SOL_IP"}, {1, "SOL_SOCKET"}, {6, "SOL_TCP"}, {17, "SOL_UDP"}, {41, "SOL_IPV6"}}
	soNames    = []nv{{1, "SO_DEBUG"}, {2, "SO_REUSEADDR"}, {3, "SO_TYPE"}, {4, "SO_ERROR"}, {5, "SO_DONTROUTE"}, {6, "SO_BROADCAST"}, {7, "SO_SNDBUF"}, {8, "SO_RCVBUF"}, {9, "SO_KEEPALIVE"}, {10, "SO_OOBINLINE"}, {13, "SO_LINGER"}, {15, "SO_REUSEPORT"}, {16, "SO_PASSCRED"}, {17, "SO_PEERCRED"}, {20, "SO_RCVTIMEO_OLD"}, {21, "SO_SNDTIMEO_OLD"}, {38, "SO_PROTOCOL"}, {39, "SO_DOMAIN"}}
	tcpNames   = []nv{{1, "TCP_NODELAY"}, {2, "TCP_MAXSEG"}, {3, "TCP_CORK"}, {4, "TCP_KEEPIDLE"}, {5, "TCP_KEEPINTVL"}, {6, "TCP_KEEPCNT"}, {9, "TCP_DEFER_ACCEPT"}, {11, "TCP_INFO"}, {12, "TCP_QUICKACK"}, {13, "TCP_CONGESTION"}, {23, "TCP_FASTOPEN"}, {30, "TCP_FASTOPEN_CONNECT"}}
	shutHow    = []nv{{0, "SHUT_RD"}, {1, "SHUT_WR"}, {2, "SHUT_RDWR"}}
	fadvs      = []nv{{0, "POSIX_FADV_NORMAL"}, {1, "POSIX_FADV_RANDOM"}, {2, "POSIX_FADV_SEQUENTIAL"}, {3, "POSIX_FADV_WILLNEED"}, {4, "POSIX_FADV_DONTNEED"}, {5, "POSIX_FADV_NOREUSE"}}
	madvs      = []nv{{0, "MADV_NORMAL"}, {1, "MADV_RANDOM"}, {2, "MADV_SEQUENTIAL"}, {3, "MADV_WILLNEED"}, {4, "MADV_DONTNEED"}, {8, "MADV_FREE"}, {9, "MADV_REMOVE"}, {10, "MADV_DONTFORK"}, {11, "MADV_DOFORK"}, {12, "MADV_MERGEABLE"}, {13, "MADV_UNMERGEABLE"}, {14, "MADV_HUGEPAGE"}, {15, "MADV_NOHUGEPAGE"}, {16, "MADV_DONTDUMP"}, {17, "MADV_DODUMP"}, {18, "MADV_WIPEONFORK"}, {19, "MADV_KEEPONFORK"}, {20, "MADV_COLD"}, {21, "MADV_PAGEOUT"}, {100, "MADV_HWPOISON"}}
	renameBits = []nv{{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}}
	waitBits   = []nv{{1, "WNOHANG"}, {2, "WUNTRACED"}, {4, "WEXITED"}, {8, "WCONTINUED"}, {0x01000000, "WNOWAIT"}, {0x20000000, "__WNOTHREAD"}, {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"}}
	cloneBits  = []nv{{0x100, "CLONE_VM"}, {0x200, "CLONE_FS"}, {0x400, "CLONE_FILES"}, {0x800, "CLONE_SIGHAND"},
		{0x1000, "CLONE_PIDFD"}, {0x2000, "CLONE_PTRACE"}, {0x4000, "CLONE_VFORK"}, {0x8000, "CLONE_PARENT"},
		{0x10000, "CLONE_THREAD"}, {0x20000, "CLONE_NEWNS"}, {0x40000, "CLONE_SYSVSEM"}, {0x80000, "CLONE_SETTLS"},
		{0x100000, "CLONE_PARENT_SETTID"}, {0x200000, "CLONE_CHILD_CLEARTID"}, {0x400000, "CLONE_DETACHED"},
		{0x800000, "CLONE_UNTRACED"}, {0x1000000, "CLONE_CHILD_SETTID"}, {0x2000000, "CLONE_NEWCGROUP"},
		{0x4000000, "CLONE_NEWUTS"}, {0x8000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"},
		{0x20000000, "CLONE_NEWPID"}, {0x40000000, "CLONE_NEWNET"}, {0x80000000, "CLONE_IO"}}
	archPrctl   = []nv{{0x1001, "ARCH_SET_GS"}, {0x1002, "ARCH_SET_FS"}, {0x1003, "ARCH_GET_FS"}, {0x1004, "ARCH_GET_GS"}, {0x1011, "ARCH_GET_CPUID"}, {0x1012, "ARCH_SET_CPUID"}}
	fcntlCmds   = []nv{{0, "F_DUPFD"}, {1, "F_GETFD"}, {2, "F_SETFD"}, {3, "F_GETFL"}, {4, "F_SETFL"}, {5, "F_GETLK"}, {6, "F_SETLK"}, {7, "F_SETLKW"}, {8, "F_SETOWN"}, {9, "F_GETOWN"}, {10, "F_SETSIG"}, {11, "F_GETSIG"}, {1024, "F_SETLEASE"}, {1025, "F_GETLEASE"}, {1026, "F_NOTIFY"}, {1030, "F_DUPFD_CLOEXEC"}, {1031, "F_SETPIPE_SZ"}, {1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"}, {1034, "F_GET_SEALS"}, {36, "F_OFD_GETLK"}, {37, "F_OFD_SETLK"}, {38, "F_OFD_SETLKW"}}
	statxMask   = []nv{{0xfff, "STATX_ALL"}, {0x7ff, "STATX_BASIC_STATS"}, {0x1, "STATX_TYPE"}, {0x2, "STATX_MODE"}, {0x4, "STATX_NLINK"}, {0x8, "STATX_UID"}, {0x10, "STATX_GID"}, {0x20, "STATX_ATIME"}, {0x40, "STATX_MTIME"}, {0x80, "STATX_CTIME"}, {0x100, "STATX_INO"}, {0x200, "STATX_SIZE"}, {0x400, "STATX_BLOCKS"}, {0x800, "STATX_BTIME"}, {0x1000, "STATX_MNT_ID"}, {0x2000, "STATX_DIOALIGN"}}
	statxAttrs  = []nv{{0x4, "STATX_ATTR_COMPRESSED"}, {0x10, "STATX_ATTR_IMMUTABLE"}, {0x20, "STATX_ATTR_APPEND"}, {0x40, "STATX_ATTR_NODUMP"}, {0x800, "STATX_ATTR_ENCRYPTED"}, {0x1000, "STATX_ATTR_AUTOMOUNT"}, {0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"}, {0x200000, "STATX_ATTR_DAX"}}
	pollBits    = []nv{{1, "POLLIN"}, {2, "POLLPRI"}, {4, "POLLOUT"}, {8, "POLLERR"}, {0x10, "POLLHUP"}, {0x20, "POLLNVAL"}, {0x40, "POLLRDNORM"}, {0x80, "POLLRDBAND"}, {0x100, "POLLWRNORM"}, {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"}, {0x2000, "POLLRDHUP"}}
	epollBits   = []nv{{1, "EPOLLIN"}, {2, "EPOLLPRI"}, {4, "EPOLLOUT"}, {8, "EPOLLERR"}, {0x10, "EPOLLHUP"}, {0x40, "EPOLLRDNORM"}, {0x80, "EPOLLRDBAND"}, {0x100, "EPOLLWRNORM"}, {0x200, "EPOLLWRBAND"}, {0x2000, "EPOLLRDHUP"}, {1 << 28, "EPOLLEXCLUSIVE"}, {1 << 29, "EPOLLWAKEUP"}, {1 << 30, "EPOLLONESHOT"}, {1 << 31, "EPOLLET"}}
	epollOps    = []nv{{1, "EPOLL_CTL_ADD"}, {2, "EPOLL_CTL_DEL"}, {3, "EPOLL_CTL_MOD"}}
	epollEvents = []nv{{1, "EPOLLIN"}, {2, "EPOLLPRI"}, {4, "EPOLLOUT"}, {8, "EPOLLERR"}, {0x10, "EPOLLHUP"},
		{0x20, "EPOLLNVAL"}, {0x40, "EPOLLRDNORM"}, {0x80, "EPOLLRDBAND"}, {0x100, "EPOLLWRNORM"},
		{0x200, "EPOLLWRBAND"}, {0x400, "EPOLLMSG"}, {0x2000, "EPOLLRDHUP"}, {1 << 28, "EPOLLEXCLUSIVE"},
		{1 << 29, "EPOLLWAKEUP"}, {1 << 30, "EPOLLONESHOT"}, {1 << 31, "EPOLLET"}}
	fdFlags    = []nv{{1, "FD_CLOEXEC"}}
	ocloexec   = []nv{{02000000, "O_CLOEXEC"}, {04000, "O_NONBLOCK"}, {040000, "O_DIRECT"}}
	efdBits    = []nv{{02000000, "EFD_CLOEXEC"}, {04000, "EFD_NONBLOCK"}, {1, "EFD_SEMAPHORE"}}
	tfdBits    = []nv{{02000000, "TFD_CLOEXEC"}, {04000, "TFD_NONBLOCK"}}
	mremapBits = []nv{{1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}}
	msyncBits  = []nv{{1, "MS_ASYNC"}, {2, "MS_INVALIDATE"}, {4, "MS_SYNC"}}
	mlockBits  = []nv{{1, "MCL_CURRENT"}, {2, "MCL_FUTURE"}, {4, "MCL_ONFAULT"}}
	itimers    = []nv{{0, "ITIMER_REAL"}, {1, "ITIMER_VIRTUAL"}, {2, "ITIMER_PROF"}}
	prioWhich  = []nv{{0, "PRIO_PROCESS"}, {1, "PRIO_PGRP"}, {2, "PRIO_USER"}}
	rusageWho  = []nv{{0, "RUSAGE_SELF"}, {^uint64(0), "RUSAGE_CHILDREN"}, {1, "RUSAGE_THREAD"}}
	flockOps   = []nv{{1, "LOCK_SH"}, {2, "LOCK_EX"}, {4, "LOCK_NB"}, {8, "LOCK_UN"}}
	schedPols  = []nv{{0, "SCHED_OTHER"}, {1, "SCHED_FIFO"}, {2, "SCHED_RR"}, {3, "SCHED_BATCH"}, {5, "SCHED_IDLE"}, {6, "SCHED_DEADLINE"}}
	xattrBits  = []nv{{1, "XATTR_CREATE"}, {2, "XATTR_REPLACE"}}
	memfdBits  = []nv{{1, "MFD_CLOEXEC"}, {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"}}
	inotifyIn  = []nv{{02000000, "IN_CLOEXEC"}, {04000, "IN_NONBLOCK"}}
	sfdBits    = []nv{{02000000, "SFD_CLOEXEC"}, {04000, "SFD_NONBLOCK"}}
	timerBits  = []nv{{1, "TIMER_ABSTIME"}}
	mountBits  = []nv{{1, "MS_RDONLY"}, {2, "MS_NOSUID"}, {4, "MS_NODEV"}, {8, "MS_NOEXEC"}, {16, "MS_SYNCHRONOUS"}, {32, "MS_REMOUNT"}, {1024, "MS_NOATIME"}, {2048, "MS_NODIRATIME"}, {4096, "MS_BIND"}, {8192, "MS_MOVE"}, {16384, "MS_REC"}, {1 << 18, "MS_PRIVATE"}, {1 << 19, "MS_SLAVE"}, {1 << 20, "MS_SHARED"}}
	umountBits = []nv{{1, "MNT_FORCE"}, {2, "MNT_DETACH"}, {4, "MNT_EXPIRE"}, {8, "UMOUNT_NOFOLLOW"}}
)

// ioctls names the ioctl requests strace names on terminals, sockets and
// files.
var ioctls = []nv{{0x5401, "TCGETS"}, {0x5402, "TCSETS"}, {0x5403, "TCSETSW"}, {0x5404, "TCSETSF"}, {0x5405, "TCGETA"},
	{0x5406, "TCSETA"}, {0x5407, "TCSETAW"}, {0x5408, "TCSETAF"}, {0x5409, "TCSBRK"}, {0x540A, "TCXONC"}, {0x540B, "TCFLSH"},
	{0x540C, "TIOCEXCL"}, {0x540D, "TIOCNXCL"}, {0x540E, "TIOCSCTTY"}, {0x540F, "TIOCGPGRP"}, {0x5410, "TIOCSPGRP"},
	{0x5411, "TIOCOUTQ"}, {0x5412, "TIOCSTI"}, {0x5413, "TIOCGWINSZ"}, {0x5414, "TIOCSWINSZ"}, {0x5415, "TIOCMGET"},
	{0x541B, "FIONREAD"}, {0x541C, "TIOCLINUX"}, {0x541D, "TIOCCONS"}, {0x5420, "TIOCPKT"}, {0x5421, "FIONBIO"},
	{0x5422, "TIOCNOTTY"}, {0x5423, "TIOCSETD"}, {0x5424, "TIOCGETD"}, {0x5429, "TIOCGSID"}, {0x80045430, "TIOCGPTN"},
	{0x40045431, "TIOCSPTLCK"}, {0x5450, "FIONCLEX"}, {0x5451, "FIOCLEX"}, {0x5452, "FIOASYNC"}, {0x5460, "FIOQSIZE"},
	{0x8912, "SIOCGIFCONF"}, {0x8913, "SIOCGIFFLAGS"}, {0x8914, "SIOCSIFFLAGS"}, {0x8915, "SIOCGIFADDR"}, {0x8921, "SIOCGIFMTU"},
	{0x8927, "SIOCGIFHWADDR"}, {0x8933, "SIOCGIFINDEX"}, {0x8910, "SIOCGIFNAME"}, {0x541E, "TIOCGSERIAL"},
	{0x80086601, "FS_IOC_GETFLAGS"}, {0x40086602, "FS_IOC_SETFLAGS"}, {0xc020660b, "FS_IOC_FIEMAP"}, {0x40049409, "BTRFS_IOC_CLONE or FICLONE"},
	{0x5441, "TIOCGPTPEER"}, {0x80047476, "FS_IOC_GETVERSION"}}

// futexCmds names the futex operations (without FUTEX_PRIVATE_FLAG, which
// strace shows as a _PRIVATE suffix).
var futexCmds = []string{"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP",
	"FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET",
	"FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"}

// sigShort returns a signal's name without "SIG" as strace shows it in
// sets: "CHLD", "RTMIN", "RT_3".
func sigShort(sig int) string {
	switch {
	case sig == 32:
		return "RTMIN"
	case sig > 32:
		return "RT_" + strconv.Itoa(sig-32)
	}
	n := signalName(uint64(sig))
	if len(n) > 3 && n[:3] == "SIG" {
		return n[3:]
	}
	return n
}

// sigLong returns "SIGCHLD", "SIGRTMIN", "SIGRT_3".
func sigLong(sig int) string {
	if sig >= 32 {
		return "SIG" + sigShort(sig)
	}
	return signalName(uint64(sig))
}

// termios flags, in strace's order
var (
	termIflags = []nv{{1, "IGNBRK"}, {2, "BRKINT"}, {4, "IGNPAR"}, {010, "PARMRK"}, {020, "INPCK"}, {040, "ISTRIP"},
		{0100, "INLCR"}, {0200, "IGNCR"}, {0400, "ICRNL"}, {01000, "IUCLC"}, {02000, "IXON"}, {04000, "IXANY"},
		{010000, "IXOFF"}, {020000, "IMAXBEL"}, {040000, "IUTF8"}}
	termOflags = []nv{{1, "OPOST"}, {2, "OLCUC"}, {4, "ONLCR"}, {010, "OCRNL"}, {020, "ONOCR"}, {040, "ONLRET"},
		{0100, "OFILL"}, {0200, "OFDEL"}}
	// delay fields of c_oflag: mask and the names of its values
	termODelays = []struct {
		mask  uint64
		names []nv
	}{
		{0400, []nv{{0, "NL0"}, {0400, "NL1"}}},
		{03000, []nv{{0, "CR0"}, {01000, "CR1"}, {02000, "CR2"}, {03000, "CR3"}}},
		{014000, []nv{{0, "TAB0"}, {04000, "TAB1"}, {010000, "TAB2"}, {014000, "TAB3"}}},
		{020000, []nv{{0, "BS0"}, {020000, "BS1"}}},
		{040000, []nv{{0, "VT0"}, {040000, "VT1"}}},
		{0100000, []nv{{0, "FF0"}, {0100000, "FF1"}}},
	}
	termBauds = []nv{{0, "B0"}, {1, "B50"}, {2, "B75"}, {3, "B110"}, {4, "B134"}, {5, "B150"}, {6, "B200"},
		{7, "B300"}, {010, "B600"}, {011, "B1200"}, {012, "B1800"}, {013, "B2400"}, {014, "B4800"}, {015, "B9600"},
		{016, "B19200"}, {017, "B38400"}, {010001, "B57600"}, {010002, "B115200"}, {010003, "B230400"},
		{010004, "B460800"}, {010005, "B500000"}, {010006, "B576000"}, {010007, "B921600"}, {010010, "B1000000"},
		{010011, "B1152000"}, {010012, "B1500000"}, {010013, "B2000000"}, {010014, "B2500000"},
		{010015, "B3000000"}, {010016, "B3500000"}, {010017, "B4000000"}}
	termCsize  = []nv{{0, "CS5"}, {020, "CS6"}, {040, "CS7"}, {060, "CS8"}}
	termCflags = []nv{{0100, "CSTOPB"}, {0200, "CREAD"}, {0400, "PARENB"}, {01000, "PARODD"}, {02000, "HUPCL"},
		{04000, "CLOCAL"}, {010000000000, "CMSPAR"}, {020000000000, "CRTSCTS"}}
	termLflags = []nv{{1, "ISIG"}, {2, "ICANON"}, {4, "XCASE"}, {010, "ECHO"}, {020, "ECHOE"}, {040, "ECHOK"},
		{0100, "ECHONL"}, {0200, "NOFLSH"}, {0100000, "IEXTEN"}, {01000, "ECHOCTL"}, {02000, "ECHOPRT"},
		{04000, "ECHOKE"}, {010000, "FLUSHO"}, {040000, "PENDIN"}, {0400, "TOSTOP"}, {0200000, "EXTPROC"}}
)
