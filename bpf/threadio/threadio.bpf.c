// SPDX-License-Identifier: GPL-2.0-only
//go:build ignore

// Per-thread I/O byte counters for `ferret top`'s tables of threads and
// processes (the FILE and NET columns: evt.buflen.file, evt.buflen.net and
// their in/out parts). With them those views need no I/O event copied to
// user space at all: user space reads the counters once per refresh.
//
// What is counted is what the event path sums: at the exit of every system
// call of the I/O category that names a descriptor (the loader marks them in
// io_calls from ferret's event table, with their direction), a non-negative
// return value is added to the calling thread, under the kind of the
// descriptor in its first argument:
//  - net: a socket of family AF_INET or AF_INET6;
//  - file: anything else that is not a socket, an anonymous pipe (pipefs),
//    an anonymous inode (eventfd, epoll, timerfd, signalfd, inotify...) or
//    a pidfd: regular files, directories, devices, named FIFOs, as the
//    descriptors opened by path are typed;
//  - any: every descriptor, whatever its kind.
// Each kind keeps reads (in), writes (out) and all calls (all: calls that
// neither read nor write, such as fcntl or dup, count their return value
// there only). ferret's own calls are not counted.

#include "../include/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_SYSCALLS 512
#define IO_COUNTED 1
#define IO_READS 2
#define IO_WRITES 4

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define PIPEFS_MAGIC 0x50495045
#define ANON_INODE_FS_MAGIC 0x09041934
#define PID_FS_MAGIC 0x50494446

enum {
	K_FILE = 0,
	K_NET = 1,
	K_OTHER = 2,
};

struct io_counts {
	__u64 file_in;
	__u64 file_out;
	__u64 file_all;
	__u64 net_in;
	__u64 net_out;
	__u64 net_all;
	__u64 any_in;
	__u64 any_out;
	__u64 any_all;
};

const struct io_counts *unused_io_counts __attribute__((unused));

// Per-thread counters, by thread id. User space deletes the entries of
// threads that are gone; the LRU bound keeps a machine's churn from
// filling the map meanwhile.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct io_counts);
} counts SEC(".maps");

// Calls that could not be counted (no room for a new thread's entry).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} misses SEC(".maps");

const volatile __u32 self_tgid = 0;
// IO_* bits per native system call number.
const volatile __u8 io_calls[NR_SYSCALLS] = {};

#if defined(__TARGET_ARCH_arm64)
struct pt_regs___ferret_arm64 {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 orig_x0;
	__s32 syscallno;
} __attribute__((preserve_access_index));

static __always_inline long exit_nr(struct pt_regs *p)
{
	return ((struct pt_regs___ferret_arm64 *)p)->syscallno;
}

static __always_inline long first_arg(struct pt_regs *p)
{
	return ((struct pt_regs___ferret_arm64 *)p)->orig_x0;
}
#else
static __always_inline long exit_nr(struct pt_regs *regs)
{
	return regs->orig_ax;
}

static __always_inline long first_arg(struct pt_regs *regs)
{
	return regs->di;
}
#endif

static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;
	if (fd < 0)
		return NULL;
	max = BPF_CORE_READ(t, files, fdt, max_fds);
	if (fd >= max)
		return NULL;
	fds = BPF_CORE_READ(t, files, fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xfffff]);
	return f;
}

static __always_inline int fd_kind(struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	umode_t mode = BPF_CORE_READ(ino, i_mode);
	if ((mode & S_IFMT) == S_IFSOCK) {
		struct socket *s = BPF_CORE_READ(f, private_data);
		if (!s)
			return K_OTHER;
		__u16 fam = BPF_CORE_READ(s, sk, __sk_common.skc_family);
		return fam == 2 || fam == 10 ? K_NET : K_OTHER;
	}
	unsigned long magic = BPF_CORE_READ(ino, i_sb, s_magic);
	if (magic == PIPEFS_MAGIC || magic == ANON_INODE_FS_MAGIC || magic == PID_FS_MAGIC)
		return K_OTHER;
	return K_FILE;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_io_exit, struct pt_regs *regs, long ret)
{
	if (ret < 0)
		return 0;
	long nr = exit_nr(regs);
	if (nr < 0 || nr >= NR_SYSCALLS)
		return 0;
	__u8 fl = io_calls[nr & (NR_SYSCALLS - 1)];
	if (!(fl & IO_COUNTED))
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	if ((__u32)(id >> 32) == self_tgid)
		return 0;
	struct file *f = fd_file(first_arg(regs));
	if (!f)
		return 0;
	int kind = fd_kind(f);
	__u32 tid = (__u32)id;
	struct io_counts *c = bpf_map_lookup_elem(&counts, &tid);
	if (!c) {
		struct io_counts zero = {};
		bpf_map_update_elem(&counts, &tid, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &tid);
		if (!c) {
			__u32 k = 0;
			__u64 *m = bpf_map_lookup_elem(&misses, &k);
			if (m)
				*m += 1;
			return 0;
		}
	}
	__u64 n = ret;
	__sync_fetch_and_add(&c->any_all, n);
	if (fl & IO_READS)
		__sync_fetch_and_add(&c->any_in, n);
	if (fl & IO_WRITES)
		__sync_fetch_and_add(&c->any_out, n);
	if (kind == K_FILE) {
		__sync_fetch_and_add(&c->file_all, n);
		if (fl & IO_READS)
			__sync_fetch_and_add(&c->file_in, n);
		if (fl & IO_WRITES)
			__sync_fetch_and_add(&c->file_out, n);
	} else if (kind == K_NET) {
		__sync_fetch_and_add(&c->net_all, n);
		if (fl & IO_READS)
			__sync_fetch_and_add(&c->net_in, n);
		if (fl & IO_WRITES)
			__sync_fetch_and_add(&c->net_out, n);
	}
	return 0;
}
