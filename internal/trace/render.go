// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"bytes"
	"sort"
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// DefaultStrSize is strace's default -s: buffers show at most 32 bytes.
const DefaultStrSize = 32

// call is one syscall: its enter event (nil when it was not seen) and exit
// event (nil for calls that never return, e.g. exit_group).
type call struct {
	name        string
	enter, exit *event.Event
}

// find returns the event and index of the parameter named name, looking at
// the exit event first.
func (c *call) find(name string) (*event.Event, int) {
	for _, e := range [2]*event.Event{c.exit, c.enter} {
		if e == nil {
			continue
		}
		if i := e.ParamIndex(name); i >= 0 && e.HasParam(i) {
			return e, i
		}
	}
	return nil, -1
}

func (c *call) int(name string) (int64, bool) {
	e, i := c.find(name)
	if e == nil {
		return 0, false
	}
	return e.Int(i)
}

func (c *call) uint(name string) (uint64, bool) {
	e, i := c.find(name)
	if e == nil {
		return 0, false
	}
	return e.Uint(i)
}

// res returns the call's return value; ok is false when unknown.
func (c *call) res() (v int64, hex bool, ok bool) {
	x := c.exit
	if x == nil {
		return 0, false, false
	}
	if x.Type == event.GenericX {
		// The probe may append the return value after the syscall code.
		if x.NParams >= 2 {
			v, ok = x.Int(1)
			return v, false, ok
		}
		return 0, false, false
	}
	info := x.Info()
	if info == nil || len(info.Params) == 0 || x.NParams == 0 {
		return 0, false, false
	}
	p := &info.Params[0]
	if p.Name != "res" && p.Name != "fd" {
		return 0, false, false
	}
	v, ok = x.Int(0)
	return v, p.Fmt == event.FmtHex, ok
}

// renderer appends the pieces of one line.
type renderer struct {
	b       []byte
	strSize int
	n       int // arguments written so far
}

func (r *renderer) sep() {
	if r.n > 0 {
		r.b = append(r.b, ", "...)
	}
	r.n++
}

func (r *renderer) raw(s string) { r.sep(); r.b = append(r.b, s...) }

func (r *renderer) dec(c *call, name string) {
	r.sep()
	if v, ok := c.int(name); ok {
		r.b = strconv.AppendInt(r.b, v, 10)
	} else {
		r.b = append(r.b, '?')
	}
}

func (r *renderer) udec(c *call, name string) {
	r.sep()
	if v, ok := c.uint(name); ok {
		r.b = strconv.AppendUint(r.b, v, 10)
	} else {
		r.b = append(r.b, '?')
	}
}

func (r *renderer) ptr(c *call, name string) {
	r.sep()
	v, ok := c.uint(name)
	switch {
	case !ok:
		r.b = append(r.b, '?')
	case v == 0:
		r.b = append(r.b, "NULL"...)
	default:
		r.b = appendHex(r.b, v)
	}
}

func (r *renderer) hex(c *call, name string) {
	r.sep()
	if v, ok := c.uint(name); ok && v == 0 {
		r.b = append(r.b, '0')
	} else if ok {
		r.b = appendHex(r.b, v)
	} else {
		r.b = append(r.b, '?')
	}
}

func (r *renderer) dirfd(c *call, name string) {
	r.sep()
	v, ok := c.int(name)
	switch {
	case !ok:
		r.b = append(r.b, '?')
	case v == -100 || v == 0xffffff9c:
		r.b = append(r.b, "AT_FDCWD"...)
	default:
		r.b = strconv.AppendInt(r.b, v, 10)
	}
}

func (r *renderer) path(c *call, names ...string) {
	r.sep()
	for _, n := range names {
		if e, i := c.find(n); e != nil {
			p := e.Param(i)
			if k := len(p); k > 0 && p[k-1] == 0 {
				p = p[:k-1]
			}
			r.b = appendQuoted(r.b, p, -1)
			return
		}
	}
	r.b = append(r.b, '?')
}

// buf renders a data buffer; count is the number of bytes the call moved
// (or asked for), used to mark buffers the probe captured only in part.
func (r *renderer) buf(c *call, name string, count int64) {
	r.sep()
	e, i := c.find(name)
	if e == nil {
		r.b = append(r.b, '?')
		return
	}
	p := e.Param(i)
	if count >= 0 && int64(len(p)) > count {
		p = p[:count]
	}
	r.b = appendQuoted(r.b, p, r.strSize)
	if count > int64(len(p)) && len(p) <= r.strSize {
		r.b = append(r.b, "..."...)
	}
}

func (r *renderer) flags(c *call, name string) {
	r.sep()
	e, i := c.find(name)
	if e == nil {
		r.b = append(r.b, '?')
		return
	}
	v, _ := e.Uint(i)
	info := e.Info().Params[i]
	r.b = appendFlags(r.b, v, info.Flags, info.Type == event.PTFlags8 || info.Type == event.PTFlags16 || info.Type == event.PTFlags32)
}

