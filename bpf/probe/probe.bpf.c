// SPDX-License-Identifier: GPL-2.0-only
//go:build ignore

// ferret's live probe. System call enter and exit, process exit, fork (to
// follow children) and, optionally, context switches are encoded directly
// in ferret's v2 event wire format. What fills each parameter of each event
// type is not hard-coded here: the loader writes one descriptor per event
// type into the `descs` map and a generic encoder interprets it (param_body
// below); the encoders of each family of parameter sources are in
// fillers/*.h: flag conversions, buffer writers, descriptors and sockets,
// paths, task fields and the user memory of raw records.
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
#define FE_PROCINFO 234

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
	// Name count and scratch use of the path being walked (put_path):
	// here rather than in the walk's own state on the stack, so the
	// verifier checks the walk's callbacks with unknown counts instead of
	// once for each count.
	__u32 walk_n;
	__u32 walk_sp;
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
	__u32 tid;  // task the event is about when not the current one (0)
	__u64 sp;   // user stack pointer
	__u64 ts;   // boot time the event is stamped with (0: when it is encoded)
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
	__uint(max_entries, SIGNAL_STACK_DESC + 1);
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

// Cgroup ids created after the capture started (above cgroup_start_max)
// that user space decided not to keep; such cgroups are kept until then.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_rejected SEC(".maps");

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
// Highest v2 cgroup id when the capture started (0: none given). Cgroups
// made later (a container starting) are kept from their first event until
// user space, having seen which container they are, keeps (cgroup_ids) or
// rejects (cgroup_rejected) them, so no event of a matching container
// started after the capture is lost while user space catches up.
volatile const __u64 cgroup_start_max = 0;
// With a comm or cgroup filter, still keep every process's state-changing
// syscalls (and exits), so fd and process tables stay complete.
volatile const __u32 keep_state = 0;
volatile const __u64 max_age_ns = 5000000;
// signal deliveries carry the user stack (ferret trace -k): descriptor
// SIGNAL_STACK_DESC, encoded as raw records with stacks are
volatile const __u32 stack_signals = 0;
// Least time between two procinfo events of a thread (on_procinfo).
volatile const __u64 procinfo_ns = 1000000000;

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
	int rejected = bpf_map_lookup_elem(&cgroup_rejected, &id) != 0;
	for (int level = 1; level < 16 && !keep; level++) {
		__u64 a = bpf_get_current_ancestor_cgroup_id(level);
		if (!a)
			break; // deeper than the task's own cgroup
		keep = bpf_map_lookup_elem(&cgroup_ids, &a) != 0;
		rejected = rejected || bpf_map_lookup_elem(&cgroup_rejected, &a) != 0;
	}
	if (!keep && cgroup_start_max && id > cgroup_start_max && !rejected)
		keep = 1; // a new cgroup user space has not decided on yet
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

// arg_at is argn for the global functions, whose c is not on the stack:
// one bounded load instead of a branch per argument (each a path for the
// verifier).
static __always_inline __u64 arg_at(struct bctx *c, __u32 k)
{
	if (k > 5)
		k = 5;
	BOUND(k, 7);
	return c->args[k];
}

#if defined(__TARGET_ARCH_arm64)
// arm64's registers at a syscall, by the names CO-RE relocates against the
// running kernel's struct pt_regs (vmlinux.h describes x86-64's). x0 holds
// the return value at exit; orig_x0 keeps the first argument.
struct pt_regs___ferret_arm64 {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 orig_x0;
	__s32 syscallno;
} __attribute__((preserve_access_index));
#endif

#include "fillers/convert.h"
#include "fillers/mem.h"
#include "fillers/fd.h"
#include "fillers/path.h"
#include "fillers/proc.h"
#include "fillers/raw.h"

// put_simple encodes the parameters that need no memory reads and reports
// whether p was one of them.
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

// put_lean is put_simple for the events of emit_simple and raw records:
// arguments and the return value are converted by CV_S32 at most, so the
// flag translations (convert) are not part of those programs, which
// verify in a fraction of the time. It reports whether p was one of them.
static __always_inline int put_lean(struct batch *b, struct bctx *c, struct pdesc p)
{
	__u64 v = 0;
	switch (p.src) {
	case SRC_ARG:
		v = argn(c, p.arg);
		break;
	case SRC_RET:
		v = c->ret;
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
		if (p.conv == EXIT_RET)
			v = (c->ret >> 8) & 0xff;
		else if (p.conv == EXIT_SIG)
			v = c->ret & 0x7f;
		else if (p.conv == EXIT_CORE)
			v = (c->ret & 0x80) ? 1 : 0;
		else
			v = c->ret;
		put_scalar(b, c, v, p.width);
		return 1;
	default:
		return 0;
	}
	if (p.conv == CV_S32)
		v = (__u64)(__s64)(__s32)v;
	put_scalar(b, c, v, p.width);
	return 1;
}

