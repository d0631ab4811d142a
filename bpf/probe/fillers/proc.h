// SPDX-License-Identifier: GPL-2.0-only
// Part of the live probe, included by probe.bpf.c after its maps, buffers and
// build state: fields of the current task (SRC_PROC): executable, arguments,
// ids, limits, memory, credentials.
#ifndef FERRET_FILLERS_PROC_H
#define FERRET_FILLERS_PROC_H

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

__noinline int put_proc(struct batch *b, struct bctx *c, __u32 field, __u32 w)
{
	if (!b || !c)
		return 0;
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
		return 0;
	}
	case PROC_ARGS:
	case PROC_ENV: {
		if (!mm)
			return 0;
		__u64 s, e;
		if (field == PROC_ARGS) {
			s = BPF_CORE_READ(mm, arg_start) + b->exe_len;
			e = BPF_CORE_READ(mm, arg_end);
		} else {
			s = BPF_CORE_READ(mm, env_start);
			e = BPF_CORE_READ(mm, env_end);
		}
		if (e <= s)
			return 0;
		__u64 len = e - s;
		if (len > STR_MAX)
			len = STR_MAX;
		put_ubuf(b, c, (void *)s, len);
		return 0;
	}
	case PROC_COMM:
		put_kstr(b, c, t->comm, 16);
		return 0;
	case PROC_CGROUPS:
		put_cgroups(b, c);
		return 0;
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
	return 0;
}

#endif
