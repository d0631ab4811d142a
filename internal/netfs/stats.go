// SPDX-License-Identifier: Apache-2.0

package netfs

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// Op is a kind of file operation counted per mount.
type Op uint8

// Operations.
const (
	OpRead Op = iota
	OpWrite
	OpOpen
	OpSync
	OpOther
	numOps
)

var opNames = [numOps]string{"R", "W", "O", "S", "X"}

// String returns the one-letter code nfsslower-style listings use.
func (o Op) String() string {
	if o < numOps {
		return opNames[o]
	}
	return "?"
}

// Key identifies one row of the per-process, per-mount table.
type Key struct {
	PID   int64
	Comm  string
	Mount string // mount point
}

// Counters are the totals of one row.
type Counters struct {
	Ops          [numOps]uint64
	BytesRead    uint64
	BytesWritten uint64
	Errors       uint64
	LatNS        uint64 // summed latency
	MaxLatNS     uint64
	FSType       string
}

// Row is one line of the table.
type Row struct {
	Key
	Counters
}

// Slow is one operation slower than the threshold.
type Slow struct {
	TS     uint64 // exit timestamp, ns since the epoch
	PID    int64
	Comm   string
	Op     Op
	Bytes  int64
	LatNS  uint64
	Path   string
	FSType string
}

// Stats aggregates operations on network mounts. It is not safe for
// concurrent use.
type Stats struct {
	SlowNS uint64 // threshold for Slow records; 0 reports none
	rows   map[Key]*Counters
	slow   []Slow
	// opens of a mount's root directory itself, per row: forgotten when
	// the same process unmounts it (umount opens the mount point first)
	rootOpens map[Key]rootOpen
}

type rootOpen struct{ n, latNS uint64 }

// NewStats returns an empty aggregator reporting operations slower than slow.
func NewStats(slow time.Duration) *Stats {
	return &Stats{SlowNS: uint64(slow), rows: make(map[Key]*Counters), rootOpens: make(map[Key]rootOpen)}
}

// Add counts one operation. bytes < 0 marks a failed operation. It returns
// true when the operation was recorded as slow.
func (s *Stats) Add(k Key, fstype string, op Op, bytes int64, latNS uint64, ts uint64, path string) bool {
	c := s.rows[k]
	if c == nil {
		c = &Counters{FSType: fstype}
		s.rows[k] = c
	}
	if op < numOps {
		c.Ops[op]++
	}
	if bytes < 0 {
		c.Errors++
	} else {
		switch op {
		case OpRead:
			c.BytesRead += uint64(bytes)
		case OpWrite:
			c.BytesWritten += uint64(bytes)
		}
	}
	c.LatNS += latNS
	if op == OpOpen && path == k.Mount {
		r := s.rootOpens[k]
		r.n++
		r.latNS += latNS
		s.rootOpens[k] = r
	}
	if latNS > c.MaxLatNS {
		c.MaxLatNS = latNS
	}
	if s.SlowNS > 0 && latNS >= s.SlowNS {
		s.slow = append(s.slow, Slow{TS: ts, PID: k.PID, Comm: k.Comm, Op: op, Bytes: bytes, LatNS: latNS, Path: path, FSType: fstype})
		return true
	}
	return false
}

// Unmounting forgets the opens of mount's root directory by process pid,
// which is unmounting it: umount opens the mount point before the call,
// administration rather than an operation on the share.
func (s *Stats) Unmounting(pid int64, mount string) {
	for k, r := range s.rootOpens {
		if k.PID != pid || k.Mount != mount {
			continue
		}
		delete(s.rootOpens, k)
		c := s.rows[k]
		if c == nil {
			continue
		}
		c.Ops[OpOpen] -= min(r.n, c.Ops[OpOpen])
		c.LatNS -= min(r.latNS, c.LatNS)
		if c.total() == 0 {
			delete(s.rows, k)
		}
	}
}

// TakeSlow returns the slow operations recorded since the last call.
func (s *Stats) TakeSlow() []Slow {
	out := s.slow
	s.slow = nil
	return out
}

