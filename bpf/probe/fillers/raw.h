// SPDX-License-Identifier: GPL-2.0-only
// Part of the live probe, included by probe.bpf.c after its maps, buffers and
// build state: user memory of the raw syscall records of ferret trace: string
// vectors, pointer counts and sized copies.
#ifndef FERRET_FILLERS_RAW_H
#define FERRET_FILLERS_RAW_H

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

// put_strv encodes the strings of a string vector, each NUL-terminated and
// at most snaplen bytes, until the vector's NULL, RAW_STRV_MAX strings or
// the end of the record's room.
#define RAW_STRV_MAX 4096
static __always_inline void put_strv(struct batch *b, struct bctx *c, __u64 arr)
{
	struct svctx x = {};
	if (!arr)
		return;
	x.arr = arr;
	x.slot = c->slot;
	bpf_loop(RAW_STRV_MAX, strv_cb, &x, 0);
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

// Iovec arrays of raw records (readv, writev, msghdr's msg_iov): each
// element as read (iov_base, iov_len), the u32 number of bytes copied from
// it (RAW_IOV_FAULT when they could not be read) and those bytes, at most
// snaplen per element and, when bounded, no more than the call
// transferred in all. At most RAW_IOV_MAX elements.
#define RAW_IOV_MAX 64
#define RAW_IOV_FAULT 0xffffffff
struct rictx {
	__u64 iov;
	__u64 cnt;
	__u64 left; // bytes the call transferred still to share out
	__u32 slot;
	__u32 bounded;
};

static long raw_iov_cb(__u32 k, void *ctx)
{
	struct rictx *x = ctx;
	struct iovec v;
	if (k >= x->cnt)
		return 1;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b)
		return 1;
	__u32 end = b->ev + EV_MAX;
	if (b->cur + 64 >= end)
		return 1;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)(x->iov + 16 * (__u64)k)))
		return 1;
	__u32 off = b->cur & OFF_MASK;
	*(__u64 *)&b->data[off] = (__u64)v.iov_base;
	off = (b->cur + 8) & OFF_MASK;
	*(__u64 *)&b->data[off] = v.iov_len;
	b->cur += 16;
	__u64 l = v.iov_len;
	if (x->bounded) {
		if (l > x->left)
			l = x->left;
		x->left -= l;
	}
	if (l > snaplen)
		l = snaplen;
	if (l > end - b->cur - 4)
		l = end - b->cur - 4;
	__u32 lo = b->cur & OFF_MASK;
	b->cur += 4;
	__u32 n = 0;
	if (l > 0 && v.iov_base) {
		off = b->cur;
		BOUND(l, 0x3fff);
		BOUND(off, 0x7fff);
		if (bpf_probe_read_user(&b->data[off], l, v.iov_base))
			n = RAW_IOV_FAULT;
		else
			n = l;
	}
	*(__u32 *)&b->data[lo] = n;
	if (n != RAW_IOV_FAULT)
		b->cur += n & LEN_MASK;
	return 0;
}

// put_raw_iov_at is a global function: its loop is verified once for
// every caller.
__noinline int put_raw_iov_at(__u32 slot, long ret, __u64 iov, __u64 cnt, int bounded)
{
	struct rictx x = {};
	if (!iov)
		return 0;
	x.iov = iov;
	x.cnt = cnt;
	x.slot = slot;
	x.bounded = bounded;
	x.left = ret > 0 ? ret : 0;
	bpf_loop(RAW_IOV_MAX, raw_iov_cb, &x, 0);
	return 0;
}

static __always_inline void put_raw_iov(struct batch *b, struct bctx *c, __u64 iov, __u64 cnt, int bounded)
{
	put_raw_iov_at(c->slot, c->ret, iov, cnt, bounded);
}

