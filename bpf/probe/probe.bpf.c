// SPDX-License-Identifier: GPL-2.0-only
//go:build ignore

// ferret's live probe. System call enter and exit, process exit, fork (to
// follow children) and, optionally, context switches are encoded directly
// in ferret's v2 event wire format. What fills each parameter of each event
// type is not hard-coded here: the loader writes one descriptor per event
// type into the `descs` map and a generic encoder interprets it.
//
// Events are gathered per CPU in a batch buffer and one ring-buffer record
// carries a whole batch, written without waking the reader. A batch is
// flushed when it is full, when it is older than max_age_ns at the next
// event, or when user space runs flush_cpu on that CPU. A writer that finds
// the CPU's batch in use (it interrupted another writer) builds its event
// in a second buffer and sends it alone. Nothing here ever waits.

#include "../include/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "probe.h"

char LICENSE[] SEC("license") = "GPL";

#define DATA_SIZE 65536
#define OFF_MASK 0x7fff
#define LEN_MASK 0x3fff
#define FLUSH_AT 16384
#define EV_MAX 16000
#define REC_HDR 24
#define EV_HDR 26
#define STR_MAX 4096
#define MAX_IOV 8

// Force a bound the verifier can see (the compiler may drop a plain mask).
#define BOUND(v, m) asm volatile("%0 &= " #m : "+r"(v))

#define FE_PROCEXIT 186
#define FE_SWITCH 152
#define FE_SIGNALDELIVER 232

struct rec_hdr {
	__u16 kind;
	__u16 cpu;
	__u32 nevents;
	__u32 len;
	__u32 pad;
	__u64 flush_ts;
};

struct batch {
	__u32 busy;
	__u32 pos;
	__u32 n;
	__u32 pad;
	__u64 first_ts;
	// Build state of the event being written. It lives in the map value,
	// not on the stack, so the verifier sees it as an unknown (bounded)
	// number and the parameter loop converges.
	__u32 ev;
	__u32 cur;
	__u32 exe_len;
	__u32 trunc;
	__u32 fault;
	__u32 pad2;
	__u8 data[DATA_SIZE];
};

struct pdesc {
	__u8 src;
	__u8 arg;
	__u8 conv;
	__u8 width;
};

struct edesc {
	__u32 nparams;
	__u32 flags;
	struct pdesc p[32]; // MAX_PARAMS used; 32 so a masked index stays inside
};

struct route {
	__u16 enter;
	__u16 exit;
	__u16 code;
	__u8 keep;
	__u8 state; // the syscall changes process or fd state
	// descriptor keys of the enter and exit events (the event types, or
	// raw syscall records, see NR_EVENT_DESCS)
	__u16 denter;
	__u16 dexit;
};

struct comm_key {
	char c[16];
};

// Build state of one event, on the stack of the attached program.
struct bctx {
	__u64 args[6];
	__s64 ret;
	__u32 slot;
	__u32 type;
	__u32 nr;
	__u32 code;
	__u32 desc; // descriptor key (the type unless set)
	__u64 sp;   // user stack pointer
};

const struct rec_hdr *unused_rec_hdr __attribute__((unused));
const struct edesc *unused_edesc __attribute__((unused));
const struct route *unused_route __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct batch);
} batches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_EVENT_DESCS + 2 * NR_SYSCALLS);
	__type(key, __u32);
	__type(value, struct edesc);
} descs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_SYSCALLS);
	__type(key, __u32);
	__type(value, struct route);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct comm_key);
	__type(value, __u8);
} comms SEC(".maps");

// Cgroup (v2 hierarchy) ids whose processes, and those of their
// descendant cgroups, are kept when filter_cgroups is set; id 0 keeps all.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_ids SEC(".maps");

// Cached want_cgroup verdicts per cgroup id: generation << 1 | keep.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} cgroup_verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

volatile const __u32 self_tgid = 0;
volatile const __u64 epoch_offset = 0;
volatile const __u32 snaplen = 80;
volatile const __u32 ncpus = 1;
volatile const __u32 follow_children = 0;
volatile const __u32 filter_comms = 0;
volatile const __u32 filter_cgroups = 0;
// With a comm or cgroup filter, still keep every process's state-changing
// syscalls (and exits), so fd and process tables stay complete.
volatile const __u32 keep_state = 0;
volatile const __u64 max_age_ns = 5000000;

// Changed at run time by the loader.
volatile __u32 filter_pids = 0;
volatile __u32 cgroups_gen = 0; // bumped when cgroup_ids changes
volatile __u32 keep_procexit = 1;
volatile __u32 keep_signal = 1;

static __always_inline void count(__u32 reason, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&drops, &reason);
	if (v)
		*v += n;
}

static __always_inline int want_task(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == self_tgid)
		return 0;
	if (filter_pids && !bpf_map_lookup_elem(&traced, &tgid))
		return 0;
	return 1;
}

static __always_inline int want_comm(void)
{
	if (!filter_comms)
		return 1;
	// The process's name is its main thread's: worker threads may rename
	// themselves (prctl PR_SET_NAME) without changing the process name.
	struct comm_key k = {};
	struct task_struct *t = bpf_get_current_task_btf();
	bpf_probe_read_kernel(k.c, sizeof(k.c), t->group_leader->comm);
	return bpf_map_lookup_elem(&comms, &k) != 0;
}

// want_cgroup keeps tasks whose cgroup in the v2 hierarchy, or one of its
// ancestors, is in cgroup_ids (a container's cgroup and those nested in it).
// The verdict for a cgroup is cached with the generation of cgroup_ids it
// was computed from, so most events cost one helper call and one lookup.
static __always_inline int want_cgroup(void)
{
	if (!filter_cgroups)
		return 1;
	__u64 id = bpf_get_current_cgroup_id();
	__u32 gen = cgroups_gen;
	__u32 *v = bpf_map_lookup_elem(&cgroup_verdicts, &id);
	if (v && (*v >> 1) == gen)
		return *v & 1;
	__u64 all = 0;
	int keep = bpf_map_lookup_elem(&cgroup_ids, &all) || bpf_map_lookup_elem(&cgroup_ids, &id);
	for (int level = 1; level < 16 && !keep; level++) {
		__u64 a = bpf_get_current_ancestor_cgroup_id(level);
		if (!a)
			break; // deeper than the task's own cgroup
		keep = bpf_map_lookup_elem(&cgroup_ids, &a) != 0;
	}
	__u32 nv = gen << 1 | (keep ? 1 : 0);
	bpf_map_update_elem(&cgroup_verdicts, &id, &nv, BPF_ANY);
	return keep;
}

static __always_inline int want_proc(void)
{
	return want_comm() && want_cgroup();
}

static __always_inline int want(void)
{
	return want_task() && want_proc();
}

// want_route decides for a syscall event once its route is known.
static __always_inline int want_route(const struct route *r)
{
	if (keep_state && r->state)
		return 1;
	return want_proc();
}

