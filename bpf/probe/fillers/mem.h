// SPDX-License-Identifier: GPL-2.0-only
// Part of the live probe, included by probe.bpf.c after its maps, buffers and
// build state: writers into the batch buffer: scalars, lengths, user and
// kernel strings, user buffers and iovec arrays.
#ifndef FERRET_FILLERS_MEM_H
#define FERRET_FILLERS_MEM_H

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
__noinline int put_iov(struct batch *b, struct bctx *c, __u64 iov, __u64 cnt, __u64 max)
{
	struct ivctx x = {};
	if (!b || !c || !iov)
		return 0;
	x.iov = (__u64)iov;
	x.cnt = cnt;
	x.max = max;
	x.slot = c->slot;
	bpf_loop(MAX_IOV, iov_cb, &x, 0);
	if (x.fault)
		b->fault = 1;
	return 0;
}

__noinline __u64 iov_size(__u64 iov, __u64 cnt)
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

#endif
