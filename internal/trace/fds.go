// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// fdTable is what -y knows of one process: the path behind each of its
// descriptors ("pipe:[N]", "socket:[N]" and the like for those that are not
// files) and its working directory. Paths come from the calls that create
// descriptors (an open's path made absolute and free of symbolic links, as
// strace reads them from /proc), and from /proc for descriptors the process
// had when tracing began and for pipes, sockets and other anonymous files.
type fdTable struct {
	cwd string
	fds map[int64]string
}

func (f *fdTable) clone() *fdTable {
	c := &fdTable{cwd: f.cwd, fds: make(map[int64]string, len(f.fds))}
	for k, v := range f.fds {
		c.fds[k] = v
	}
	return c
}

// loadFDs reads the descriptors and working directory of process pid from
// /proc; skip leaves one descriptor out (the held command's hold pipe,
// closed before its execve).
func (t *Tracer) loadFDs(pid int64, skip int64) {
	if !t.opts.DecodeFDs {
		return
	}
	dir := "/proc/" + strconv.FormatInt(pid, 10)
	f := &fdTable{fds: map[int64]string{}}
	f.cwd, _ = os.Readlink(dir + "/cwd")
	ents, _ := os.ReadDir(dir + "/fd")
	for _, e := range ents {
		n, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || n == skip {
			continue
		}
		if p, err := os.Readlink(dir + "/fd/" + e.Name()); err == nil {
			f.fds[n] = t.detailed(pid, n, p, nil)
		}
	}
	t.fdt[pid] = f
}

// fdsOf returns the table of process pid (nil without -y).
func (t *Tracer) fdsOf(pid int64) *fdTable {
	if t.fdt == nil {
		return nil
	}
	f := t.fdt[pid]
	if f == nil {
		f = &fdTable{fds: map[int64]string{}}
		t.fdt[pid] = f
	}
	return f
}

// forkFDs gives a new process a copy of its parent's table.
func (t *Tracer) forkFDs(parent, child int64) {
	if t.fdt == nil || parent == child {
		return
	}
	t.fdt[child] = t.fdsOf(parent).clone()
}

// orphanFDs gives a child that runs before its parent's clone returned
// the descriptors of the one task whose clone is pending, when there is
// exactly one (else the parent's return does it later).
func (t *Tracer) orphanFDs(child int64) {
	var parent *thread
	for _, th := range t.threads {
		if th.hasEnter && isClone(nameOf(enterNr(&th.enter))) {
			if parent != nil {
				return
			}
			parent = th
		}
	}
	if parent != nil && t.fdt[child] == nil {
		t.forkFDs(parent.pid, child)
	}
}

// resolve returns path p, relative to base, made absolute and free of
// symbolic links where they still exist.
func resolve(base, p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	p = filepath.Clean(p)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		return filepath.Join(d, filepath.Base(p))
	}
	return p
}

// anonFD names a new descriptor that is not a file from /proc, while the
// process still has it.
func anonFD(pid, fd int64) (string, bool) {
	p, err := os.Readlink("/proc/" + strconv.FormatInt(pid, 10) + "/fd/" + strconv.FormatInt(fd, 10))
	return p, err == nil
}

// newFDCalls are the syscalls whose result is a new descriptor that is not
// an opened path.
var newFDCalls = map[string]bool{
	"socket": true, "accept": true, "accept4": true, "epoll_create": true, "epoll_create1": true,
	"eventfd": true, "eventfd2": true, "signalfd": true, "signalfd4": true, "timerfd_create": true,
	"inotify_init": true, "inotify_init1": true, "memfd_create": true, "pidfd_open": true,
	"fanotify_init": true, "userfaultfd": true, "perf_event_open": true, "memfd_secret": true,
}

// fdCalls names the syscalls -y follows to keep its tables (recorded
// even when -e trace= leaves them out).
func fdCalls() []string {
	out := []string{"open", "openat", "openat2", "creat", "dup", "dup2", "dup3", "fcntl", "close", "close_range",
		"pipe", "pipe2", "socketpair", "chdir", "fchdir"}
	for n := range newFDCalls {
		out = append(out, n)
	}
	return out
}

// fdResult reports whether a successful call of name returns a
// descriptor (strace -y shows its path after the result).
func fdResult(name string, c *rcall) bool {
	switch name {
	case "open", "openat", "openat2", "creat", "dup", "dup2", "dup3":
		return true
	case "fcntl":
		return c.args[1] == 0 || c.args[1] == 1030 // F_DUPFD, F_DUPFD_CLOEXEC
	}
	return newFDCalls[name]
}

