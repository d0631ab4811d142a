// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"slices"
	"strconv"
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// Unabbreviated structs and arrays (-v, -e abbrev=SET): every field of a
// struct, every element of an array, as strace prints them for the
// syscalls outside the abbrev set.

// FullCopies returns raw, with the copies the unabbreviated forms need
// for the syscalls outside abbrev: execve's and execveat's environment
// strings instead of their number. raw's own slices are left as they are.
func FullCopies(raw []event.RawSyscall, abbrev *Set) []event.RawSyscall {
	if abbrev == nil {
		return raw
	}
	out := slices.Clone(raw)
	for nr := range out {
		name := nameOf(nr)
		if (name != "execve" && name != "execveat") || abbrev.Has(name) {
			continue
		}
		rs := &out[nr]
		rs.Enter = slices.Clone(rs.Enter)
		for k := range rs.Enter {
			if rs.Enter[k].Kind == event.RawPtrCount {
				rs.Enter[k].Kind = event.RawStrv
			}
		}
	}
	return out
}

// strv renders the strings of a RawStrv copy as an array, -s of them
// when abbreviated.
func (r *renderer) strv(p []byte) {
	r.b = append(r.b, '[')
	for n := 0; len(p) > 0; n++ {
		s := cstr(p)
		p = p[min(len(s)+1, len(p)):]
		if n > 0 {
			r.b = append(r.b, ", "...)
		}
		if n == r.maxElems() {
			r.b = append(r.b, "..."...)
			break
		}
		r.b = r.quote(r.b, s, r.strSize)
	}
	r.b = append(r.b, ']')
}

var direntTypes = []nv{{0, "DT_UNKNOWN"}, {1, "DT_FIFO"}, {2, "DT_CHR"}, {4, "DT_DIR"}, {6, "DT_BLK"},
	{8, "DT_REG"}, {10, "DT_LNK"}, {12, "DT_SOCK"}, {14, "DT_WHT"}}

// dirents renders the entries getdents64 (linux_dirent64) or getdents
// (linux_dirent, d_type in the entry's last byte) returned.
func (r *renderer) dirents(p []byte, is64 bool) {
	r.b = append(r.b, '[')
	nameAt := 18
	if is64 {
		nameAt = 19
	}
	for off, n := 0, 0; off+nameAt <= len(p); n++ {
		l := int(u16(p, off+16))
		if l < nameAt || off+l > len(p) {
			break
		}
		e := p[off : off+l]
		off += l
		if n > 0 {
			r.b = append(r.b, ", "...)
		}
		r.b = append(r.b, "{d_ino="...)
		r.b = strconv.AppendUint(r.b, u64(e, 0), 10)
		r.b = append(r.b, ", d_off="...)
		r.b = strconv.AppendInt(r.b, int64(u64(e, 8)), 10)
		r.b = append(r.b, ", d_reclen="...)
		r.b = strconv.AppendUint(r.b, uint64(l), 10)
		typ := uint64(e[l-1])
		if is64 {
			typ = uint64(e[18])
			r.b = append(r.b, ", d_type="...)
			r.b = appendEnumX(r.b, typ, direntTypes, "DT_???", r.style)
		}
		r.b = append(r.b, ", d_name="...)
		end := l
		if !is64 {
			end = l - 1
		}
		r.b = r.quote(r.b, cstr(e[nameAt:end]), -1)
		if !is64 {
			r.b = append(r.b, ", d_type="...)
			r.b = appendEnumX(r.b, typ, direntTypes, "DT_???", r.style)
		}
		r.b = append(r.b, '}')
	}
	r.b = append(r.b, ']')
}

// appendTimeComment appends " /* 2026-12-02T15:10:23.018952326+0000 */",
// the time of a timestamp in the tracer's zone (the fraction only when
// there is one).
func (r *renderer) appendTimeComment(sec int64, nsec uint64) {
	loc := r.loc
	if loc == nil {
		loc = time.Local
	}
	t := time.Unix(sec, int64(nsec)).In(loc)
	r.b = append(r.b, " /* "...)
	r.b = t.AppendFormat(r.b, "2006-01-02T15:04:05")
	if nsec != 0 {
		r.b = append(r.b, '.')
		r.b = appendPad(r.b, nsec, 9)
	}
	r.b = t.AppendFormat(r.b, "-0700")
	r.b = append(r.b, " */"...)
}