int put_param(struct batch *b, struct bctx *c, __u32 pd);

// param_body encodes parameter i of the event in c. With simple 1, only
// the parameters put_lean handles are encoded (others are left empty):
// programs whose events need no more verify in a fraction of the time.
// With simple 2, only those and the user memory of raw records (put_raw);
// 3 adds the stacks and loaded objects of -k.
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
	if (simple) {
		__u32 pd = p.src | p.arg << 8 | p.conv << 16 | p.width << 24;
		if (put_lean(b, c, p) || simple == 1)
			;
		else if (simple == 2)
			put_raw(b, c, pd);
		else
			put_raw_stack(b, c, pd);
		put_len(b, c, i, b->cur - start);
		return 0;
	}
	// scalars inline (most parameters: no call), the rest in put_param
	if (!put_simple(b, c, p))
		put_param(b, c, p.src | p.arg << 8 | p.conv << 16 | p.width << 24);
	put_len(b, c, i, b->cur - start);
	return 0;
}

// put_param encodes one parameter of any source, described by pd (a
// struct pdesc as src | arg << 8 | conv << 16 | width << 24). It is a
// global function: the verifier checks it once, on its own, instead of
// on every path of its callers.
__noinline int put_param(struct batch *b, struct bctx *c, __u32 pd)
{
	struct pdesc p = {.src = pd, .arg = pd >> 8, .conv = pd >> 16, .width = pd >> 24};
	if (!b || !c)
		return 0;
	switch (p.src) {
	case SRC_USTR:
		put_ustr(b, c, (void *)arg_at(c, p.arg), STR_MAX);
		break;
	case SRC_UBUF:
		if (c->ret > 0)
			put_ubuf(b, c, (void *)arg_at(c, p.arg), c->ret < snaplen ? c->ret : snaplen);
		break;
	case SRC_IOV:
		if (c->ret > 0)
			put_iov(b, c, arg_at(c, p.arg), arg_at(c, p.arg + 1), c->ret < snaplen ? c->ret : snaplen);
		break;
	case SRC_IOV_SIZE:
		put_scalar(b, c, iov_size(arg_at(c, p.arg), arg_at(c, p.arg + 1)), p.width);
		break;
	case SRC_MSG_IOV:
	case SRC_MSG_SIZE: {
		struct user_msghdr m = {};
		if (bpf_probe_read_user(&m, sizeof(m), (void *)arg_at(c, p.arg))) {
			if (p.src == SRC_MSG_SIZE)
				put_scalar(b, c, 0, p.width);
			break;
		}
		if (p.src == SRC_MSG_SIZE)
			put_scalar(b, c, iov_size((__u64)m.msg_iov, m.msg_iovlen), p.width);
		else if (c->ret > 0)
			put_iov(b, c, (__u64)m.msg_iov, m.msg_iovlen, c->ret < snaplen ? c->ret : snaplen);
		break;
	}
	case SRC_SOCKADDR:
		put_user_sockaddr(b, c, arg_at(c, p.arg), arg_at(c, p.arg + 1));
		break;
	case SRC_TUPLE:
		put_tuple(b, c, (__u64)fd_sock((__s32)arg_at(c, p.arg)), p.conv);
		break;
	case SRC_TUPLE_RET:
		if (c->ret >= 0)
			put_tuple(b, c, (__u64)fd_sock(c->ret), p.conv);
		break;
	case SRC_UINT_AT: {
		__s32 v = -1;
		if (c->ret >= 0)
			bpf_probe_read_user(&v, sizeof(v), (void *)(arg_at(c, p.arg) + 4 * (p.conv & 1)));
		put_scalar(b, c, (__s64)v, p.width);
		break;
	}
	case SRC_PIPE_INO: {
		__s32 fd = -1;
		__u64 ino = 0;
		if (c->ret >= 0 && !bpf_probe_read_user(&fd, sizeof(fd), (void *)arg_at(c, p.arg))) {
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
		if (c->ret >= 0 && !bpf_probe_read_user(&fd, sizeof(fd), (void *)(arg_at(c, p.arg) + 4 * (p.conv & 1))))
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
		put_fdlist(b, c, arg_at(c, p.arg), arg_at(c, p.arg + 1), p.conv);
		break;
	case SRC_TIMESPEC: {
		struct __kernel_timespec ts = {};
		__u64 ns = 0;
		void *up = (void *)arg_at(c, p.arg);
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
		put_scalar(b, c, arg_at(c, p.arg), 8);
		break;
	}
	case SRC_OPEN_MODE: {
		__u64 flags = arg_at(c, p.conv);
		__u64 mode = 0;
		if ((flags & 0100) || (flags & 020200000) == 020200000)
			mode = arg_at(c, p.arg);
		put_scalar(b, c, mode, p.width);
		break;
	}
	case SRC_U64_AT: {
		__u64 v = 0;
		void *up = (void *)arg_at(c, p.arg & 7);
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
		struct sock *sk = fd_sock((__s32)arg_at(c, p.arg));
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

static long param_cb_stack(__u32 i, void *ctx)
{
	return param_body(i, ctx, 3);
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
	__u64 ts = (c->ts ? c->ts : bpf_ktime_get_boot_ns()) + epoch_offset;
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
	else if (simple == 3)
		bpf_loop(n, param_cb_stack, c, 0);
	else
		bpf_loop(n, param_cb, c, 0);
	__u32 off = b->ev & OFF_MASK;
	*(__u64 *)&b->data[off] = ts;
	*(__u64 *)&b->data[off + 8] = c->tid ? c->tid : (__u32)bpf_get_current_pid_tgid();
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
// exit, signal delivery: a test checks their descriptors), converted by
// CV_S32 at most (put_lean).
static __always_inline void emit_simple(struct bctx *c)
{
	emit_as(c, 1);
}

#if defined(__TARGET_ARCH_arm64)

#define NR_RT_SIGRETURN 139

static __always_inline void load_args(struct bctx *c, struct pt_regs *p)
{
	struct pt_regs___ferret_arm64 *regs = (void *)p;
	c->args[0] = regs->orig_x0;
	c->args[1] = regs->regs[1];
	c->args[2] = regs->regs[2];
	c->args[3] = regs->regs[3];
	c->args[4] = regs->regs[4];
	c->args[5] = regs->regs[5];
	c->sp = regs->sp;
}

// exit_nr is the number of the syscall a sys_exit event ends.
static __always_inline long exit_nr(struct pt_regs *p)
{
	return ((struct pt_regs___ferret_arm64 *)p)->syscallno;
}
#else
#define NR_RT_SIGRETURN 15

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

static __always_inline long exit_nr(struct pt_regs *regs)
{
	return regs->orig_ax;
}
#endif

// syscall_event records one syscall enter (exit == 0) or exit event;
// raw selects the encoder of raw records (1: on_sys_*_raw; 2: with the
// stacks of -k, on_sys_*_stack).
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
	if (exit && nr == NR_RT_SIGRETURN && !r->dexit)
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
	emit_as(&c, raw ? 1 + raw : 0);
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
	return syscall_event(regs, exit_nr(regs), ret, 1, 0);
}

// The raw-record handlers (ferret trace) encode only scalars and user
// memory, so they verify faster than the full ones.
SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter_raw, struct pt_regs *regs, long id)
{
	return syscall_event(regs, id, 0, 0, 1);
}

// killed_unseen reports whether the current task returns from its call with
// SIGKILL pending that is not a fatal signal the kernel turned into one (a
// kill -9, another thread's exit_group or execve): a tracer stopping the
// task with ptrace never sees such a return, and ferret trace prints the call
// unfinished as strace does. A signal the kernel made fatal for the whole
// group (a default-action SIGTERM, whose number is the group's exit code)
// stops a ptraced task on its return, so that one is seen.
static __always_inline int killed_unseen(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (!(t->pending.signal.sig[0] & (1UL << (9 - 1))))
		return 0;
	int sig = t->signal->group_exit_code & 0x7f;
	return sig == 0 || sig == 9;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit_raw, struct pt_regs *regs, long ret)
{
	if (killed_unseen())
		return 0;
	long id = exit_nr(regs);
	// rt_sigreturn restores the interrupted registers, the syscall number
	// (orig_ax, syscallno) = -1 included: only its raw record reports the
	// exit (as rt_sigreturn's number)
	if (id == -1)
		id = NR_RT_SIGRETURN;
	return syscall_event(regs, id, ret, 1, 1);
}

// The raw-record handlers of ferret trace -k: also the user stacks and
// loaded objects (SRC_USTACK, SRC_LINKMAP), whose code would lengthen the
// verification of the handlers without them.
SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter_stack, struct pt_regs *regs, long id)
{
	return syscall_event(regs, id, 0, 0, 2);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit_stack, struct pt_regs *regs, long ret)
{
	if (killed_unseen())
		return 0;
	long id = exit_nr(regs);
	if (id == -1)
		id = NR_RT_SIGRETURN; // as on_sys_exit_raw
	return syscall_event(regs, id, ret, 1, 2);
}

// signal_generate runs in the sender. For a signal the receiver ignores
// (its disposition is SIG_IGN, or the default one ignores it, as SIGCHLD's
// does) the kernel drops it here and signal_deliver never runs: it is
// reported as a delivery to the receiving thread, with the same parameters
// (strace, whose tracees see even ignored signals, prints them). info may
// be SEND_SIG_NOINFO (0: from the current task) or SEND_SIG_PRIV (1: from
// the kernel).
SEC("tp_btf/signal_generate")
int BPF_PROG(on_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task, int group,
	     int result)
{
	if (!keep_signal || result != 1) // TRACE_SIGNAL_IGNORED
		return 0;
	__u32 tgid = task->tgid;
	if (tgid == self_tgid || (filter_pids && !bpf_map_lookup_elem(&traced, &tgid)))
		return 0;
	struct bctx c = {};
	__u64 cur = bpf_get_current_pid_tgid();
	if ((unsigned long)info > 1) {
		int code = BPF_CORE_READ(info, si_code);
		c.args[3] = code;
		if (code == 0 || code == -6 || code == -1)
			c.args[0] = BPF_CORE_READ(info, _sifields._kill._pid);
		__u64 w[4] = {};
		bpf_probe_read_kernel(w, sizeof(w), &info->_sifields);
		c.args[4] = w[0];
		c.args[5] = w[1];
		c.ret = w[2];
		c.nr = w[3];
	} else if (!info) {
		// SI_USER from the current task: its pid and uid
		c.args[0] = cur >> 32;
		c.args[4] = (cur >> 32) | (bpf_get_current_uid_gid() & 0xffffffff) << 32;
	} else {
		c.args[3] = 0x80; // SI_KERNEL
	}
	c.args[1] = task->pid;
	c.args[2] = sig;
	c.tid = task->pid;
	c.type = FE_SIGNALDELIVER;
	emit_simple(&c);
	return 0;
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
	// The process is traced until its last thread exits (signal->live
	// reaches 0 before the tracepoint): a main thread may exit first.
	if (filter_pids && BPF_CORE_READ(p, signal, live.counter) == 0)
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
	if (stack_signals) {
		c.desc = SIGNAL_STACK_DESC;
		emit_as(&c, 3);
	} else {
		emit_simple(&c);
	}
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

// CPU time of a thread as last reported by on_procinfo, in USER_HZ ticks,
// and when.
struct cputime {
	__u64 ts;
	__u64 user;
	__u64 sys;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cputime);
} cputimes SEC(".maps");

#define NS_PER_TICK 10000000ULL // USER_HZ 100

// on_procinfo reports the CPU time of the thread leaving a CPU as a
// procinfo event (user and system time, in USER_HZ ticks, since the thread
// started), at most once every procinfo_ns per thread: sysdig's driver
// sends the same events for the threads that ran, from which thread.cpu
// is computed. The total is the scheduler's exact run time; it is split
// between user and system time in the proportion of the tick-sampled
// utime and stime (as /proc/PID/stat does), and neither part ever goes
// back. At sched_switch the current task is still prev.
SEC("tp_btf/sched_switch")
int BPF_PROG(on_procinfo, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (!prev->pid || !want())
		return 0;
	struct cputime *ct = bpf_task_storage_get(&cputimes, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ct)
		return 0;
	__u64 now = bpf_ktime_get_boot_ns();
	if (ct->ts && now - ct->ts < procinfo_ns)
		return 0;
	ct->ts = now;
	__u64 total = prev->se.sum_exec_runtime / NS_PER_TICK;
	__u64 ut = prev->utime / 1000000, st = prev->stime / 1000000; // ms
	__u64 sys = 0;
	if (ut + st)
		sys = total * st / (ut + st);
	if (sys < ct->sys)
		sys = ct->sys;
	__u64 user = total > sys ? total - sys : 0;
	if (user < ct->user)
		user = ct->user;
	ct->user = user;
	ct->sys = sys;
	struct bctx c = {};
	c.args[0] = user;
	c.args[1] = sys;
	c.type = FE_PROCINFO;
	// stamped with the time the rate limit compared, so that two events
	// are as far apart as procinfo_ns asks
	c.ts = now;
	emit_simple(&c);
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