static __always_inline void flush(struct batch *b, __u32 cpu, __u16 kind, __u64 ts)
{
	struct rec_hdr *h = (void *)b->data;
	__u32 len = b->pos;
	if (len < REC_HDR)
		len = REC_HDR;
	h->kind = kind;
	h->cpu = cpu;
	h->nevents = b->n;
	h->len = len;
	h->pad = 0;
	h->flush_ts = ts;
	if (bpf_ringbuf_output(&events, b->data, len & 0xffff, BPF_RB_NO_WAKEUP))
		count(DR_RING_FULL, b->n);
	else
		count(DR_RECORDS, 1);
	b->pos = REC_HDR;
	b->n = 0;
}

static __always_inline __u64 argn(struct bctx *c, __u32 k)
{
	switch (k) {
	case 0:
		return c->args[0];
	case 1:
		return c->args[1];
	case 2:
		return c->args[2];
	case 3:
		return c->args[3];
	case 4:
		return c->args[4];
	default:
		return c->args[5];
	}
}

// ---- flag translations to the portable encoding ----

static __always_inline __u32 open_flags(__u64 f)
{
	__u32 r = 0;
	switch (f & 3) {
	case 0:
		r = 1;
		break;
	case 1:
		r = 2;
		break;
	case 2:
		r = 3;
		break;
	}
	if (f & 0100)
		r |= 0x4;
	if (f & 02000)
		r |= 0x8;
	if (f & 010000)
		r |= 0x10;
	if (f & 0200)
		r |= 0x20;
	if (f & 04000)
		r |= 0x40;
	if (f & 04000000)
		r |= 0x80;
	if (f & 01000)
		r |= 0x100;
	if (f & 040000)
		r |= 0x200;
	if (f & 0200000)
		r |= 0x400;
	if (f & 0100000)
		r |= 0x800;
	if (f & 02000000)
		r |= 0x1000;
	if ((f & 020200000) == 020200000)
		r |= 0x2000;
	return r;
}

static __always_inline __u32 prot_flags(__u64 f)
{
	__u32 r = f & 0xf;
	if (f & 0x01000000)
		r |= 0x10;
	if (f & 0x02000000)
		r |= 0x20;
	return r;
}

static __always_inline __u32 mmap_flags(__u64 f)
{
	__u32 r = 0;
	if (f & 0x1)
		r |= 0x1;
	if (f & 0x2)
		r |= 0x2;
	if (f & 0x10)
		r |= 0x4;
	if (f & 0x20)
		r |= 0x8;
	if (f & 0x40)
		r |= 0x10;
	if (f & 0x4000)
		r |= 0x40;
	if (f & 0x8000)
		r |= 0x80;
	if (f & 0x10000)
		r |= 0x100;
	if (f & 0x100)
		r |= 0x200;
	if (f & 0x800)
		r |= 0x400;
	if (f & 0x1000)
		r |= 0x800;
	if (f & 0x2000)
		r |= 0x4000;
	return r;
}

static __always_inline __u32 clone_flags(__u64 f)
{
	__u32 r = 0;
	if (f & 0x400)
		r |= 0x1;
	if (f & 0x200)
		r |= 0x2;
	if (f & 0x80000000ULL)
		r |= 0x4;
	if (f & 0x08000000)
		r |= 0x8;
	if (f & 0x40000000)
		r |= 0x10;
	if (f & 0x20000)
		r |= 0x20;
	if (f & 0x20000000)
		r |= 0x40;
	if (f & 0x04000000)
		r |= 0x80;
	if (f & 0x8000)
		r |= 0x100;
	if (f & 0x100000)
		r |= 0x200;
	if (f & 0x2000)
		r |= 0x400;
	if (f & 0x800)
		r |= 0x800;
	if (f & 0x40000)
		r |= 0x1000;
	if (f & 0x10000)
		r |= 0x2000;
	if (f & 0x800000)
		r |= 0x4000;
	if (f & 0x100)
		r |= 0x8000;
	if (f & 0x10000000)
		r |= 0x100000;
	if (f & 0x200000)
		r |= 0x800000;
	if (f & 0x01000000)
		r |= 0x1000000;
	if (f & 0x80000)
		r |= 0x2000000;
	if (f & 0x4000)
		r |= 0x8000000;
	if (f & 0x02000000)
		r |= 0x10000000;
	return r;
}

static __always_inline __u32 fcntl_cmd(__u64 c)
{
	switch (c) {
	case 0:
		return 1;
	case 1:
		return 2;
	case 2:
		return 3;
	case 3:
		return 4;
	case 4:
		return 5;
	case 5:
		return 6;
	case 6:
		return 8;
	case 7:
		return 9;
	case 8:
		return 10;
	case 9:
		return 12;
	case 10:
		return 13;
	case 11:
		return 15;
	case 15:
		return 21;
	case 16:
		return 22;
	case 36:
		return 30;
	case 37:
		return 31;
	case 38:
		return 32;
	case 1024:
		return 23;
	case 1025:
		return 24;
	case 1026:
		return 27;
	case 1029:
		return 25;
	case 1030:
		return 26;
	case 1031:
		return 28;
	case 1032:
		return 29;
	}
	return 0;
}

static __always_inline __u32 poll_flags(__u64 f)
{
	__u32 r = f & 0x7;
	if (f & 0x2000)
		r |= 0x8;
	if (f & 0x8)
		r |= 0x10;
	if (f & 0x10)
		r |= 0x20;
	if (f & 0x20)
		r |= 0x40;
	if (f & 0x40)
		r |= 0x80;
	if (f & 0x80)
		r |= 0x100;
	if (f & 0x100)
		r |= 0x200;
	if (f & 0x200)
		r |= 0x400;
	return r;
}

static __always_inline __u64 convert(__u64 v, __u8 cv)
{
	switch (cv) {
	case CV_S32:
		return (__u64)(__s64)(__s32)v;
	case CV_OPEN_FLAGS:
		return open_flags(v);
	case CV_PROT:
		return prot_flags(v);
	case CV_MMAP_FLAGS:
		return mmap_flags(v);
	case CV_CLONE_FLAGS:
		return clone_flags(v);
	case CV_FCNTL:
		return fcntl_cmd(v);
	case CV_POLL:
		return poll_flags(v);
	case CV_ACCESS:
		// F_OK 0 -> 0, X_OK 1 -> 1... R_OK 4 -> 4: the portable bits match.
		return v & 7;
	case CV_EXECVEAT:
		return ((v & 0x1000) ? 1 : 0) | ((v & 0x100) ? 2 : 0);
	case CV_RESOLVE:
		return ((v & 1) ? 0x10 : 0) | ((v & 2) ? 4 : 0) | ((v & 4) ? 8 : 0) | ((v & 8) ? 1 : 0) | ((v & 0x10) ? 2 : 0) |
		       (v & 0x20);
	case CV_SOCKLEVEL:
		return v == 1 ? 1 : (v == 6 ? 2 : 0);
	case CV_MOUNT:
		if ((v & 0xffff0000ULL) == 0xc0ed0000ULL)
			v &= 0xffff;
		return v & 0xffffffffULL;
	}
	return v;
}

// ---- writers into the batch buffer ----

static __always_inline void put_len(struct batch *b, struct bctx *c, __u32 i, __u32 len)
{
	__u32 off = (b->ev + EV_HDR + 2 * i) & OFF_MASK;
	*(__u16 *)&b->data[off] = len;
}

