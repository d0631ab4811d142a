// SPDX-License-Identifier: GPL-2.0-only
// Part of the live probe, included by probe.bpf.c after its maps, buffers and
// build state: files and sockets behind descriptors: device numbers, user
// sockaddrs, socket tuples, pollfd lists.
#ifndef FERRET_FILLERS_FD_H
#define FERRET_FILLERS_FD_H

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
__noinline int put_user_sockaddr(struct batch *b, struct bctx *c, __u64 up, __u64 len)
{
	const void *p = (const void *)up;
	__u16 fam = 0;
	if (!b || !c)
		return 0;
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
__noinline int put_tuple(struct batch *b, struct bctx *c, __u64 skp, __u32 dir)
{
	struct sock *sk = (struct sock *)skp;
	if (!b || !c)
		return 0;
	__u32 off = b->cur & OFF_MASK;
	if (!sk || room(b) < 160)
		return 0;
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
		return 0;
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
			return 0;
		}
		b->data[off] = 10;
		__builtin_memcpy(&b->data[(off + 1) & OFF_MASK], in ? &ra : &la, 16);
		*(__u16 *)&b->data[(off + 17) & OFF_MASK] = in ? rp : lp;
		__builtin_memcpy(&b->data[(off + 19) & OFF_MASK], in ? &la : &ra, 16);
		*(__u16 *)&b->data[(off + 35) & OFF_MASK] = in ? lp : rp;
		b->cur += 37;
		return 0;
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
		return 0;
	}
	return 0;
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

__noinline int put_fdlist(struct batch *b, struct bctx *c, __u64 fds, __u64 nfds, int revents)
{
	struct fdctx x = {};
	if (!b || !c)
		return 0;
	__u32 off = b->cur & OFF_MASK;
	if (room(b) < 2 + 10 * 16)
		return 0;
	x.fds = (__u64)fds;
	x.nfds = fds ? nfds : 0;
	x.slot = c->slot;
	x.revents = revents;
	b->cur += 2;
	bpf_loop(16, fdlist_cb, &x, 0);
	*(__u16 *)&b->data[off] = x.n;
	return 0;
}

#endif