// updateFDs applies what a successful call did to the descriptors and the
// working directory of process pid.
func (t *Tracer) updateFDs(pid int64, c *rcall) {
	f := t.fdsOf(pid)
	if f == nil || !c.succeeded() {
		return
	}
	fd := func(i int) int64 { return s32(c.args[i]) }
	pathArg := func(i int) (string, bool) {
		p, ok := c.in(i)
		if !ok || len(p) == 0 {
			return "", false
		}
		return string(cstr(p)), true
	}
	base := func(dirfd int64) string {
		if dirfd == -100 {
			return f.cwd
		}
		return fdPath(f.fds[dirfd])
	}
	switch c.name {
	case "open", "creat":
		if p, ok := pathArg(0); ok {
			f.fds[c.ret] = t.detailed(pid, c.ret, resolve(f.cwd, p), c)
		}
	case "openat", "openat2":
		if p, ok := pathArg(1); ok {
			f.fds[c.ret] = t.detailed(pid, c.ret, resolve(base(fd(0)), p), c)
		}
	case "dup":
		f.set(c.ret, fd(0))
	case "dup2", "dup3":
		f.set(fd(1), fd(0))
	case "fcntl":
		if fdResult(c.name, c) {
			f.set(c.ret, fd(0))
		}
	case "close":
		delete(f.fds, fd(0))
	case "close_range":
		for n := range f.fds {
			if uint64(n) >= c.args[0] && uint64(n) <= c.args[1] && c.args[2]&2 == 0 { // not CLOSE_RANGE_CLOEXEC
				delete(f.fds, n)
			}
		}
	case "pipe", "pipe2", "socketpair":
		i := 0
		if c.name == "socketpair" {
			i = 3
		}
		if p, ok := c.out(i); ok && len(p) >= 8 {
			for _, n := range []int64{s32(u32(p, 0)), s32(u32(p, 4))} {
				if name, ok := anonFD(pid, n); ok {
					f.fds[n] = t.detailed(pid, n, name, c)
				} else {
					delete(f.fds, n)
				}
			}
		}
	case "chdir":
		if p, ok := pathArg(0); ok {
			f.cwd = resolve(f.cwd, p)
		}
	case "fchdir":
		if p, ok := f.fds[fd(0)]; ok {
			f.cwd = fdPath(p)
		}
	case "bind", "listen", "connect", "sendto", "sendmsg", "sendmmsg":
		// -yy: the socket's ends may have changed
		if e, ok := f.fds[fd(0)]; ok && t.opts.FDDetails {
			f.fds[fd(0)] = refreshSocket(e)
		}
	default:
		if newFDCalls[c.name] {
			if name, ok := anonFD(pid, c.ret); ok {
				f.fds[c.ret] = t.detailed(pid, c.ret, name, c)
			} else {
				delete(f.fds, c.ret)
			}
		}
	}
}

// set makes descriptor to name what from names (or nothing).
func (f *fdTable) set(to, from int64) {
	if p, ok := f.fds[from]; ok {
		f.fds[to] = p
	} else {
		delete(f.fds, to)
	}
}

// appendFDPath appends "<path>" for descriptor fd when the table knows it;
// bytes outside printable ASCII are written as \x escapes.
func appendFDPath(b []byte, f *fdTable, fd int64) []byte {
	if f == nil {
		return b
	}
	p, ok := f.fds[fd]
	if !ok {
		return b
	}
	if i := strings.IndexByte(p, 0); i >= 0 {
		// -yy: a detail after the path or instead of it
		if d := p[i+1:]; strings.HasPrefix(d, "<") {
			b = appendAngled(b, p[:i])
			return append(append(b[:len(b)-1], d...), '>')
		} else {
			return append(append(append(b, '<'), d...), '>')
		}
	}
	return appendAngled(b, p)
}

// detailed returns the table entry of descriptor fd of process pid with
// path p, made by call c (nil for one found in /proc): with -yy, a
// device's numbers and a socket's protocol and ends.
func (t *Tracer) detailed(pid, fd int64, p string, c *rcall) string {
	if !t.opts.FDDetails {
		return p
	}
	if !strings.HasPrefix(p, "socket:[") {
		return withDetail(p, deviceDetail(p))
	}
	var family, typ uint64
	ask := true
	if c != nil {
		family, typ = c.args[0], c.args[1]
		// a socket(2) has no ends yet: strace asks when the call returns,
		// ferret later, when they may have been set
		ask = c.name != "socket"
		if c.name == "accept" || c.name == "accept4" {
			if e, ok := t.fdsOf(pid).fds[s32(c.args[0])]; ok {
				// the listening socket's protocol
				if i := strings.IndexByte(e, 0); i >= 0 {
					proto, _, _ := strings.Cut(e[i+1:], ":")
					ino, _ := socketInode(p)
					if pn := sockProtoName(pid, fd); pn != "" {
						proto = pn
					}
					return withDetail(p, socketDetail(proto, ino, true))
				}
			}
		}
	}
	return socketEntry(pid, fd, p, family, typ, c != nil && (c.name == "socket" || c.name == "socketpair"), ask)
}

func appendAngled(b []byte, p string) []byte {
	const hexdig = "0123456789abcdef"
	b = append(b, '<')
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == '<' || ch == '>' {
			b = append(b, '\\', 'x', hexdig[ch>>4], hexdig[ch&15])
			continue
		}
		b = append(b, ch)
	}
	return append(b, '>')
}

// cwdOf returns the working directory -y shows after AT_FDCWD.
func (f *fdTable) cwdOf() (string, bool) {
	if f == nil || f.cwd == "" {
		return "", false
	}
	return f.cwd, true
}