static __always_inline void put_scalar(struct batch *b, struct bctx *c, __u64 v, __u8 w)
{
	__u32 off = b->cur & OFF_MASK;
	switch (w) {
	case 1:
		*(__u8 *)&b->data[off] = v;
		b->cur += 1;
		break;
	case 2:
		*(__u16 *)&b->data[off] = v;
		b->cur += 2;
		break;
	case 4:
		*(__u32 *)&b->data[off] = v;
		b->cur += 4;
		break;
	default:
		*(__u64 *)&b->data[off] = v;
		b->cur += 8;
		break;
	}
}

static __always_inline __u32 room(struct batch *b)
{
	__u32 end = b->ev + EV_MAX;
	if (b->cur >= end)
		return 0;
	return end - b->cur;
}

static __always_inline void put_ustr(struct batch *b, struct bctx *c, const void *p, __u32 max)
{
	__u32 off = b->cur & OFF_MASK;
	__u32 r = room(b);
	if (max > r)
		max = r;
	if (!p) {
		if (max >= 7) {
			__builtin_memcpy(&b->data[off], "(NULL)", 7);
			b->cur += 7;
		}
		return;
	}
	if (max == 0)
		return;
	BOUND(max, 0x3fff);
	BOUND(off, 0x7fff);
	long n = bpf_probe_read_user_str(&b->data[off], max, p);
	if (n <= 0) {
		b->data[off] = 0;
		n = 1;
		b->fault = 1;
	}
	b->cur += n & LEN_MASK;
}

static __always_inline void put_kstr(struct batch *b, struct bctx *c, const void *p, __u32 max)
{
	__u32 off = b->cur & OFF_MASK;
	__u32 r = room(b);
	if (max > r)
		max = r;
	if (max == 0)
		return;
	BOUND(max, 0x3fff);
	BOUND(off, 0x7fff);
	long n = bpf_probe_read_kernel_str(&b->data[off], max, p);
	if (n <= 0) {
		b->data[off] = 0;
		n = 1;
	}
	b->cur += n & LEN_MASK;
}

static __always_inline void put_ubuf(struct batch *b, struct bctx *c, const void *p, __u64 len)
{
	__u32 off = b->cur & OFF_MASK;
	__u32 r = room(b);
	if (len > r)
		len = r;
	if (len == 0 || !p)
		return;
	BOUND(len, 0x3fff);
	BOUND(off, 0x7fff);
	if (bpf_probe_read_user(&b->data[off], len, p)) {
		b->fault = 1;
		return;
	}
	b->cur += len & LEN_MASK;
}

// Iovec walks run as bpf_loop callbacks so the verifier checks their body
// once instead of once per unrolled iteration and caller path.
struct ivctx {
	__u64 iov;
	__u64 cnt;
	__u64 max;
	__u64 total;
	__u32 slot;
	__u32 fault;
	__u32 sum; // 1: only add up the lengths
	__u32 pad;
};

static long iov_cb(__u32 k, void *ctx)
{
	struct ivctx *x = ctx;
	struct iovec v;
	if (k >= x->cnt)
		return 1;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)(x->iov + 16 * (__u64)k))) {
		x->fault = 1;
		return 1;
	}
	if (x->sum) {
		x->total += v.iov_len;
		return 0;
	}
	if (x->max == 0)
		return 1;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b)
		return 1;
	__u64 l = v.iov_len;
	if (l > x->max)
		l = x->max;
	__u32 end = b->ev + EV_MAX;
	if (b->cur >= end)
		return 1;
	if (l > end - b->cur)
		l = end - b->cur;
	if (l == 0 || !v.iov_base)
		return 0;
	__u32 off = b->cur;
	BOUND(l, 0x3fff);
	BOUND(off, 0x7fff);
	if (bpf_probe_read_user(&b->data[off], l, v.iov_base)) {
		x->fault = 1;
		return 1;
	}
	b->cur += l;
	x->max -= l;
	return 0;
}

// put_iov gathers up to max bytes from a user iovec array.
static __always_inline void put_iov(struct batch *b, struct bctx *c, const struct iovec *iov, __u64 cnt, __u64 max)
{
	struct ivctx x = {};
	if (!iov)
		return;
	x.iov = (__u64)iov;
	x.cnt = cnt;
	x.max = max;
	x.slot = c->slot;
	bpf_loop(MAX_IOV, iov_cb, &x, 0);
	if (x.fault)
		b->fault = 1;
}

static __always_inline __u64 iov_size(const struct iovec *iov, __u64 cnt)
{
	struct ivctx x = {};
	if (!iov)
		return 0;
	x.iov = (__u64)iov;
	x.cnt = cnt;
	x.sum = 1;
	bpf_loop(64, iov_cb, &x, 0);
	return x.total;
}

static __always_inline struct file *fd_file(__s64 fd)
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

static __always_inline __u32 encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

static __always_inline struct sock *fd_sock(__s64 fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & 0170000) != 0140000)
		return NULL;
	struct socket *s = BPF_CORE_READ(f, private_data);
	if (!s)
		return NULL;
	return BPF_CORE_READ(s, sk);
}

// put_user_sockaddr writes a portable sockaddr (family byte + address) read
// from user memory; returns 0 when nothing was written.
static __always_inline int put_user_sockaddr(struct batch *b, struct bctx *c, const void *p, __u64 len, int with_port_first)
{
	__u16 fam = 0;
	__u32 off = b->cur & OFF_MASK;
	if (!p || len < 2 || room(b) < 40)
		return 0;
	if (bpf_probe_read_user(&fam, sizeof(fam), p))
		return 0;
	if (fam == 2) {
		struct sockaddr_in sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), p);
		b->data[off] = 2;
		*(__u32 *)&b->data[(off + 1) & OFF_MASK] = sin.sin_addr.s_addr;
		*(__u16 *)&b->data[(off + 5) & OFF_MASK] = __builtin_bswap16(sin.sin_port);
		b->cur += 7;
		return 1;
	}
	if (fam == 10) {
		struct sockaddr_in6 sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), p);
		b->data[off] = 10;
		__builtin_memcpy(&b->data[(off + 1) & OFF_MASK], &sin6.sin6_addr, 16);
		*(__u16 *)&b->data[(off + 17) & OFF_MASK] = __builtin_bswap16(sin6.sin6_port);
		b->cur += 19;
		return 1;
	}
	if (fam == 1) {
		char first = 0;
		b->data[off] = 1;
		b->cur += 1;
		bpf_probe_read_user(&first, 1, p + 2);
		if (first == 0 && len > 3) {
			b->data[(off + 1) & OFF_MASK] = '@';
			b->cur += 1;
			put_ustr(b, c, p + 3, len - 3 < 108 ? len - 3 + 1 : 108);
		} else {
			put_ustr(b, c, p + 2, 108);
		}
		return 1;
	}
	return 0;
}

static __always_inline int v4mapped(struct in6_addr *a)
{
	return a->in6_u.u6_addr32[0] == 0 && a->in6_u.u6_addr32[1] == 0 && a->in6_u.u6_addr32[2] == 0xffff0000;
}

