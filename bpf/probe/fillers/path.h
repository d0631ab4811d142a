// SPDX-License-Identifier: GPL-2.0-only
// Part of the live probe, included by probe.bpf.c after its maps, buffers and
// build state: paths built by walking parents: the working directory and the
// cgroups of the task.
#ifndef FERRET_FILLERS_PATH_H
#define FERRET_FILLERS_PATH_H

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
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b || b->walk_n >= MAX_DEPTH)
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
	__u32 so = b->walk_sp;
	BOUND(so, 0x3fff);
	long l = bpf_probe_read_kernel_str(&b->data[SCRATCH + so], 256, name);
	if (l <= 1)
		return 0;
	__u32 mo = b->walk_n;
	BOUND(mo, 0x1f);
	*(__u16 *)&b->data[META + 4 * mo] = so;
	*(__u16 *)&b->data[META + 4 * mo + 2] = l - 1;
	b->walk_sp = so + l;
	b->walk_n = mo + 1;
	if (b->walk_sp > 0x3f00)
		return 1;
	return 0;
}

static long emit_cb(__u32 k, void *ctx)
{
	struct pwctx *x = ctx;
	__u32 slot = x->slot;
	struct batch *b = bpf_map_lookup_elem(&batches, &slot);
	if (!b || k >= b->walk_n)
		return 1;
	__u32 mo = b->walk_n - 1 - k;
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
	b->walk_n = 0;
	b->walk_sp = 0;
	bpf_loop(MAX_DEPTH + 8, walk_cb, &x, 0);
	if (b->walk_n == 0) {
		__u32 off = b->cur & OFF_MASK;
		b->data[off] = '/';
		b->cur += 1;
		return;
	}
	bpf_loop(MAX_DEPTH, emit_cb, &x, 0);
}

__noinline int put_cwd(struct batch *b, struct bctx *c)
{
	if (!b || !c)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	if (!fs || room(b) < 256)
		return 0;
	struct vfsmount *vm = BPF_CORE_READ(fs, pwd.mnt);
	__u64 m = (__u64)vm - bpf_core_field_offset(struct mount, mnt);
	put_path(b, c, (__u64)BPF_CORE_READ(fs, pwd.dentry), m, 0);
	__u32 off = b->cur & OFF_MASK;
	b->data[off] = 0;
	b->cur += 1;
	return 0;
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

#endif
