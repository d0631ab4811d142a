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

#endif