// put_tuple writes the socket tuple of sk. dir: TUP_* bits.
static __always_inline void put_tuple(struct batch *b, struct bctx *c, struct sock *sk, __u8 dir)
{
	__u32 off = b->cur & OFF_MASK;
	if (!sk || room(b) < 160)
		return;
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	int in = dir & TUP_IN;
	if (fam == 2) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__u16 lp = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rp = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (ra == 0 && rp == 0 && (dir & (TUP_USER_ADDR | TUP_USER_ADDRP | TUP_MSG_NAME))) {
			struct sockaddr_in sin = {};
			const void *up = (const void *)c->args[4];
			if (dir & TUP_MSG_NAME) {
				struct user_msghdr m = {};
				up = NULL;
				if (!bpf_probe_read_user(&m, sizeof(m), (void *)c->args[1]))
					up = m.msg_name;
			}
			if (up && !bpf_probe_read_user(&sin, sizeof(sin), up) && sin.sin_family == 2) {
				ra = sin.sin_addr.s_addr;
				rp = __builtin_bswap16(sin.sin_port);
			}
		}
		b->data[off] = 2;
		*(__u32 *)&b->data[(off + 1) & OFF_MASK] = in ? ra : la;
		*(__u16 *)&b->data[(off + 5) & OFF_MASK] = in ? rp : lp;
		*(__u32 *)&b->data[(off + 7) & OFF_MASK] = in ? la : ra;
		*(__u16 *)&b->data[(off + 11) & OFF_MASK] = in ? lp : rp;
		b->cur += 13;
		return;
	}
	if (fam == 10) {
		struct in6_addr la = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		struct in6_addr ra = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
		__u16 lp = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rp = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		// A dual-stack socket talking IPv4 is shown as IPv4.
		if (v4mapped(&la) && (v4mapped(&ra) || (ra.in6_u.u6_addr32[0] | ra.in6_u.u6_addr32[1] |
							 ra.in6_u.u6_addr32[2] | ra.in6_u.u6_addr32[3]) == 0)) {
			__u32 l4 = la.in6_u.u6_addr32[3], r4 = ra.in6_u.u6_addr32[3];
			b->data[off] = 2;
			*(__u32 *)&b->data[(off + 1) & OFF_MASK] = in ? r4 : l4;
			*(__u16 *)&b->data[(off + 5) & OFF_MASK] = in ? rp : lp;
			*(__u32 *)&b->data[(off + 7) & OFF_MASK] = in ? l4 : r4;
			*(__u16 *)&b->data[(off + 11) & OFF_MASK] = in ? lp : rp;
			b->cur += 13;
			return;
		}
		b->data[off] = 10;
		__builtin_memcpy(&b->data[(off + 1) & OFF_MASK], in ? &ra : &la, 16);
		*(__u16 *)&b->data[(off + 17) & OFF_MASK] = in ? rp : lp;
		__builtin_memcpy(&b->data[(off + 19) & OFF_MASK], in ? &la : &ra, 16);
		*(__u16 *)&b->data[(off + 35) & OFF_MASK] = in ? lp : rp;
		b->cur += 37;
		return;
	}
	if (fam == 1) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		__u64 a = (__u64)sk, p = (__u64)peer;
		b->data[off] = 1;
		*(__u64 *)&b->data[(off + 1) & OFF_MASK] = in ? p : a;
		*(__u64 *)&b->data[(off + 9) & OFF_MASK] = in ? a : p;
		b->cur += 17;
		struct unix_address *ua = NULL;
		if (peer)
			ua = BPF_CORE_READ((struct unix_sock *)peer, addr);
		if (!ua)
			ua = BPF_CORE_READ(us, addr);
		if (ua) {
			char first = 0;
			const char *path = (const char *)&ua->name[0].sun_path[0];
			bpf_probe_read_kernel(&first, 1, path);
			__u32 o2 = b->cur & OFF_MASK;
			if (first == 0) {
				b->data[o2] = '@';
				b->cur += 1;
				put_kstr(b, c, path + 1, 108);
			} else {
				put_kstr(b, c, path, 109);
			}
		} else {
			b->data[(off + 17) & OFF_MASK] = 0;
			b->cur += 1;
		}
		return;
	}
}

struct fdctx {
	__u64 fds;
	__u64 nfds;
	__u32 slot;
	__u32 n;
	__u32 revents;
	__u32 pad;
};

static long fdlist_cb(__u32 k, void *ctx)
{
	struct fdctx *x = ctx;
	struct pollfd p;
	if (k >= x->nfds)
		return 1;
	if (bpf_probe_read_user(&p, sizeof(p), (void *)(x->fds + 8 * (__u64)k)))
		return 1;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b)
		return 1;
	__u32 o = b->cur & OFF_MASK;
	*(__s64 *)&b->data[o] = p.fd;
	*(__u16 *)&b->data[(o + 8) & OFF_MASK] = poll_flags(x->revents ? p.revents : p.events);
	b->cur += 10;
	x->n++;
	return 0;
}

static __always_inline void put_fdlist(struct batch *b, struct bctx *c, const struct pollfd *fds, __u64 nfds, int revents)
{
	__u32 off = b->cur & OFF_MASK;
	struct fdctx x = {};
	if (room(b) < 2 + 10 * 16)
		return;
	x.fds = (__u64)fds;
	x.nfds = fds ? nfds : 0;
	x.slot = c->slot;
	x.revents = revents;
	b->cur += 2;
	bpf_loop(16, fdlist_cb, &x, 0);
	*(__u16 *)&b->data[off] = x.n;
}

// ---- paths built by walking parents (cwd, cgroups) ----
//
// Names are gathered leaf first into a scratch area of the batch buffer
// beyond any event (SCRATCH), with their offsets and lengths in META; a
// second loop writes them root first into the parameter.
#define META 40704
#define SCRATCH 40960
#define MAX_DEPTH 32

struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct pwctx {
	__u64 node;
	__u64 mnt;
	__u32 slot;
	__u32 sp;
	__u32 n;
	__u32 kind; // 0 dentry + mount, 1 kernfs node
};

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

static long walk_cb(__u32 k, void *ctx)
{
	struct pwctx *x = ctx;
	const char *name;
	if (x->n >= MAX_DEPTH)
		return 1;
	if (x->kind == 0) {
		struct dentry *d = (void *)x->node;
		struct mount *m = (void *)x->mnt;
		if (!d || !m)
			return 1;
		struct dentry *mroot = BPF_CORE_READ(m, mnt.mnt_root);
		if (d == mroot) {
			struct mount *mp = BPF_CORE_READ(m, mnt_parent);
			if (!mp || mp == m)
				return 1;
			x->node = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
			x->mnt = (__u64)mp;
			return 0;
		}
		struct dentry *p = BPF_CORE_READ(d, d_parent);
		if (!p || p == d)
			return 1;
		name = (const char *)BPF_CORE_READ(d, d_name.name);
		x->node = (__u64)p;
	} else {
		struct kernfs_node *kn = (void *)x->node;
		if (!kn)
			return 1;
		struct kernfs_node *p = kn_parent(kn);
		if (!p)
			return 1;
		name = BPF_CORE_READ(kn, name);
		x->node = (__u64)p;
	}
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b)
		return 1;
	__u32 so = x->sp;
	BOUND(so, 0x3fff);
	long l = bpf_probe_read_kernel_str(&b->data[SCRATCH + so], 256, name);
	if (l <= 1)
		return 0;
	__u32 mo = x->n;
	BOUND(mo, 0x1f);
	*(__u16 *)&b->data[META + 4 * mo] = so;
	*(__u16 *)&b->data[META + 4 * mo + 2] = l - 1;
	x->sp += l;
	x->n++;
	if (x->sp > 0x3f00)
		return 1;
	return 0;
}