// appendFlags renders v as names joined by "|" in ascending value order;
// enum-valued parameters (bits false) show the one matching name.
func appendFlags(b []byte, v uint64, names []event.FlagName, bits bool) []byte {
	// Enumerations stored as flags (fcntl commands, rlimit resources,
	// whence) match one name exactly.
	for _, f := range names {
		if uint64(f.Value) == v && (v != 0 || !bits) {
			return append(b, f.Name...)
		}
	}
	if !bits {
		return strconv.AppendUint(b, v, 10)
	}
	sorted := sortedFlags(names)
	start, rest := len(b), v
	for _, f := range sorted {
		if uint64(f.Value)&rest == uint64(f.Value) && rest != 0 {
			if len(b) > start {
				b = append(b, '|')
			}
			b = append(b, f.Name...)
			rest &^= uint64(f.Value)
		}
	}
	if rest != 0 {
		if len(b) > start {
			b = append(b, '|')
		}
		b = appendHex(b, rest)
	}
	if len(b) == start {
		for _, f := range names {
			if f.Value == 0 {
				return append(b, f.Name...)
			}
		}
		b = append(b, '0')
	}
	return b
}

// flagOrder holds every flag table of the event table without its zero
// entry, in ascending value order, keyed by the table's first element. It is
// built once, so rendering does not sort.
var flagOrder = map[*event.FlagName][]event.FlagName{}

func init() {
	for t := 0; t < event.MaxType; t++ {
		for _, p := range event.Type(t).Info().Params {
			if len(p.Flags) > 0 && flagOrder[&p.Flags[0]] == nil {
				flagOrder[&p.Flags[0]] = sortFlags(p.Flags)
			}
		}
	}
}