// appendPad appends v in decimal, zero-padded to width digits.
func appendPad(b []byte, v uint64, width int) []byte {
	var d [20]byte
	s := strconv.AppendUint(d[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func (r *renderer) field(name string, v uint64) {
	r.b = append(r.b, name...)
	r.b = strconv.AppendUint(r.b, v, 10)
}

// appendStatFull renders every field of a struct stat (x86-64 layout).
func appendStatFull(r *renderer, p []byte) {
	dev := func(d uint64) {
		r.b = styled(r.b, r.style, hexNum(d), func(b []byte) []byte {
			return appendDev(b, (d>>8)&0xfff|(d>>32)&^0xfff, d&0xff|(d>>12)&^0xff)
		})
	}
	mode := u32(p, 24)
	r.b = append(r.b, "{st_dev="...)
	dev(u64(p, 0))
	r.field(", st_ino=", u64(p, 8))
	r.b = append(r.b, ", st_mode="...)
	r.b = appendModeX(r.b, mode, r.style)
	r.field(", st_nlink=", u64(p, 16))
	r.field(", st_uid=", u32(p, 28))
	r.field(", st_gid=", u32(p, 32))
	r.b = append(r.b, ", st_blksize="...)
	r.b = strconv.AppendInt(r.b, int64(u64(p, 56)), 10)
	r.b = append(r.b, ", st_blocks="...)
	r.b = strconv.AppendInt(r.b, int64(u64(p, 64)), 10)
	if t := mode & 0170000; t == 020000 || t == 060000 {
		r.b = append(r.b, ", st_rdev="...)
		dev(u64(p, 40))
	} else {
		r.b = append(r.b, ", st_size="...)
		r.b = strconv.AppendInt(r.b, int64(u64(p, 48)), 10)
	}
	for k, name := range []string{"st_atime", "st_mtime", "st_ctime"} {
		sec, nsec := int64(u64(p, 72+16*k)), u64(p, 80+16*k)
		r.b = append(r.b, ", "...)
		r.b = append(r.b, name...)
		r.b = append(r.b, '=')
		r.b = strconv.AppendInt(r.b, sec, 10)
		r.appendTimeComment(sec, nsec)
		r.b = append(r.b, ", "...)
		r.b = append(r.b, name...)
		r.field("_nsec=", nsec)
	}
	r.b = append(r.b, '}')
}

// appendStatxFull renders every field of a struct statx the mask says
// the kernel filled, as strace does.
func appendStatxFull(r *renderer, p []byte) {
	mask := u32(p, 0)
	r.b = append(r.b, "{stx_mask="...)
	r.b = appendBitsX(r.b, mask, statxMask, r.style)
	r.field(", stx_blksize=", u32(p, 4))
	r.b = append(r.b, ", stx_attributes="...)
	r.b = appendBitsX(r.b, u64(p, 8), statxAttrs, r.style)
	r.field(", stx_nlink=", u32(p, 16))
	r.field(", stx_uid=", u32(p, 20))
	r.field(", stx_gid=", u32(p, 24))
	r.b = append(r.b, ", stx_mode="...)
	r.b = appendModeX(r.b, u16(p, 28), r.style)
	r.field(", stx_ino=", u64(p, 32))
	r.field(", stx_size=", u64(p, 40))
	r.field(", stx_blocks=", u64(p, 48))
	r.b = append(r.b, ", stx_attributes_mask="...)
	r.b = appendBitsX(r.b, u64(p, 56), statxAttrs, r.style)
	ts := func(name string, off int) {
		sec, nsec := int64(u64(p, off)), u32(p, off+8)
		r.b = append(r.b, name...)
		r.b = append(r.b, "={tv_sec="...)
		r.b = strconv.AppendInt(r.b, sec, 10)
		r.field(", tv_nsec=", nsec)
		r.b = append(r.b, '}')
		r.appendTimeComment(sec, nsec)
	}
	// the times the mask says were filled: STATX_ATIME, _BTIME, _CTIME,
	// _MTIME
	for _, f := range []struct {
		bit  uint64
		name string
		off  int
	}{{0x20, ", stx_atime", 64}, {0x800, ", stx_btime", 80}, {0x80, ", stx_ctime", 96}, {0x40, ", stx_mtime", 112}} {
		if mask&f.bit != 0 {
			ts(f.name, f.off)
		}
	}
	r.field(", stx_rdev_major=", u32(p, 128))
	r.field(", stx_rdev_minor=", u32(p, 132))
	r.field(", stx_dev_major=", u32(p, 136))
	r.field(", stx_dev_minor=", u32(p, 140))
	if mask&0x1000 != 0 { // STATX_MNT_ID
		r.b = append(r.b, ", stx_mnt_id="...)
		r.b = appendHex0(r.b, u64(p, 144))
	}
	if mask&0x2000 != 0 { // STATX_DIOALIGN
		r.field(", stx_dio_mem_align=", u32(p, 152))
		r.field(", stx_dio_offset_align=", u32(p, 156))
	}
	r.b = append(r.b, '}')
}

// appendUtsnameFull renders the six fields of a struct utsname.
func appendUtsnameFull(r *renderer, p []byte) {
	for k, name := range []string{"{sysname=", ", nodename=", ", release=", ", version=", ", machine=", ", domainname="} {
		r.b = append(r.b, name...)
		r.b = r.quote(r.b, cstr(p[65*k:65*k+65]), -1)
	}
	r.b = append(r.b, '}')
}

var termCCNames = []string{"VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VTIME", "VMIN", "VSWTC", "VSTART",
	"VSTOP", "VSUSP", "VEOL", "VREPRINT", "VDISCARD", "VWERASE", "VLNEXT", "VEOL2"}

// appendTermiosTail ends an unabbreviated struct termios: the line
// discipline and the control characters.
func appendTermiosTail(b []byte, p []byte) []byte {
	b = append(b, ", c_line="...)
	if line := uint64(p[16]); line == 0 {
		b = append(b, "N_TTY"...)
	} else {
		b = strconv.AppendUint(b, line, 10)
	}
	b = append(b, ", c_cc=["...)
	for k := 0; k < 19; k++ {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '[')
		if k < len(termCCNames) {
			b = append(b, termCCNames[k]...)
		} else {
			b = strconv.AppendInt(b, int64(k), 10)
		}
		b = append(b, "]="...)
		b = appendHex0(b, uint64(p[17+k]))
	}
	return append(b, "]}"...)
}
