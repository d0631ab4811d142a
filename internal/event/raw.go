// SPDX-License-Identifier: Apache-2.0

package event

// Raw syscall records: a capture asked for them (see capture/live's
// Options.Raw) records every system call as a GenericE/GenericX pair that
// carries the call as the kernel saw it, for decoders that need more than
// the event table's parameters (ferret trace).
//
// The enter record holds the portable syscall code (u16), the native
// number (u16), the six raw arguments (u64 each) and then the enter copies
// of the syscall's RawSyscall; the exit record holds the code, the return
// value (i64) and then the exit copies. A copy that could not be read is an
// empty parameter.
const (
	RawEnterNr     = 1 // parameter index of the native number in the enter record
	RawEnterArg0   = 2 // parameter index of the first argument
	RawEnterCopies = 8 // parameter index of the first enter copy
	RawExitRet     = 1 // parameter index of the return value in the exit record
	RawExitCopies  = 2 // parameter index of the first exit copy
)

// RawKind says how long the user memory of a RawCopy is.
type RawKind uint8

// Kinds of raw copies.
const (
	RawStr       RawKind = iota + 1 // NUL-terminated string at the argument (up to 4096 bytes)
	RawFixed                        // N bytes at the argument
	RawArgLen                       // argument N times Unit (1 when 0) bytes, up to the snap length (2048 bytes when Unit > 1)
	RawPtrLen                       // as many bytes as the u32 at pointer argument N says, up to 128
	RawRetLen                       // as many bytes as the return value, up to N*64 bytes (the snap length when N is 0)
	RawStrv                         // the strings of a NULL-terminated pointer array, each NUL-terminated and at most the snap length (up to 4096 strings and the room in the record)
	RawPtrCount                     // the number of pointers of a NULL-terminated array (u64, up to 4096)
	RawStack                        // N bytes at the user stack pointer plus 8*Arg (Arg is no argument)
	RawIovec                        // the iovec array at the argument, count argument N, with its data (see below)
	RawMsghdr                       // the msghdr at the argument (N > 0: element N of an mmsghdr array, none when N >= argument 2; Unit 4: the first N elements of an mmsghdr array, see below) with its name, control data and iovec array (see below)
	RawUserStack                    // the user registers and up to N bytes of the user stack (see below; Arg is no argument)
	RawLinkMap                      // the executable and the objects the dynamic linker loaded (see below; Arg is no argument)
)

// Layout of RawLinkMap: the executable's load bias (u64) and path
// (NUL-terminated), then for each object of the dynamic linker's list
// (r_debug's r_map: the executable again with an empty name, the vDSO,
// the libraries, the linker) its l_addr (u64) and l_name (NUL-terminated),
// at most RawLinkMapMax.
const RawLinkMapMax = 64

// SignalStackParam is the index of the user stack copy (as RawUserStack)
// in signal deliveries when raw records copy stacks: after the table's
// parameters and the siginfo's.
const SignalStackParam = 8

// Layout of RawUserStack: the task's user registers as RawRegsAMD64 or RawRegsARM64 u64 in
// DWARF register order (x86-64: rax rdx rcx rbx rsi rdi rbp rsp r8-r15,
// then rip; arm64: x0-x30, sp, then pc), then the bytes of the stack from
// the stack pointer up: page by page while pages can be read, at most N
// and the room left in the record. Empty when the record has no room for
// the registers.
const (
	RawRegsAMD64 = 17
	RawRegsARM64 = 33
)

// Layout of RawIovec: for each element (at most RawIovMax), its 16 bytes
// as read (iov_base, iov_len), a u32 count of bytes copied from it
// (RawIovFault when unreadable) and those bytes: at most the snap length
// per element and, with Unit 1, no more than the return value in all.
// RawMsghdr holds the 56 bytes of the msghdr, msg_name and msg_control
// (each a u32 count as above and at most RawMsgNameMax and RawMsgCtlMax
// bytes), then msg_iov as RawIovec; it is empty when the msghdr cannot be
// read. With Unit 4 (sendmmsg, recvmmsg) it holds the first elements of
// the struct mmsghdr array, while below the call's vlen (argument 2) and at
// most N (up to RawMmsgMax): each a u32 length of what follows, the
// element's u32 msg_len and its msghdr as above; the list ends early at an
// element that cannot be read or that the record has no room for.
const (
	RawIovMax     = 64
	RawIovFault   = 0xffffffff
	RawMsgNameMax = 128
	RawMsgCtlMax  = 1024
	RawMmsgMax    = 255
)

// RawCopy is one piece of user memory a raw record carries: what argument
// Arg points to, read when the call enters or, with Exit, when it returns.
type RawCopy struct {
	Kind RawKind
	Arg  uint8
	N    uint16
	Unit uint8
	Exit bool
}

// RawSyscall lists the copies of one system call, enter and exit copies
// each in the order the records carry them.
type RawSyscall struct {
	Enter, Exit []RawCopy
}