// put_raw_msg encodes a user msghdr: its 56 bytes, then msg_name and
// msg_control (each a u32 length and at most 128 and 1024 bytes); the
// elements of msg_iov follow, as put_raw_iov encodes them (the caller's:
// it returns 1 when they do). With width 2 only the 56 bytes. Nothing
// when the msghdr cannot be read; a length of RAW_IOV_FAULT for a name
// or control data that cannot.
static __always_inline int put_raw_msg(struct batch *b, struct bctx *c, __u64 p, int width, __u64 *iov, __u64 *cnt)
{
	struct user_msghdr m = {};
	if (!p || bpf_probe_read_user(&m, sizeof(m), (void *)p))
		return 0;
	__u32 off = b->cur & OFF_MASK;
	if (room(b) < sizeof(m) + 8)
		return 0;
	__builtin_memcpy(&b->data[off], &m, sizeof(m));
	b->cur += sizeof(m);
	if (width & 2)
		return 0;
	__u64 parts[2][2] = {{(__u64)m.msg_name, m.msg_namelen < 128 ? m.msg_namelen : 128},
			     {(__u64)m.msg_control, m.msg_controllen < 1024 ? m.msg_controllen : 1024}};
	for (int i = 0; i < 2; i++) {
		__u32 lo = b->cur & OFF_MASK;
		__u32 n = 0;
		__u64 l = parts[i][1];
		b->cur += 4;
		if (l > room(b))
			l = room(b);
		if (l > 0 && parts[i][0]) {
			off = b->cur;
			BOUND(l, 0x7ff);
			BOUND(off, 0x7fff);
			if (bpf_probe_read_user(&b->data[off], l, (void *)parts[i][0]))
				n = RAW_IOV_FAULT;
			else
				n = l;
		}
		*(__u32 *)&b->data[lo] = n;
		if (n != RAW_IOV_FAULT)
			b->cur += n & LEN_MASK;
	}
	*iov = (__u64)m.msg_iov;
	*cnt = m.msg_iovlen;
	return 1;
}

// put_raw_msgv encodes the user msghdr at p and its iovec array (the data
// bounded by ret with width 1); with width 2 only the msghdr's 56 bytes.
// It returns 0 when the msghdr cannot be read. A global function, verified
// once for its two callers.
__noinline int put_raw_msgv(struct batch *b, __u32 slot, long ret, __u64 p, int width)
{
	__u64 iov = 0, cnt = 0;
	if (!b)
		return 0;
	if (!put_raw_msg(b, 0, p, width, &iov, &cnt))
		return width & 2;
	put_raw_iov_at(slot, ret, iov, cnt, width & 1);
	return 1;
}

// mmsghdr arrays (sendmmsg, recvmmsg): the first elements of the array,
// while below the call's vlen and at most max, each as a u32 length of
// what follows, the element's u32 msg_len and its msghdr as put_raw_msg
// encodes it with its iovec array. The walk stops at an element that
// cannot be read or that the record has no room for.
struct rmctx {
	__u64 arr;
	__u64 n;
	long ret;
	__u32 slot;
	__u32 width;
};

static long raw_mmsg_cb(__u32 k, void *ctx)
{
	struct rmctx *x = ctx;
	if (k >= x->n)
		return 1;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b || room(b) < 128)
		return 1;
	__u64 p = x->arr + 64 * (__u64)k;
	__u32 msg_len = 0;
	if (bpf_probe_read_user(&msg_len, sizeof(msg_len), (void *)(p + 56)))
		return 1;
	__u32 lo = b->cur & OFF_MASK;
	__u32 start = b->cur;
	b->cur += 4;
	__u32 off = b->cur & OFF_MASK;
	*(__u32 *)&b->data[off] = msg_len;
	b->cur += 4;
	if (!put_raw_msgv(b, x->slot, x->ret, p, x->width & 1)) {
		b->cur = start;
		return 1;
	}
	*(__u32 *)&b->data[lo] = b->cur - start - 4;
	return 0;
}

