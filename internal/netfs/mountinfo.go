// SPDX-License-Identifier: Apache-2.0

package netfs

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// Mount is one line of /proc/<pid>/mountinfo (the event package's form of
// it, carried in capture snapshots, with methods).
type Mount event.Mount

// IsNet reports whether the mount's file system is a network one.
func (m *Mount) IsNet() bool { return IsNetwork(m.FSType) }

// ErrSyntax is wrapped by parse errors.
var ErrSyntax = event.ErrMountSyntax

// ParseMountinfo parses mountinfo text. Blank lines are skipped; a
// malformed line is an error naming its number.
func ParseMountinfo(r io.Reader) ([]Mount, error) {
	var out []Mount
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		m, err := ParseLine(line)
		if err != nil {
			return out, fmt.Errorf("mountinfo line %d: %w", n, err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read mountinfo: %w", err)
	}
	return out, nil
}

// ReadMounts reads a mountinfo file (/proc/<pid>/mountinfo: the mount
// table of that process's mount namespace, mount points as seen from its
// root) in the form capture snapshots carry.
func ReadMounts(path string) ([]event.Mount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ms, err := ParseMountinfo(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]event.Mount, len(ms))
	for i := range ms {
		out[i] = event.Mount(ms[i])
	}
	return out, nil
}

// ParseLine parses one mountinfo line:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
func ParseLine(line string) (Mount, error) {
	m, err := event.ParseMountLine(line)
	return Mount(m), err
}

// Unescape undoes the kernel's octal escaping of space, tab, newline and
// backslash (\040, \011, \012, \134) in mountinfo fields.
func Unescape(s string) string { return event.UnescapeMount(s) }

// networkTypes are file-system types whose data lives on another machine.
var networkTypes = map[string]bool{
	"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "smbfs": true,
	"ceph": true, "glusterfs": true, "9p": true, "afs": true, "ncpfs": true,
	"lustre": true, "gpfs": true, "beegfs": true, "ocfs2": true, "gfs2": true,
	"orangefs": true, "coda": true, "davfs": true, "virtiofs": false,
}

// networkFUSE are FUSE helpers that talk to a remote end.
var networkFUSE = map[string]bool{
	"sshfs": true, "s3fs": true, "rclone": true, "davfs": true, "glusterfs": true,
	"gcsfuse": true, "goofys": true, "curlftpfs": true, "smbnetfs": true,
	"ceph-fuse": true, "ceph": true, "juicefs": true, "blobfuse": true,
	"blobfuse2": true, "mountpoint-s3": true, "cvmfs2": true, "afuse": true,
}

// IsNetwork reports whether fstype (as mountinfo spells it, e.g. "nfs4" or
// "fuse.sshfs") is a network file system.
func IsNetwork(fstype string) bool {
	if networkTypes[fstype] {
		return true
	}
	if sub, ok := strings.CutPrefix(fstype, "fuse."); ok {
		return networkFUSE[sub]
	}
	if sub, ok := strings.CutPrefix(fstype, "fuseblk."); ok {
		return networkFUSE[sub]
	}
	return false
}

// Table answers "which mount is this path on". It is immutable once built.
type Table struct {
	mounts []Mount
	order  []int // indexes into mounts, longest mount point first, later mounts first on ties
}

// NewTable builds a table from mounts in mountinfo order.
func NewTable(ms []Mount) *Table {
	t := &Table{mounts: ms, order: make([]int, len(ms))}
	for i := range ms {
		t.order[i] = i
	}
	sort.SliceStable(t.order, func(a, b int) bool {
		pa, pb := ms[t.order[a]].Point, ms[t.order[b]].Point
		if len(pa) != len(pb) {
			return len(pa) > len(pb)
		}
		return t.order[a] > t.order[b]
	})
	return t
}

// TableOf builds a table from a snapshot's mount table (nil for none).
func TableOf(ms []event.Mount) *Table {
	if ms == nil {
		return nil
	}
	out := make([]Mount, len(ms))
	for i := range ms {
		out[i] = Mount(ms[i])
	}
	return NewTable(out)
}

// Snapshot returns the table in the form capture snapshots carry.
func (t *Table) Snapshot() []event.Mount {
	if t == nil {
		return nil
	}
	out := make([]event.Mount, len(t.mounts))
	for i := range t.mounts {
		out[i] = event.Mount(t.mounts[i])
	}
	return out
}

// Mounts returns the mounts in mountinfo order. The slice must not be changed.
func (t *Table) Mounts() []Mount { return t.mounts }

// Lookup returns the mount holding the absolute path p, or nil when p is not
// absolute or no mount matches. p should be clean (no "..").
func (t *Table) Lookup(p string) *Mount {
	if t == nil || len(p) == 0 || p[0] != '/' {
		return nil
	}
	for _, i := range t.order {
		mp := t.mounts[i].Point
		if under(p, mp) {
			return &t.mounts[i]
		}
	}
	return nil
}

// under reports whether p is mp or below it.
func under(p, mp string) bool {
	if mp == "/" {
		return true
	}
	if !strings.HasPrefix(p, mp) {
		return false
	}
	return len(p) == len(mp) || p[len(mp)] == '/'
}