func sortFlags(names []event.FlagName) []event.FlagName {
	out := make([]event.FlagName, 0, len(names))
	for _, f := range names {
		if f.Value != 0 {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

func sortedFlags(names []event.FlagName) []event.FlagName {
	if len(names) == 0 {
		return nil
	}
	if s, ok := flagOrder[&names[0]]; ok {
		return s
	}
	return sortFlags(names)
}

// openFlagOrder lists ferret's open-flag names in the order of their native
// values, which is how strace prints them.
var openFlagOrder = []struct {
	name string
	ppm  uint64
}{
	{"O_CREAT", 1 << 2}, {"O_EXCL", 1 << 5}, {"O_TRUNC", 1 << 8}, {"O_APPEND", 1 << 3},
	{"O_NONBLOCK", 1 << 6}, {"O_DSYNC", 1 << 4}, {"O_DIRECT", 1 << 9}, {"O_LARGEFILE", 1 << 11},
	{"O_DIRECTORY", 1 << 10}, {"O_CLOEXEC", 1 << 12}, {"O_SYNC", 1 << 7}, {"O_TMPFILE", 1 << 13},
}

func appendOpenFlags(b []byte, v uint64) []byte {
	switch v & 3 {
	case 2:
		b = append(b, "O_WRONLY"...)
	case 3:
		b = append(b, "O_RDWR"...)
	default:
		b = append(b, "O_RDONLY"...)
	}
	for _, f := range openFlagOrder {
		if v&f.ppm != 0 {
			b = append(b, '|')
			b = append(b, f.name...)
		}
	}
	return b
}

func (r *renderer) openFlags(c *call) uint64 {
	r.sep()
	v, ok := c.uint("flags")
	if !ok {
		r.b = append(r.b, '?')
		return 0
	}
	r.b = appendOpenFlags(r.b, v)
	return v
}

func (r *renderer) mode(c *call) {
	r.sep()
	v, _ := c.uint("mode")
	r.b = append(r.b, '0')
	r.b = strconv.AppendUint(r.b, v, 8)
}

// argv renders argv[0] (the exe parameter) and the NUL-separated argument
// buffer (argv[1:]) as ["a", "b"].
func (r *renderer) argv(c *call, name string) {
	r.sep()
	e, i := c.find(name)
	if e == nil {
		r.b = append(r.b, '?')
		return
	}
	p := e.Param(i)
	if k := len(p); k > 0 && p[k-1] == 0 {
		p = p[:k-1]
	}
	r.b = append(r.b, '[')
	n := 0
	if x, j := c.find("exe"); x != nil {
		a := x.Param(j)
		if k := len(a); k > 0 && a[k-1] == 0 {
			a = a[:k-1]
		}
		r.b = appendQuoted(r.b, a, r.strSize)
		n++
	}
	if len(p) > 0 {
		for _, a := range bytes.Split(p, []byte{0}) {
			if n > 0 {
				r.b = append(r.b, ", "...)
			}
			r.b = appendQuoted(r.b, a, r.strSize)
			n++
		}
	}
	r.b = append(r.b, ']')
}

// generic renders every parameter of the enter event in order.
func (r *renderer) generic(c *call) {
	e := c.enter
	if e == nil || e.Type == event.GenericE {
		if e == nil && c.exit != nil && c.exit.Type != event.GenericX {
			e = c.exit
		} else {
			r.raw("...")
			return
		}
	}
	info := e.Info()
	for i := 0; i < e.NParams && i < len(info.Params); i++ {
		p := &info.Params[i]
		if e == c.exit && i == 0 {
			continue // the result
		}
		r.sep()
		switch p.Type {
		case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
			s := e.Param(i)
			if k := len(s); k > 0 && s[k-1] == 0 {
				s = s[:k-1]
			}
			r.b = appendQuoted(r.b, s, -1)
		case event.PTByteBuf:
			r.b = appendQuoted(r.b, e.Param(i), r.strSize)
		case event.PTFlags8, event.PTFlags16, event.PTFlags32:
			v, _ := e.Uint(i)
			r.b = appendFlags(r.b, v, p.Flags, true)
		case event.PTMode:
			v, _ := e.Uint(i)
			r.b = append(r.b, '0')
			r.b = strconv.AppendUint(r.b, v, 8)
		case event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64, event.PTFD, event.PTPID, event.PTErrno:
			v, _ := e.Int(i)
			r.b = strconv.AppendInt(r.b, v, 10)
		case event.PTSigType:
			v, _ := e.Uint(i)
			r.b = append(r.b, signalName(v)...)
		case event.PTUint8, event.PTUint16, event.PTUint32, event.PTUint64, event.PTUID, event.PTGID:
			v, _ := e.Uint(i)
			if p.Fmt == event.FmtHex {
				r.b = appendHex(r.b, v)
			} else if p.Fmt == event.FmtOct {
				r.b = append(r.b, '0')
				r.b = strconv.AppendUint(r.b, v, 8)
			} else if len(p.Flags) > 0 {
				r.b = appendFlags(r.b, v, p.Flags, false)
			} else {
				r.b = strconv.AppendUint(r.b, v, 10)
			}
		default:
			r.b = append(r.b, "..."...)
		}
	}
}

// args renders the argument list of c (without parentheses).
func (r *renderer) args(c *call) {
	res, _, resOK := c.res()
	count := int64(-1)
	if resOK && res >= 0 {
		count = res
	}
	switch c.name {
	case "open":
		r.path(c, "name")
		if f := r.openFlags(c); f&(1<<2|1<<13) != 0 {
			r.mode(c)
		}
	case "openat":
		r.dirfd(c, "dirfd")
		r.path(c, "name")
		if f := r.openFlags(c); f&(1<<2|1<<13) != 0 {
			r.mode(c)
		}
	case "read", "pread64":
		r.dec(c, "fd")
		r.buf(c, "data", count)
		r.udec(c, "size")
		if c.name == "pread64" {
			r.dec(c, "pos")
		}
	case "write", "pwrite64":
		size, _ := c.int("size")
		r.dec(c, "fd")
		r.buf(c, "data", size)
		r.udec(c, "size")
		if c.name == "pwrite64" {
			r.dec(c, "pos")
		}
	case "close", "fstat", "fsync", "fdatasync", "getdents64", "getdents", "fchdir", "syncfs":
		r.dec(c, "fd")
		if c.name == "getdents64" || c.name == "getdents" {
			r.raw("...")
		}
	case "lseek":
		r.dec(c, "fd")
		r.dec(c, "offset")
		r.flags(c, "whence")
	case "mmap":
		r.ptr(c, "addr")
		r.udec(c, "length")
		r.flags(c, "prot")
		r.flags(c, "flags")
		r.dec(c, "fd")
		r.hex(c, "offset")
	case "munmap":
		r.hex(c, "addr")
		r.udec(c, "length")
	case "mprotect":
		r.hex(c, "addr")
		r.udec(c, "length")
		r.flags(c, "prot")
	case "brk":
		r.ptr(c, "addr")
	case "access":
		r.path(c, "name")
		r.flags(c, "mode")
	case "execve", "execveat":
		r.path(c, "filename", "exe")
		r.argv(c, "args")
		if e, i := c.find("env"); e != nil {
			n := bytes.Count(e.Param(i), []byte{0})
			r.sep()
			r.b = append(r.b, "0x0 /* "...)
			r.b = strconv.AppendInt(r.b, int64(n), 10)
			r.b = append(r.b, " vars */"...)
		} else {
			r.raw("...")
		}
	case "clone", "clone3":
		if c.name == "clone3" {
			r.sep()
			r.b = append(r.b, "{flags="...)
			r.n = 0
			r.flags(c, "flags")
			r.b = append(r.b, ", ...}"...)
			r.n = 1
		} else {
			r.raw("child_stack=NULL")
			r.sep()
			r.b = append(r.b, "flags="...)
			r.n = 0
			r.flags(c, "flags")
			r.n = 2
		}
	case "fork", "vfork":
	default:
		r.generic(c)
	}
}

// appendResult appends the part after "= ".
func appendResult(b []byte, c *call) []byte {
	v, hex, ok := c.res()
	switch {
	case !ok:
		return append(b, '?')
	case v < 0 && v >= -4095:
		return appendErrno(b, -v)
	case hex:
		return appendHex(b, uint64(v))
	}
	return strconv.AppendInt(b, v, 10)
}