static __always_inline void put_raw_mmsg(struct bctx *c, __u64 arr, __u64 vlen, __u64 max, int width)
{
	struct rmctx x = {};
	if (!arr)
		return;
	x.arr = arr;
	x.n = vlen < max ? vlen : max;
	x.ret = c->ret;
	x.slot = c->slot;
	x.width = width;
	bpf_loop(255, raw_mmsg_cb, &x, 0);
}

// User stacks (ferret trace -k): the user registers of the task in DWARF
// register order (x86-64: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip;
// arm64: x0-x30 sp pc), RAW_REGS u64 in all, then the stack from the stack
// pointer up, one page at a time for as long as pages can be read (the
// top of the stack ends a window), at most the size asked and the room
// left in the event. User space unwinds it with the binaries' CFI.
#if defined(__TARGET_ARCH_arm64)
#define RAW_REGS 33
#else
#define RAW_REGS 17
#endif

struct usctx {
	__u64 addr;
	__u64 left;
	__u32 slot;
};

static long ustack_cb(__u32 k, void *ctx)
{
	struct usctx *x = ctx;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b || x->left == 0)
		return 1;
	__u64 n = 4096 - (x->addr & 4095);
	if (n > x->left)
		n = x->left;
	__u32 r = room(b);
	if (n > r)
		n = r;
	if (n == 0)
		return 1;
	__u32 off = b->cur;
	BOUND(n, 0x1fff);
	BOUND(off, 0x7fff);
	if (bpf_probe_read_user(&b->data[off], n, (void *)x->addr))
		return 1;
	b->cur += n & LEN_MASK;
	x->addr += n;
	x->left -= n;
	return 0;
}

static __always_inline void put_ustack(struct batch *b, struct bctx *c, __u32 max)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 v[RAW_REGS];
	__u64 sp;
	if (room(b) < sizeof(v))
		return;
#if defined(__TARGET_ARCH_arm64)
	struct pt_regs___ferret_arm64 *p = (void *)regs;
	for (int i = 0; i < 31; i++)
		v[i] = BPF_CORE_READ(p, regs[i]);
	v[31] = BPF_CORE_READ(p, sp);
	v[32] = BPF_CORE_READ(p, pc);
	sp = v[31];
#else
	v[0] = regs->ax;
	v[1] = regs->dx;
	v[2] = regs->cx;
	v[3] = regs->bx;
	v[4] = regs->si;
	v[5] = regs->di;
	v[6] = regs->bp;
	v[7] = regs->sp;
	v[8] = regs->r8;
	v[9] = regs->r9;
	v[10] = regs->r10;
	v[11] = regs->r11;
	v[12] = regs->r12;
	v[13] = regs->r13;
	v[14] = regs->r14;
	v[15] = regs->r15;
	v[16] = regs->ip;
	sp = v[7];
#endif
	__u32 off = b->cur & OFF_MASK;
	__builtin_memcpy(&b->data[off], v, sizeof(v));
	b->cur += sizeof(v);
	struct usctx x = {.addr = sp, .left = max, .slot = c->slot};
	bpf_loop(8, ustack_cb, &x, 0);
}

// Loaded objects (ferret trace -k, at execve and exit_group, for the
// stacks of processes gone before user space read their maps): the
// executable's load bias (u64) and path (NUL-terminated), then each entry
// of the dynamic linker's list (r_debug.r_map, found through the
// executable's DT_DEBUG): l_addr (u64) and l_name (NUL-terminated), at
// most LM_MAX. The auxiliary vector gives the program headers (AT_PHDR,
// AT_PHNUM); a static executable has no list.
#define LM_MAX 64
#define AT_PHDR 3
#define AT_PHNUM 5
#define PT_DYNAMIC 2
#define PT_PHDR 6
#define DT_DEBUG 21

struct lmctx {
	__u64 mm;
	__u64 addr; // auxv: phdr; phdrs: dynamic; dynamic: r_debug; list: entry
	__u64 n;
	__u64 bias;
	__u64 phdr;
	__u32 slot;
	__u32 found;
};