static long emit_cb(__u32 k, void *ctx)
{
	struct pwctx *x = ctx;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b || k >= x->n)
		return 1;
	__u32 mo = x->n - 1 - k;
	BOUND(mo, 0x1f);
	__u32 so = *(__u16 *)&b->data[META + 4 * mo];
	__u32 len = *(__u16 *)&b->data[META + 4 * mo + 2];
	if (room(b) < len + 2 + 64)
		return 1;
	__u32 off = b->cur;
	BOUND(off, 0x7fff);
	b->data[off] = '/';
	off += 1;
	BOUND(off, 0x7fff);
	BOUND(so, 0x3fff);
	BOUND(len, 0xff);
	bpf_probe_read_kernel(&b->data[off], len, &b->data[SCRATCH + so]);
	b->cur += 1 + len;
	return 0;
}

// put_path writes the path of a dentry (kind 0, with its mount) or kernfs
// node (kind 1), without the terminating NUL.
static __always_inline void put_path(struct batch *b, struct bctx *c, __u64 node, __u64 mnt, __u32 kind)
{
	struct pwctx x = {};
	x.node = node;
	x.mnt = mnt;
	x.slot = c->slot;
	x.kind = kind;
	bpf_loop(MAX_DEPTH + 8, walk_cb, &x, 0);
	if (x.n == 0) {
		__u32 off = b->cur & OFF_MASK;
		b->data[off] = '/';
		b->cur += 1;
		return;
	}
	bpf_loop(MAX_DEPTH, emit_cb, &x, 0);
}

static __always_inline void put_cwd(struct batch *b, struct bctx *c)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	if (!fs || room(b) < 256)
		return;
	struct vfsmount *vm = BPF_CORE_READ(fs, pwd.mnt);
	__u64 m = (__u64)vm - bpf_core_field_offset(struct mount, mnt);
	put_path(b, c, (__u64)BPF_CORE_READ(fs, pwd.dentry), m, 0);
	__u32 off = b->cur & OFF_MASK;
	b->data[off] = 0;
	b->cur += 1;
}

struct cgctx {
	__u32 slot;
	__u32 pad;
};

static long cgroup_cb(__u32 i, void *ctx)
{
	struct cgctx *g = ctx;
	__u32 slot = g->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b)
		return 1;
	if (i >= CGROUP_SUBSYS_COUNT || room(b) < 512)
		return 1;
	struct task_struct *t = bpf_get_current_task_btf();
	struct cgroup_subsys_state *css;
	__u32 k = i;
	BOUND(k, 0x1f);
	if (k >= CGROUP_SUBSYS_COUNT)
		return 1;
	css = BPF_CORE_READ(t, cgroups, subsys[k]);
	if (!css)
		return 0;
	const char *name = BPF_CORE_READ(css, ss, name);
	__u32 off = b->cur & OFF_MASK;
	long l = bpf_probe_read_kernel_str(&b->data[off], 32, name);
	if (l <= 1)
		return 0;
	b->cur += l - 1;
	off = b->cur & OFF_MASK;
	b->data[off] = '=';
	b->cur += 1;
	struct bctx c = {};
	c.slot = slot;
	put_path(b, &c, (__u64)BPF_CORE_READ(css, cgroup, kn), 0, 1);
	off = b->cur & OFF_MASK;
	b->data[off] = 0;
	b->cur += 1;
	return 0;
}

static __always_inline void put_cgroups(struct batch *b, struct bctx *c)
{
	struct cgctx g = {.slot = c->slot};
	bpf_loop(CGROUP_SUBSYS_COUNT, cgroup_cb, &g, 0);
}

static __always_inline __u64 vnr(struct pid *p)
{
	unsigned int level;
	struct upid u = {};
	if (!p)
		return 0;
	level = BPF_CORE_READ(p, level);
	bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[level & 0x1f]);
	return u.nr;
}

static __always_inline __u64 mm_counter(struct mm_struct *mm, int i)
{
	__s64 v = BPF_CORE_READ(mm, rss_stat[i & 3].count);
	return v < 0 ? 0 : v;
}

static __always_inline void put_proc(struct batch *b, struct bctx *c, __u8 field, __u8 w)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__u64 v = 0;
	switch (field) {
	case PROC_EXE: {
		__u32 start = b->cur;
		if (mm) {
			put_ustr(b, c, (void *)BPF_CORE_READ(mm, arg_start), STR_MAX);
		}
		if (b->cur == start) {
			put_kstr(b, c, t->comm, 16);
		}
		b->exe_len = b->cur - start;
		return;
	}
	case PROC_ARGS:
	case PROC_ENV: {
		if (!mm)
			return;
		__u64 s, e;
		if (field == PROC_ARGS) {
			s = BPF_CORE_READ(mm, arg_start) + b->exe_len;
			e = BPF_CORE_READ(mm, arg_end);
		} else {
			s = BPF_CORE_READ(mm, env_start);
			e = BPF_CORE_READ(mm, env_end);
		}
		if (e <= s)
			return;
		__u64 len = e - s;
		if (len > STR_MAX)
			len = STR_MAX;
		put_ubuf(b, c, (void *)s, len);
		return;
	}
	case PROC_COMM:
		put_kstr(b, c, t->comm, 16);
		return;
	case PROC_CGROUPS:
		put_cgroups(b, c);
		return;
	case PROC_TID:
		v = t->pid;
		break;
	case PROC_PID:
		v = t->tgid;
		break;
	case PROC_PTID:
		v = BPF_CORE_READ(t, real_parent, pid);
		break;
	case PROC_FDLIMIT:
		v = BPF_CORE_READ(t, signal, rlim[7].rlim_cur);
		break;
	case PROC_PGFT_MAJ:
		v = t->maj_flt;
		break;
	case PROC_PGFT_MIN:
		v = t->min_flt;
		break;
	case PROC_VM_SIZE:
		if (mm)
			v = BPF_CORE_READ(mm, total_vm) << 2;
		break;
	case PROC_VM_RSS:
		if (mm)
			v = (mm_counter(mm, 0) + mm_counter(mm, 1) + mm_counter(mm, 3)) << 2;
		break;
	case PROC_VM_SWAP:
		if (mm)
			v = mm_counter(mm, 2) << 2;
		break;
	case PROC_TTY: {
		struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
		if (tty) {
			__u32 major = BPF_CORE_READ(tty, driver, major);
			__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
			v = encode_dev((major << 20) | minor);
		}
		break;
	}
	case PROC_PGID:
		v = vnr(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]));
		break;
	case PROC_LOGINUID:
		v = BPF_CORE_READ(t, loginuid.val);
		break;
	case PROC_EXEC_FLAGS: {
		// EXE_WRITABLE: the executable could be written by this user.
		struct inode *ino = NULL;
		if (mm)
			ino = BPF_CORE_READ(mm, exe_file, f_inode);
		if (ino) {
			umode_t mode = BPF_CORE_READ(ino, i_mode);
			__u32 euid = BPF_CORE_READ(t, cred, euid.val), egid = BPF_CORE_READ(t, cred, egid.val);
			if (euid == 0 || (BPF_CORE_READ(ino, i_uid.val) == euid && (mode & 0200)) ||
			    (BPF_CORE_READ(ino, i_gid.val) == egid && (mode & 020)) || (mode & 02))
				v = 1;
		}
		break;
	}
	case PROC_CLONE_FLAGS:
		if (c->nr == 56)
			v = clone_flags(c->args[0]);
		else if (c->nr == 435) {
			__u64 f = 0;
			bpf_probe_read_user(&f, sizeof(f), (void *)c->args[0]);
			v = clone_flags(f);
		} else if (c->nr == 58)
			v = clone_flags(0x4000 | 0x100);
		break;
	case PROC_UID:
		v = BPF_CORE_READ(t, cred, euid.val);
		break;
	case PROC_GID:
		v = BPF_CORE_READ(t, cred, egid.val);
		break;
	case PROC_VTID:
		v = vnr(BPF_CORE_READ(t, thread_pid));
		break;
	case PROC_VPID:
		v = vnr(BPF_CORE_READ(t, group_leader, thread_pid));
		break;
	}
	put_scalar(b, c, v, w);
}