// Rows returns the table sorted by bytes moved (then operations, pid, mount).
func (s *Stats) Rows() []Row {
	out := make([]Row, 0, len(s.rows))
	for k, c := range s.rows {
		out = append(out, Row{k, *c})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		ab, bb := a.BytesRead+a.BytesWritten, b.BytesRead+b.BytesWritten
		if ab != bb {
			return ab > bb
		}
		if ao, bo := a.total(), b.total(); ao != bo {
			return ao > bo
		}
		if a.PID != b.PID {
			return a.PID < b.PID
		}
		return a.Mount < b.Mount
	})
	return out
}

func (c *Counters) total() uint64 {
	var n uint64
	for _, v := range c.Ops {
		n += v
	}
	return n
}

// Reset clears the table (interval mode).
func (s *Stats) Reset() {
	clear(s.rows)
	clear(s.rootOpens)
}

// WriteTable prints rows as an aligned table.
func WriteTable(w io.Writer, rows []Row) error {
	if _, err := fmt.Fprintf(w, "%-7s %-16s %-10s %-24s %7s %7s %7s %7s %10s %10s %9s %9s\n",
		"PID", "COMM", "TYPE", "MOUNT", "READS", "WRITES", "OPENS", "ERRORS", "R_BYTES", "W_BYTES", "AVG_ms", "MAX_ms"); err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		n := r.total()
		var avg float64
		if n > 0 {
			avg = float64(r.LatNS) / float64(n) / 1e6
		}
		if _, err := fmt.Fprintf(w, "%-7d %-16s %-10s %-24s %7d %7d %7d %7d %10d %10d %9.3f %9.3f\n",
			r.PID, event.SafeString(r.Comm, false), event.SafeString(r.FSType, false), event.SafeString(r.Mount, false), r.Ops[OpRead], r.Ops[OpWrite], r.Ops[OpOpen], r.Errors,
			r.BytesRead, r.BytesWritten, avg, float64(r.MaxLatNS)/1e6); err != nil {
			return err
		}
	}
	return nil
}

// SlowHeader is the header line of slow-operation listings.
const SlowHeader = "TIME         COMM             PID     T BYTES      LAT(ms) TYPE       FILENAME\n"

// WriteSlow prints one slow operation in the nfsslower layout.
func WriteSlow(w io.Writer, s *Slow) error {
	t := time.Unix(0, int64(s.TS))
	_, err := fmt.Fprintf(w, "%-12s %-16s %-7d %s %-10d %7.2f %-10s %s\n",
		t.Format("15:04:05.000"), event.SafeString(s.Comm, false), s.PID, s.Op, s.Bytes, float64(s.LatNS)/1e6,
		event.SafeString(s.FSType, false), event.SafeString(s.Path, false))
	return err
}

// MountEvent is one mount or umount call.
type MountEvent struct {
	TS      uint64 // exit time
	EnterTS uint64 // time of the call (0 if not seen)
	PID     int64
	TID     int64
	Comm    string
	Call    string // "mount" or "umount"
	Source  string
	Target  string
	FSType  string
	Flags   string
	Res     int64
}

// WriteMountEvent prints a mount event the way mountsnoop does: the call
// with its arguments and its result.
//
// It follows the columns of SlowHeader: time, comm, pid, M (mount) or U
// (umount), no bytes, the call's latency, the file-system type and, in
// place of the file name, the call.
func WriteMountEvent(w io.Writer, m *MountEvent) error {
	var call, op string
	if m.Call == "mount" {
		op = "M"
		call = fmt.Sprintf("mount(%q, %q, %q, %s) = %s", m.Source, m.Target, m.FSType, orZero(m.Flags), result(m.Res))
	} else {
		op = "U"
		call = fmt.Sprintf("umount(%q, %s) = %s", m.Target, orZero(m.Flags), result(m.Res))
	}
	lat := "-"
	if m.EnterTS != 0 && m.TS >= m.EnterTS {
		lat = fmt.Sprintf("%.2f", float64(m.TS-m.EnterTS)/1e6)
	}
	t := time.Unix(0, int64(m.TS))
	_, err := fmt.Fprintf(w, "%-12s %-16s %-7d %s %-10s %7s %-10s %s\n",
		t.Format("15:04:05.000"), event.SafeString(m.Comm, false), m.PID, op, "-", lat, event.SafeString(orDash(m.FSType), false), call)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func result(res int64) string {
	if res < 0 {
		return fmt.Sprintf("%d %s", res, errnoName(-res))
	}
	return fmt.Sprint(res)
}