static long auxv_cb(__u32 k, void *ctx)
{
	struct lmctx *x = ctx;
	__u64 kv[2];
	struct mm_struct *mm = (void *)x->mm;
	if (bpf_probe_read_kernel(kv, sizeof(kv), (void *)mm + bpf_core_field_offset(struct mm_struct, saved_auxv) + 16 * (__u64)k))
		return 1;
	if (kv[0] == 0)
		return 1;
	if (kv[0] == AT_PHDR)
		x->phdr = kv[1];
	if (kv[0] == AT_PHNUM)
		x->n = kv[1];
	return 0;
}

static long phdr_cb(__u32 k, void *ctx)
{
	struct lmctx *x = ctx;
	__u64 ph[3]; // p_type, p_flags; p_offset; p_vaddr
	if (k >= x->n)
		return 1;
	if (bpf_probe_read_user(ph, sizeof(ph), (void *)(x->phdr + 56 * (__u64)k)))
		return 1;
	if ((__u32)ph[0] == PT_PHDR)
		x->bias = x->phdr - ph[2];
	if ((__u32)ph[0] == PT_DYNAMIC) {
		x->addr = ph[2];
		x->found = 1;
	}
	return 0;
}

static long dyn_cb(__u32 k, void *ctx)
{
	struct lmctx *x = ctx;
	__u64 d[2];
	if (bpf_probe_read_user(d, sizeof(d), (void *)(x->addr + 16 * (__u64)k)))
		return 1;
	if (d[0] == 0)
		return 1;
	if (d[0] == DT_DEBUG) {
		x->n = d[1];
		return 1;
	}
	return 0;
}

static long lm_cb(__u32 k, void *ctx)
{
	struct lmctx *x = ctx;
	__u64 e[4]; // l_addr, l_name, l_ld, l_next
	if (!x->addr || bpf_probe_read_user(e, sizeof(e), (void *)x->addr))
		return 1;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b || room(b) < 8 + 256 + 64)
		return 1;
	__u32 off = b->cur & OFF_MASK;
	*(__u64 *)&b->data[off] = e[0];
	b->cur += 8;
	off = b->cur;
	BOUND(off, 0x7fff);
	long n = 0;
	if (e[1])
		n = bpf_probe_read_user_str(&b->data[off], 256, (void *)e[1]);
	if (n <= 0) {
		b->data[off] = 0;
		n = 1;
	}
	b->cur += n & 0x1ff;
	x->addr = e[3];
	return 0;
}

static __always_inline void put_linkmap(struct batch *b, struct bctx *c)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = t->mm;
	struct lmctx x = {};
	if (!mm || room(b) < 8 + 512)
		return;
	x.mm = (__u64)mm;
	x.slot = c->slot;
	bpf_loop(28, auxv_cb, &x, 0);
	if (x.phdr && x.n)
		bpf_loop(32, phdr_cb, &x, 0);
	__u32 off = b->cur & OFF_MASK;
	*(__u64 *)&b->data[off] = x.bias;
	b->cur += 8;
	struct file *f = BPF_CORE_READ(mm, exe_file);
	if (f) {
		struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
		__u64 m = (__u64)vm - bpf_core_field_offset(struct mount, mnt);
		put_path(b, c, (__u64)BPF_CORE_READ(f, f_path.dentry), m, 0);
	}
	off = b->cur & OFF_MASK;
	b->data[off] = 0;
	b->cur += 1;
	if (!x.found)
		return;
	x.addr += x.bias;
	x.n = 0;
	bpf_loop(64, dyn_cb, &x, 0);
	if (!x.n)
		return;
	__u64 r_map = 0;
	if (bpf_probe_read_user(&r_map, sizeof(r_map), (void *)(x.n + 8)))
		return;
	x.addr = r_map;
	bpf_loop(LM_MAX, lm_cb, &x, 0);
}