// put_simple encodes the parameters that need no memory reads and reports
// whether p was one of them.
// String vectors (execve's argv) and pointer counts (its envp) are walked
// in bpf_loop callbacks, one pointer per call.
struct svctx {
	__u64 arr;
	__u64 n;
	__u32 slot;
	__u32 fault;
};

static long strv_cb(__u32 k, void *ctx)
{
	struct svctx *x = ctx;
	__u64 p = 0;
	if (bpf_probe_read_user(&p, sizeof(p), (void *)(x->arr + 8 * (__u64)k))) {
		x->fault = 1;
		return 1;
	}
	if (!p)
		return 1;
	x->n++;
	if (x->slot == (__u32)-1)
		return 0;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b)
		return 1;
	__u32 end = b->ev + EV_MAX;
	if (b->cur + 64 >= end)
		return 1;
	__u32 max = end - b->cur;
	if (max > snaplen)
		max = snaplen;
	__u32 off = b->cur;
	BOUND(max, 0x3fff);
	BOUND(off, 0x7fff);
	long n = bpf_probe_read_user_str(&b->data[off], max, (void *)p);
	if (n <= 0) {
		x->fault = 1;
		return 1;
	}
	b->cur += n & LEN_MASK;
	return 0;
}

static __always_inline void put_strv(struct batch *b, struct bctx *c, __u64 arr)
{
	struct svctx x = {};
	if (!arr)
		return;
	x.arr = arr;
	x.slot = c->slot;
	bpf_loop(64, strv_cb, &x, 0);
	if (x.fault)
		b->fault = 1;
}

static __always_inline __u64 ptr_count(__u64 arr)
{
	struct svctx x = {};
	if (!arr)
		return 0;
	x.arr = arr;
	x.slot = (__u32)-1;
	bpf_loop(4096, strv_cb, &x, 0);
	return x.n;
}

static __always_inline int put_simple(struct batch *b, struct bctx *c, struct pdesc p)
{
	__u64 v = 0;
	switch (p.src) {
	case SRC_ARG:
		v = convert(argn(c, p.arg), p.conv);
		break;
	case SRC_RET:
		v = convert(c->ret, p.conv);
		break;
	case SRC_CONST:
		v = p.arg;
		break;
	case SRC_SC_CODE:
		v = c->code;
		break;
	case SRC_NATIVE_ID:
		v = c->nr;
		break;
	case SRC_EXIT:
		switch (p.conv) {
		case EXIT_STATUS:
			v = c->ret;
			break;
		case EXIT_RET:
			v = (c->ret >> 8) & 0xff;
			break;
		case EXIT_SIG:
			v = c->ret & 0x7f;
			break;
		case EXIT_CORE:
			v = (c->ret & 0x80) ? 1 : 0;
			break;
		}
		break;
	default:
		return 0;
	}
	put_scalar(b, c, v, p.width);
	return 1;
}

// put_raw encodes the user memory sources of raw syscall records.
static __always_inline void put_raw(struct batch *b, struct bctx *c, struct pdesc p)
{
	switch (p.src) {
	case SRC_USTR:
		put_ustr(b, c, (void *)argn(c, p.arg), STR_MAX);
		break;
	case SRC_UMEM:
		put_ubuf(b, c, (void *)argn(c, p.arg), p.conv + 256 * (__u32)p.width);
		break;
	case SRC_UMEM_ALEN: {
		__u64 n = argn(c, p.conv) * (p.width ? p.width : 1);
		__u64 cap = p.width > 1 ? 512 : snaplen;
		put_ubuf(b, c, (void *)argn(c, p.arg), n < cap ? n : cap);
		break;
	}
	case SRC_UMEM_PLEN: {
		__u32 n = 0;
		void *lp = (void *)argn(c, p.conv);
		if (lp && !bpf_probe_read_user(&n, sizeof(n), lp))
			put_ubuf(b, c, (void *)argn(c, p.arg), n < 128 ? n : 128);
		break;
	}
	case SRC_UMEM_RLEN: {
		__u64 cap = p.conv ? p.conv * 64 : snaplen;
		if (c->ret > 0)
			put_ubuf(b, c, (void *)argn(c, p.arg), (__u64)c->ret < cap ? (__u64)c->ret : cap);
		break;
	}
	case SRC_STRV:
		put_strv(b, c, argn(c, p.arg));
		break;
	case SRC_PTR_COUNT:
		put_scalar(b, c, ptr_count(argn(c, p.arg)), 8);
		break;
	case SRC_UMEM_SP:
		put_ubuf(b, c, (void *)(c->sp + 8 * (__u64)p.arg), p.conv + 256 * (__u32)p.width);
		break;
	default:
		break;
	}
}

