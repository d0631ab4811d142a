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

static __always_inline void put_raw_iov(struct batch *b, struct bctx *c, __u64 iov, __u64 cnt, int bounded)
{
	struct rictx x = {};
	if (!iov)
		return;
	x.iov = iov;
	x.cnt = cnt;
	x.slot = c->slot;
	x.bounded = bounded;
	x.left = c->ret > 0 ? c->ret : 0;
	bpf_loop(RAW_IOV_MAX, raw_iov_cb, &x, 0);
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

// put_raw encodes the user memory sources of raw syscall records. The
// sized copies share one put_ubuf and the iovec walks one put_raw_iov:
// each inlined copy is verified again.
static __always_inline void put_raw(struct batch *b, struct bctx *c, struct pdesc p)
{
	__u64 src = 0, n = 0, iov = 0, cnt = 0;
	int iovs = 0;
	switch (p.src) {
	case SRC_USTR:
		put_ustr(b, c, (void *)argn(c, p.arg), STR_MAX);
		return;
	case SRC_UMEM:
		src = argn(c, p.arg);
		n = p.conv + 256 * (__u32)p.width;
		break;
	case SRC_UMEM_ALEN: {
		__u64 cap = p.width > 1 ? 512 : snaplen;
		src = argn(c, p.arg);
		n = argn(c, p.conv) * (p.width ? p.width : 1);
		if (n > cap)
			n = cap;
		break;
	}
	case SRC_UMEM_PLEN: {
		__u32 l = 0;
		void *lp = (void *)argn(c, p.conv);
		if (lp && !bpf_probe_read_user(&l, sizeof(l), lp)) {
			src = argn(c, p.arg);
			n = l < 128 ? l : 128;
		}
		break;
	}
	case SRC_UMEM_RLEN: {
		__u64 cap = p.conv ? p.conv * 64 : snaplen;
		if (c->ret > 0) {
			src = argn(c, p.arg);
			n = (__u64)c->ret < cap ? (__u64)c->ret : cap;
		}
		break;
	}
	case SRC_UMEM_SP:
		src = c->sp + 8 * (__u64)p.arg;
		n = p.conv + 256 * (__u32)p.width;
		break;
	case SRC_STRV:
		put_strv(b, c, argn(c, p.arg));
		return;
	case SRC_PTR_COUNT:
		put_scalar(b, c, ptr_count(argn(c, p.arg)), 8);
		return;
	case SRC_UMEM_IOV:
		iov = argn(c, p.arg);
		cnt = argn(c, p.conv);
		iovs = 1;
		break;
	case SRC_UMEM_MSG:
		iovs = put_raw_msg(b, c, argn(c, p.arg), p.width, &iov, &cnt);
		break;
	default:
		return;
	}
	if (iovs)
		put_raw_iov(b, c, iov, cnt, p.width & 1);
	else if (n)
		put_ubuf(b, c, (void *)src, n);
}

#endif
