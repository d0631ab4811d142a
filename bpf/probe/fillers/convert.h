// SPDX-License-Identifier: GPL-2.0-only
// Part of the live probe, included by probe.bpf.c after its maps, buffers and
// build state: translations of flag and command arguments to the portable
// encoding (the CV_* conversions).
#ifndef FERRET_FILLERS_CONVERT_H
#define FERRET_FILLERS_CONVERT_H

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

__noinline __u64 convert(__u64 v, __u32 cv)
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

#endif
