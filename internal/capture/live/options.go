// SPDX-License-Identifier: Apache-2.0

package live

import (
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// Defaults used when an Options field is zero.
const (
	DefaultSnapLen      = 80
	DefaultBufferSize   = 16 << 20
	DefaultPollInterval = 10 * time.Millisecond
	// MaxSnapLen bounds the bytes of I/O data kept per event.
	MaxSnapLen = 4096
	// MaxRawSnapLen bounds them in raw syscall records (Options.Raw),
	// whose I/O data is the one large parameter of its record.
	MaxRawSnapLen = 15 << 10
)

// Options configure a live capture. The zero value captures every process on
// the machine except the capturing process itself.
type Options struct {
	// SnapLen is the number of bytes of I/O buffers (read, write, send,
	// recv data) kept per event; 0 means DefaultSnapLen, at most MaxSnapLen
	// (MaxRawSnapLen with Raw).
	SnapLen int
	// BufferSize is the size in bytes of the kernel ring buffer shared by
	// all CPUs; rounded up to a power of two, 0 means DefaultBufferSize.
	// While the consumer falls behind, the reader moves records from the
	// ring into a backlog of up to 8 times this size, which grows only as
	// far as it is needed; events are lost (and counted) only once both
	// are full.
	BufferSize int
	// IncludeSelf also captures the capturing process. By default its own
	// events are dropped in the kernel, which avoids feedback loops.
	IncludeSelf bool
	// PIDs restricts capture to these processes (thread group ids). Empty
	// means every process. More can be added with Source.AddPID.
	PIDs []int
	// FilterPIDs starts with the pid filter on even when PIDs is empty:
	// nothing is captured until processes are added with Source.AddPID.
	FilterPIDs bool
	// FollowChildren adds children forked by a traced process to the traced
	// set, in the kernel, at fork time. Only meaningful with PIDs or AddPID.
	FollowChildren bool
	// EventTypes keeps only these event types (enter and exit ids of
	// syscalls, procexit, switch...); together with Syscalls, nil/empty
	// means everything. A syscall is kept when either of its events is listed.
	EventTypes []event.Type
	// Syscalls keeps these syscalls by name (kernel names such as
	// "openat", "getppid"); added to EventTypes.
	Syscalls []string
	// Comms keeps only threads whose command name (up to 15 bytes) is one
	// of these. Empty means any.
	Comms []string
	// CommsKeepState keeps the state-changing syscalls (open, close, clone,
	// execve, socket, ...) and exits of every process even when Comms is
	// set, so that process and fd tables stay complete while the bulk of
	// other processes' events is dropped in the kernel.
	CommsKeepState bool
	// FilterCgroups keeps only tasks whose cgroup in the v2 hierarchy is
	// one of Cgroups or nested below one (a container's processes); more
	// are added at run time with Source.AddCgroup. State-changing events of
	// every process are kept as with CommsKeepState, so processes entering
	// a new cgroup are seen.
	FilterCgroups bool
	// Cgroups are v2 cgroup ids (the inode number of the cgroup's
	// directory) kept from the start when FilterCgroups is set.
	Cgroups []uint64
	// NewCgroupsAbove, with FilterCgroups, is the highest v2 cgroup id
	// when the capture starts: cgroups made later (ids are allocated in
	// increasing order) are kept from their first event until
	// Source.AddCgroup or Source.RejectCgroup decides, so the first events
	// of a matching container started during the capture are not lost
	// while user space learns which container it is. 0 keeps only Cgroups.
	NewCgroupsAbove uint64
	// Uncoded also records syscalls that have no portable syscall code
	// (statx, rseq, ...) as generic events with code 0 and their native
	// number; sysdig shows such events as "<unknown>", so they are left out
	// by default.
	Uncoded bool
	// Raw records every syscall as raw records (event.RawSyscall): the
	// native number, the six arguments and the return value, plus the user
	// memory Raw[nr] lists. Syscalls beyond the slice copy nothing. The
	// Syscalls and EventTypes filters still apply (by name, or GenericE).
	Raw []event.RawSyscall
	// SchedSwitch enables context-switch events (off by default: they are
	// frequent and not tied to a traced syscall). Listing event.SchedSwitch
	// in EventTypes enables them too.
	SchedSwitch bool
	// ProcInfo adds procinfo events, as sysdig's driver sends them: a
	// thread's user and system CPU time (USER_HZ ticks since it started)
	// when it leaves a CPU, at most once a second per thread, from which
	// thread.cpu is computed. Threads that do not run get none.
	ProcInfo bool
	// PollInterval is how long Next waits for events before returning
	// capture.ErrTimeout, and how often idle CPUs are asked to flush;
	// 0 means DefaultPollInterval.
	PollInterval time.Duration
	// IgnoredSignals also reports signals their receiver ignores, which
	// the kernel drops when they are sent (SIG_IGN, or a default action of
	// ignoring, as SIGCHLD's): as signal-delivery events of the receiving
	// thread, time-stamped when sent.
	IgnoredSignals bool
	// NoSignals records no signal deliveries: their program is not loaded,
	// which shortens the start (for tools that show no signals).
	NoSignals bool
	// NoSnapshot skips the /proc scan at start (Snapshot returns an empty
	// snapshot with machine information only).
	NoSnapshot bool
}

func (o Options) withDefaults() Options {
	if o.SnapLen <= 0 {
		o.SnapLen = DefaultSnapLen
	}
	if o.Raw != nil && o.SnapLen > MaxRawSnapLen {
		o.SnapLen = MaxRawSnapLen
	} else if o.Raw == nil && o.SnapLen > MaxSnapLen {
		o.SnapLen = MaxSnapLen
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	n := 4096
	for n < o.BufferSize {
		n <<= 1
	}
	o.BufferSize = n
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	return o
}