// put_raw encodes the user memory sources of raw syscall records
// described by pd (a struct pdesc as src | arg << 8 | conv << 16 |
// width << 24). The sized copies share one put_ubuf and the iovec walks
// one put_raw_iov: each inlined copy is verified again. It is a global
// function, verified once on its own.
__noinline int put_raw(struct batch *b, struct bctx *c, __u32 pd)
{
	struct pdesc p = {.src = pd, .arg = pd >> 8, .conv = pd >> 16, .width = pd >> 24};
	__u64 src = 0, n = 0, iov = 0, cnt = 0;
	int iovs = 0;
	if (!b || !c)
		return 0;
	switch (p.src) {
	case SRC_USTR:
		put_ustr(b, c, (void *)arg_at(c, p.arg), STR_MAX);
		return 0;
	case SRC_UMEM:
		src = arg_at(c, p.arg);
		n = p.conv + 256 * (__u32)p.width;
		break;
	case SRC_UMEM_ALEN: {
		__u64 cap = p.width > 1 ? 2048 : snaplen;
		src = arg_at(c, p.arg);
		n = arg_at(c, p.conv) * (p.width ? p.width : 1);
		if (n > cap)
			n = cap;
		break;
	}
	case SRC_UMEM_PLEN: {
		__u32 l = 0;
		void *lp = (void *)arg_at(c, p.conv);
		if (lp && !bpf_probe_read_user(&l, sizeof(l), lp)) {
			src = arg_at(c, p.arg);
			n = l < 128 ? l : 128;
		}
		break;
	}
	case SRC_UMEM_RLEN: {
		__u64 cap = p.conv ? p.conv * 64 : snaplen;
		if (c->ret > 0) {
			src = arg_at(c, p.arg);
			n = (__u64)c->ret < cap ? (__u64)c->ret : cap;
		}
		break;
	}
	case SRC_UMEM_SP:
		src = c->sp + 8 * (__u64)p.arg;
		n = p.conv + 256 * (__u32)p.width;
		break;
	case SRC_STRV:
		put_strv(b, c, arg_at(c, p.arg));
		return 0;
	case SRC_PTR_COUNT:
		put_scalar(b, c, ptr_count(arg_at(c, p.arg)), 8);
		return 0;
	case SRC_UMEM_IOV:
		iov = arg_at(c, p.arg);
		cnt = arg_at(c, p.conv);
		iovs = 1;
		break;
	case SRC_UMEM_MSG:
		// width 4: the first conv elements of sendmmsg's and recvmmsg's
		// mmsghdr array, while below their vlen (argument 2)
		if (p.width & 4) {
			put_raw_mmsg(c, arg_at(c, p.arg), (__u32)arg_at(c, 2), p.conv, p.width);
			return 0;
		}
		// element conv of the mmsghdr array (64 bytes each), while below
		// vlen
		if (p.conv && p.conv >= arg_at(c, 2))
			return 0;
		put_raw_msgv(b, c->slot, c->ret, arg_at(c, p.arg) + 64 * (__u64)p.conv, p.width);
		return 0;
	default:
		return 0;
	}
	if (iovs)
		put_raw_iov(b, c, iov, cnt, p.width & 1);
	else if (n)
		put_ubuf(b, c, (void *)src, n);
	return 0;
}

// put_raw_stack is put_raw with the stacks and loaded objects of -k,
// which only the handlers of -k verify.
__noinline int put_raw_stack(struct batch *b, struct bctx *c, __u32 pd)
{
	if (!b || !c)
		return 0;
	switch (pd & 0xff) {
	case SRC_LINKMAP:
		put_linkmap(b, c);
		return 0;
	case SRC_USTACK:
		put_ustack(b, c, (pd >> 16 & 0xff) + 256 * (pd >> 24));
		return 0;
	}
	return put_raw(b, c, pd);
}

#endif