// param_body encodes parameter i of the event in c. With simple 1, only
// the parameters put_simple handles are encoded (others are left empty):
// programs whose events need no more verify in a fraction of the time.
// With simple 2, only those and the user memory of raw records (put_raw).
static __always_inline long param_body(__u32 i, struct bctx *c, int simple)
{
	__u32 slot = c->slot, key = c->desc;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	struct edesc *d = bpf_map_lookup_elem(&descs, &key);
	__u32 k = i;
	if (!b || !d)
		return 1;
	if (k >= MAX_PARAMS)
		return 1;
	asm volatile("%0 &= 31" : "+r"(k));
	struct pdesc p = d->p[k];
	__u32 start = b->cur;
	if (room(b) < 64) {
		b->trunc = 1;
		put_len(b, c, i, 0);
		return 0;
	}
	if (put_simple(b, c, p) || simple == 1) {
		put_len(b, c, i, b->cur - start);
		return 0;
	}
	if (simple == 2) {
		put_raw(b, c, p);
		put_len(b, c, i, b->cur - start);
		return 0;
	}
	switch (p.src) {
	case SRC_USTR:
		put_ustr(b, c, (void *)argn(c, p.arg), STR_MAX);
		break;
	case SRC_UBUF:
		if (c->ret > 0)
			put_ubuf(b, c, (void *)argn(c, p.arg), c->ret < snaplen ? c->ret : snaplen);
		break;
	case SRC_IOV:
		if (c->ret > 0)
			put_iov(b, c, (void *)argn(c, p.arg), argn(c, p.arg + 1), c->ret < snaplen ? c->ret : snaplen);
		break;
	case SRC_IOV_SIZE:
		put_scalar(b, c, iov_size((void *)argn(c, p.arg), argn(c, p.arg + 1)), p.width);
		break;
	case SRC_MSG_IOV:
	case SRC_MSG_SIZE: {
		struct user_msghdr m = {};
		if (bpf_probe_read_user(&m, sizeof(m), (void *)argn(c, p.arg))) {
			if (p.src == SRC_MSG_SIZE)
				put_scalar(b, c, 0, p.width);
			break;
		}
		if (p.src == SRC_MSG_SIZE)
			put_scalar(b, c, iov_size(m.msg_iov, m.msg_iovlen), p.width);
		else if (c->ret > 0)
			put_iov(b, c, m.msg_iov, m.msg_iovlen, c->ret < snaplen ? c->ret : snaplen);
		break;
	}
	case SRC_SOCKADDR:
		put_user_sockaddr(b, c, (void *)argn(c, p.arg), argn(c, p.arg + 1), 0);
		break;
	case SRC_TUPLE:
		put_tuple(b, c, fd_sock((__s32)argn(c, p.arg)), p.conv);
		break;
	case SRC_TUPLE_RET:
		if (c->ret >= 0)
			put_tuple(b, c, fd_sock(c->ret), p.conv);
		break;
	case SRC_UINT_AT: {
		__s32 v = -1;
		if (c->ret >= 0)
			bpf_probe_read_user(&v, sizeof(v), (void *)(argn(c, p.arg) + 4 * (p.conv & 1)));
		put_scalar(b, c, (__s64)v, p.width);
		break;
	}
	case SRC_PIPE_INO: {
		__s32 fd = -1;
		__u64 ino = 0;
		if (c->ret >= 0 && !bpf_probe_read_user(&fd, sizeof(fd), (void *)argn(c, p.arg))) {
			struct file *f = fd_file(fd);
			if (f)
				ino = BPF_CORE_READ(f, f_inode, i_ino);
		}
		put_scalar(b, c, ino, p.width);
		break;
	}
	case SRC_SOCK_ADDR: {
		__s32 fd = -1;
		__u64 a = 0;
		if (c->ret >= 0 && !bpf_probe_read_user(&fd, sizeof(fd), (void *)(argn(c, p.arg) + 4 * (p.conv & 1))))
			a = (__u64)fd_sock(fd);
		put_scalar(b, c, a, p.width);
		break;
	}
	case SRC_FD_DEV: {
		__u32 dev = 0;
		if (c->ret >= 0) {
			struct file *f = fd_file(c->ret);
			if (f)
				dev = encode_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev));
		}
		put_scalar(b, c, dev, p.width);
		break;
	}
	case SRC_FDLIST:
		put_fdlist(b, c, (void *)argn(c, p.arg), argn(c, p.arg + 1), p.conv);
		break;
	case SRC_TIMESPEC: {
		struct __kernel_timespec ts = {};
		__u64 ns = 0;
		void *up = (void *)argn(c, p.arg);
		if (up && !bpf_probe_read_user(&ts, sizeof(ts), up))
			ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		put_scalar(b, c, ns, p.width);
		break;
	}
	case SRC_PROC:
		put_proc(b, c, p.conv, p.width);
		break;
	case SRC_DYN_ARG: {
		__u32 off = b->cur & OFF_MASK;
		b->data[off] = p.conv;
		b->cur += 1;
		put_scalar(b, c, argn(c, p.arg), 8);
		break;
	}
	case SRC_OPEN_MODE: {
		__u64 flags = argn(c, p.conv);
		__u64 mode = 0;
		if ((flags & 0100) || (flags & 020200000) == 020200000)
			mode = argn(c, p.arg);
		put_scalar(b, c, mode, p.width);
		break;
	}
	case SRC_U64_AT: {
		__u64 v = 0;
		void *up = (void *)argn(c, p.arg & 7);
		if (up)
			bpf_probe_read_user(&v, sizeof(v), up + 8 * ((p.arg >> 4) & 7));
		put_scalar(b, c, convert(v, p.conv), p.width);
		break;
	}
	case SRC_CWD:
		put_cwd(b, c);
		break;
	case SRC_BACKLOG: {
		__u64 v = 0;
		struct sock *sk = fd_sock((__s32)argn(c, p.arg));
		if (sk) {
			__u32 len = BPF_CORE_READ(sk, sk_ack_backlog);
			__u32 lim = BPF_CORE_READ(sk, sk_max_ack_backlog);
			if (p.conv == 1)
				v = len;
			else if (p.conv == 2)
				v = lim;
			else if (lim)
				v = (__u64)len * 100 / lim;
		}
		put_scalar(b, c, v, p.width);
		break;
	}
	default:
		break;
	}
	put_len(b, c, i, b->cur - start);
	return 0;
}

static long param_cb(__u32 i, void *ctx)
{
	return param_body(i, ctx, 0);
}

static long param_cb_simple(__u32 i, void *ctx)
{
	return param_body(i, ctx, 1);
}

static long param_cb_raw(__u32 i, void *ctx)
{
	return param_body(i, ctx, 2);
}

// emit_as encodes the event in c into this CPU's batch; simple selects
// param_cb_simple (see param_body).
static __always_inline void emit_as(struct bctx *c, int simple)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 type = c->type;
	if (!c->desc)
		c->desc = type;
	__u32 key = c->desc;
	struct edesc *d = bpf_map_lookup_elem(&descs, &key);
	if (!d) {
		count(DR_NO_DESC, 1);
		return;
	}
	__u32 n = d->nparams;
	if (n > MAX_PARAMS)
		return;
	__u32 slot = cpu;
	int single = 0;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b)
		return;
	if (b->busy) {
		slot = cpu + ncpus;
		b = bpf_map_lookup_elem(&batches, &slot);
		if (!b || b->busy) {
			count(DR_BUSY, 1);
			return;
		}
		single = 1;
	}
	b->busy = 1;
	asm volatile("" ::: "memory");
	__u64 ts = bpf_ktime_get_boot_ns() + epoch_offset;
	if (single) {
		b->pos = REC_HDR;
		b->n = 0;
	} else {
		if (b->pos > FLUSH_AT)
			flush(b, cpu, REC_BATCH, ts - 1);
		if (b->pos < REC_HDR)
			b->pos = REC_HDR;
	}
	c->slot = slot;
	b->ev = b->pos;
	b->cur = b->ev + EV_HDR + 2 * n;
	b->trunc = 0;
	b->fault = 0;
	b->exe_len = 0;
	if (simple == 1)
		bpf_loop(n, param_cb_simple, c, 0);
	else if (simple == 2)
		bpf_loop(n, param_cb_raw, c, 0);
	else
		bpf_loop(n, param_cb, c, 0);
	__u32 off = b->ev & OFF_MASK;
	*(__u64 *)&b->data[off] = ts;
	*(__u64 *)&b->data[off + 8] = (__u32)bpf_get_current_pid_tgid();
	*(__u32 *)&b->data[off + 16] = b->cur - b->ev;
	*(__u16 *)&b->data[off + 20] = type;
	*(__u32 *)&b->data[off + 22] = n;
	b->pos = b->cur;
	b->n++;
	if (b->trunc)
		count(DR_TRUNCATED, 1);
	if (b->fault)
		count(DR_FAULT, 1);
	if (single) {
		flush(b, cpu, REC_SINGLE, ts);
	} else if (b->n == 1) {
		b->first_ts = ts;
	} else if (ts - b->first_ts > max_age_ns) {
		flush(b, cpu, REC_BATCH, ts);
	}
	asm volatile("" ::: "memory");
	b->busy = 0;
}

