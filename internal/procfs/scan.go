// SPDX-License-Identifier: Apache-2.0

package procfs

import (
	"bytes"
	"sort"
	"strconv"

	"golang.org/x/sys/unix"
)

// scanner reads the files of one process directory after another through
// buffers it keeps: a scan reads a dozen small files per process and two
// or three per thread or descriptor, and the cost of os.ReadFile (an
// *os.File with its finalizer, an fstat for the size, a fresh buffer) and
// of a path walk from /proc for each was most of the scan's own time.
type scanner struct {
	buf    []byte // contents of the last file read
	link   []byte // target of the last link read
	dents  []byte // directory entries
	fields [][]byte
}

func newScanner() *scanner {
	return &scanner{buf: make([]byte, 4096), link: make([]byte, 256), dents: make([]byte, 8192)}
}

// Ways to open a directory: as the dirfd of later calls only, or also for
// listing its entries.
const (
	dirAt   = unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC
	dirList = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC
)

// openDir opens directory path as the dirfd of later calls, or returns -1.
func openDir(path string) int { return openDirAt(unix.AT_FDCWD, path, dirAt) }

// openDirAt opens directory name under dir with flags dirAt or dirList,
// or returns -1.
func openDirAt(dir int, name string, flags int) int {
	for {
		fd, err := unix.Openat(dir, name, flags, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1
		}
		return fd
	}
}

// closeFD closes a descriptor from openDir (-1 is ignored).
func closeFD(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// read returns the contents of file name under directory dir (a dirfd
// from openDir), valid until the next read, or false when it cannot be
// opened or read. /proc files hand out everything that fits in one read
// (seq_file, environ and cmdline fill the buffer), so a read that does
// not fill the buffer is the last.
func (sc *scanner) read(dir int, name string) ([]byte, bool) {
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	for err == unix.EINTR {
		fd, err = unix.Openat(dir, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	}
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	n := 0
	for {
		if n == len(sc.buf) {
			sc.buf = append(sc.buf, make([]byte, len(sc.buf))...)
		}
		m, err := unix.Read(fd, sc.buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, false
		}
		n += m
		if m == 0 || n < len(sc.buf) {
			return sc.buf[:n], true
		}
	}
}

// readlink returns the target of link name under directory dir, valid
// until the next readlink.
func (sc *scanner) readlink(dir int, name string) ([]byte, bool) {
	for {
		n, err := unix.Readlinkat(dir, name, sc.link)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, false
		}
		if n < len(sc.link) {
			return sc.link[:n], true
		}
		sc.link = make([]byte, 2*len(sc.link))
	}
}

// readlinkString is readlink as a string ("" when it cannot be read).
func (sc *scanner) readlinkString(dir int, name string) (string, bool) {
	b, ok := sc.readlink(dir, name)
	if !ok {
		return "", false
	}
	return string(b), true
}

// numericDirsAt lists the numeric entries of directory name under dir,
// sorted (none when it cannot be read).
func (sc *scanner) numericDirsAt(dir int, name string) []int64 {
	fd := openDirAt(dir, name, dirList)
	if fd < 0 {
		return nil
	}
	defer unix.Close(fd)
	return sc.numericDirsFD(fd)
}

// numericDirsFD lists the numeric entries of the directory open as fd
// (from its start), sorted.
func (sc *scanner) numericDirsFD(fd int) []int64 {
	var out []int64
	for {
		n, err := unix.Getdents(fd, sc.dents)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		out = appendNumericDirents(out, sc.dents[:n])
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// appendNumericDirents appends the numeric names of a buffer of
// linux_dirent64 records (u64 inode, u64 offset, u16 record length, u8
// type, NUL-terminated name).
func appendNumericDirents(out []int64, b []byte) []int64 {
	for len(b) >= 19 {
		reclen := int(b[16]) | int(b[17])<<8
		if reclen < 19 || reclen > len(b) {
			break
		}
		name := b[19:reclen]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if v, ok := atoi(name); ok {
			out = append(out, v)
		}
		b = b[reclen:]
	}
	return out
}

// atoi parses an optionally signed decimal number as strconv.ParseInt
// does (false for anything else or out of range).
func atoi(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	for i, c := range b {
		if (c < '0' || c > '9') && !(i == 0 && (c == '-' || c == '+') && len(b) > 1) {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	return v, err == nil
}

// splitFields splits b at runs of ASCII white space (the white space of
// the kernel's files) into the scanner's reused field list.
func (sc *scanner) splitFields(b []byte) [][]byte {
	f := sc.fields[:0]
	for i := 0; i < len(b); {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		j := i
		for j < len(b) && !isSpace(b[j]) {
			j++
		}
		if j > i {
			f = append(f, b[i:j])
		}
		i = j
	}
	sc.fields = f
	return f
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// parseUint is strconv.ParseUint(s, base, 64) with errors as 0, as the
// parsers here read the kernel's numbers.
func parseUint(b []byte, base int) uint64 {
	v, _ := strconv.ParseUint(string(b), base, 64)
	return v
}

// parseInt is strconv.ParseInt(s, 10, 64) with errors as 0.
func parseInt(b []byte) int64 {
	v, _ := strconv.ParseInt(string(b), 10, 64)
	return v
}
