// SPDX-License-Identifier: GPL-2.0-only
// Constants shared by the live probe and its loader
// (internal/capture/live/desc.go mirrors them; a test compares the two).
#ifndef FERRET_PROBE_H
#define FERRET_PROBE_H

#define MAX_PARAMS 20
#define NR_SYSCALLS 512

// Ring record kinds (struct rec_hdr.kind).
#define REC_BATCH 1
#define REC_SINGLE 2

// Parameter sources: where the value of one parameter comes from.
#define SRC_NONE 0       // empty parameter
#define SRC_ARG 1        // syscall argument `arg`, converted by `conv`
#define SRC_RET 2        // return value, converted by `conv`
#define SRC_CONST 3      // the constant `arg`
#define SRC_USTR 4       // NUL-terminated user string at argument `arg`
#define SRC_UBUF 5       // user buffer at argument `arg`, length = return value, up to snaplen
#define SRC_IOV 6        // user iovec array (argument `arg`, count `arg`+1), up to return value and snaplen
#define SRC_IOV_SIZE 7   // total length of an iovec array (argument `arg`, count `arg`+1)
#define SRC_MSG_IOV 8    // iovec array of the user msghdr at argument `arg`, up to return value
#define SRC_MSG_SIZE 9   // total length of the iovec array of the msghdr at argument `arg`
#define SRC_SOCKADDR 10  // user sockaddr at argument `arg`, length argument `arg`+1
#define SRC_TUPLE 11     // socket tuple of fd argument `arg`; conv: TUP_* bits
#define SRC_TUPLE_RET 12 // socket tuple of the fd returned; conv: TUP_* bits
#define SRC_UINT_AT 13   // 32-bit int at user pointer argument `arg`, index `conv` (pipe, socketpair fds)
#define SRC_PIPE_INO 14  // inode number of the fd stored at user pointer argument `arg`
#define SRC_FD_DEV 15    // device of the file behind the returned fd
#define SRC_FDLIST 16    // pollfd array at argument `arg`, count `arg`+1; conv 0 events, 1 revents
#define SRC_TIMESPEC 17  // user timespec at argument `arg` as nanoseconds
#define SRC_SC_CODE 18   // portable syscall code (generic events)
#define SRC_NATIVE_ID 19 // native syscall number (generic events)
#define SRC_PROC 20      // field `conv` (PROC_*) of the current task
#define SRC_EXIT 21      // field `conv` (EXIT_*) of the exit code
#define SRC_DYN_ARG 22   // DYN parameter, index `conv`, value: argument `arg` as u64
#define SRC_OPEN_MODE 23 // mode argument `arg`, kept only when flags argument `conv` create a file
#define SRC_CWD 24       // current working directory of the task (full path, walked across mounts)
#define SRC_SOCK_ADDR 25 // kernel address of the socket of fd stored at user pointer argument `arg`, index `conv`
#define SRC_U64_AT 26 // u64 number (arg>>4) of the array at user pointer argument (arg&7), converted by `conv`
#define SRC_BACKLOG 27 // accept queue of the listening socket of fd argument `arg`: conv 0 percent full, 1 length, 2 limit
// User memory of the raw syscall records (see NR_EVENT_DESCS).
#define SRC_UMEM 28      // conv + 256*width bytes at user pointer argument `arg`
#define SRC_UMEM_ALEN 29 // argument `conv` times width (1 when 0) bytes at argument `arg`, up to snaplen (512 for width > 1)
#define SRC_UMEM_PLEN 30 // u32-at-user-pointer-argument `conv` bytes at argument `arg`, up to 128
#define SRC_UMEM_RLEN 31 // return value bytes at argument `arg`, up to conv*64 bytes (snaplen when 0)
#define SRC_STRV 32      // NUL-terminated strings of the pointer array at argument `arg` (up to 64 strings of snaplen bytes)
#define SRC_PTR_COUNT 33 // number of pointers before the NULL ending the array at argument `arg` (up to 4096)
#define SRC_UMEM_SP 34   // conv + 256*width bytes at the user stack pointer plus 8*arg (rt_sigreturn's frame)

// Descriptor keys: event types below NR_EVENT_DESCS; raw syscall records
// use NR_EVENT_DESCS + 2*nr (enter) and NR_EVENT_DESCS + 2*nr + 1 (exit).
#define NR_EVENT_DESCS 336

// Conversions applied to SRC_ARG / SRC_RET values.
#define CV_NONE 0
#define CV_S32 1 // sign-extend the low 32 bits
#define CV_OPEN_FLAGS 2
#define CV_PROT 3
#define CV_MMAP_FLAGS 4
#define CV_CLONE_FLAGS 5
#define CV_FCNTL 6
#define CV_POLL 7
#define CV_ACCESS 8
#define CV_EXECVEAT 9
#define CV_RESOLVE 10
#define CV_SOCKLEVEL 11
#define CV_MOUNT 12

// Tuple direction bits.
#define TUP_OUT 0 // source = local socket, destination = peer
#define TUP_IN 1  // source = peer, destination = local socket
#define TUP_USER_ADDR 2 // peer from user sockaddr (argument 4, length argument 5) when not connected
#define TUP_USER_ADDRP 4 // same, but length is a user pointer (recvfrom)
#define TUP_MSG_NAME 8 // peer from msg_name of the user msghdr at argument 1 when not connected

// Task fields for SRC_PROC.
#define PROC_EXE 1
#define PROC_ARGS 2
#define PROC_TID 3
#define PROC_PID 4
#define PROC_PTID 5
#define PROC_FDLIMIT 6
#define PROC_PGFT_MAJ 7
#define PROC_PGFT_MIN 8
#define PROC_VM_SIZE 9
#define PROC_VM_RSS 10
#define PROC_VM_SWAP 11
#define PROC_COMM 12
#define PROC_CGROUPS 13
#define PROC_ENV 14
#define PROC_TTY 15
#define PROC_PGID 16
#define PROC_LOGINUID 17
#define PROC_EXEC_FLAGS 18
#define PROC_CLONE_FLAGS 19
#define PROC_UID 20
#define PROC_GID 21
#define PROC_VTID 22
#define PROC_VPID 23

// Fields of the exit code for SRC_EXIT.
#define EXIT_STATUS 1
#define EXIT_RET 2
#define EXIT_SIG 3
#define EXIT_CORE 4

// Loss counters (per CPU).
#define DR_RING_FULL 0   // events in a record the ring had no room for
#define DR_BUSY 1        // both per-CPU buffers in use (nested writers)
#define DR_TRUNCATED 2   // events cut short because they exceeded the size limit (kept)
#define DR_FAULT 3       // user memory reads that failed (parameter left empty, event kept)
#define DR_NO_DESC 4     // event types without a descriptor
#define DR_RECORDS 5     // ring records written (not a loss)
#define DR_EVENTS 6      // events built (not a loss)
#define DR_MAX 8

#endif