static __always_inline void emit(struct bctx *c)
{
	emit_as(c, 0);
}

// emit_simple is emit for events whose parameters are all simple (process
// exit, signal delivery: a test checks their descriptors).
static __always_inline void emit_simple(struct bctx *c)
{
	emit_as(c, 1);
}

static __always_inline void load_args(struct bctx *c, struct pt_regs *regs)
{
	c->args[0] = regs->di;
	c->args[1] = regs->si;
	c->args[2] = regs->dx;
	c->args[3] = regs->r10;
	c->args[4] = regs->r8;
	c->args[5] = regs->r9;
	c->sp = regs->sp;
}

// syscall_event records one syscall enter (exit == 0) or exit event;
// raw selects the encoder of raw records (on_sys_*_raw).
static __always_inline int syscall_event(struct pt_regs *regs, long id, long ret, int exit, int raw)
{
	if (!want_task())
		return 0;
	if (id < 0 || id >= NR_SYSCALLS)
		return 0;
	__u32 nr = id;
	struct route *r = bpf_map_lookup_elem(&routes, &nr);
	if (!r || !r->keep || !want_route(r))
		return 0;
	if (exit && nr == 15 && !r->dexit)
		return 0; // see on_sys_exit
	struct bctx c = {};
	load_args(&c, regs);
	c.nr = nr;
	c.code = r->code;
	if (exit) {
		c.ret = ret;
		c.type = r->exit;
		c.desc = r->dexit;
	} else {
		c.type = r->enter;
		c.desc = r->denter;
	}
	emit_as(&c, raw ? 2 : 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	return syscall_event(regs, id, 0, 0, 0);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	return syscall_event(regs, regs->orig_ax, ret, 1, 0);
}

// The raw-record handlers (ferret trace) encode only scalars and user
// memory, so they verify faster than the full ones.
SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter_raw, struct pt_regs *regs, long id)
{
	return syscall_event(regs, id, 0, 0, 1);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit_raw, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax;
	// rt_sigreturn restores the interrupted registers, orig_ax = -1
	// included: only its raw record reports the exit (as number 15)
	if (id == -1)
		id = 15;
	return syscall_event(regs, id, ret, 1, 1);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_process_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid;
	if (want_task() && keep_procexit && (keep_state || want_proc())) {
		struct bctx c = {};
		c.ret = p->exit_code;
		c.type = FE_PROCEXIT;
		emit_simple(&c);
	}
	if (filter_pids && p->pid == tgid)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_process_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!follow_children || !filter_pids)
		return 0;
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	if (ptgid == ctgid)
		return 0;
	if (bpf_map_lookup_elem(&traced, &ptgid)) {
		__u8 one = 1;
		bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY);
	}
	return 0;
}

// signal_deliver runs in the receiving thread: spid is the sender (for
// signals sent by a process), dpid the receiver.
// original_fatal finds the siginfo of the fatal signal sig that the
// kernel turned into a group SIGKILL: it is still queued, on the process's
// shared queue or the thread's own.
static __always_inline struct kernel_siginfo *original_fatal(struct task_struct *t, int sig)
{
	struct list_head *heads[2] = {&t->signal->shared_pending.list, &t->pending.list};
	for (int h = 0; h < 2; h++) {
		struct list_head *head = heads[h];
		struct list_head *pos = BPF_CORE_READ(head, next);
		for (int k = 0; k < 4; k++) {
			if (!pos || pos == head)
				break;
			struct sigqueue *q = container_of(pos, struct sigqueue, list);
			if (BPF_CORE_READ(q, info.si_signo) == sig)
				return &q->info;
			pos = BPF_CORE_READ(pos, next);
		}
	}
	return 0;
}

// signal_deliver runs in the receiving thread: spid is the sender (for
// signals sent by a process), dpid the receiver. Trailing parameters carry
// si_code and the first 32 bytes of the siginfo's union (args[4], args[5],
// ret and the low half of the last word in nr). A fatal signal the kernel
// turned into a group SIGKILL is reported as itself.
SEC("tp_btf/signal_deliver")
int BPF_PROG(on_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	if (!keep_signal || !want())
		return 0;
	struct bctx c = {};
	struct task_struct *t = bpf_get_current_task_btf();
	int signo = sig;
	int code = info ? BPF_CORE_READ(info, si_code) : 0x80;
	if (signo == 9 && code == 0x80) {
		// a group exit: the kernel's own SIGKILL, or a fatal signal
		// turned into one (group_exit_code names it)
		int orig = BPF_CORE_READ(t, signal, group_exit_code);
		if (orig > 0 && orig < 65 && orig != 9) {
			signo = orig;
			info = original_fatal(t, orig);
			code = info ? BPF_CORE_READ(info, si_code) : 0x80;
		}
	}
	c.args[0] = 0;
	c.args[3] = code;
	if (info) {
		// SI_USER (0), SI_TKILL (-6) and SI_QUEUE (-1) carry a sender pid.
		if (code == 0 || code == -6 || code == -1)
			c.args[0] = BPF_CORE_READ(info, _sifields._kill._pid);
		__u64 w[4] = {};
		bpf_probe_read_kernel(w, sizeof(w), &info->_sifields);
		c.args[4] = w[0];
		c.args[5] = w[1];
		c.ret = w[2];
		c.nr = w[3];
	}
	c.args[1] = bpf_get_current_pid_tgid() & 0xffffffff;
	c.args[2] = signo;
	c.type = FE_SIGNALDELIVER;
	emit_simple(&c);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (!want())
		return 0;
	struct bctx c = {};
	c.ret = next->pid;
	c.type = FE_SWITCH;
	emit(&c);
	return 0;
}

// flush_cpu is run by user space on one CPU (BPF_PROG_TEST_RUN with a CPU
// number) to flush that CPU's partial batch. It returns 1 when a writer on
// that CPU was interrupted and the batch could not be touched.
SEC("raw_tp/sys_enter")
int flush_cpu(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct batch *b = bpf_map_lookup_elem(&batches, &cpu);
	if (!b)
		return 2;
	if (b->busy)
		return 1;
	b->busy = 1;
	asm volatile("" ::: "memory");
	flush(b, cpu, REC_BATCH, bpf_ktime_get_boot_ns() + epoch_offset);
	asm volatile("" ::: "memory");
	b->busy = 0;
	return 0;
}
