// SPDX-License-Identifier: Apache-2.0

package event

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMountSyntax is wrapped by mountinfo parse errors.
var ErrMountSyntax = errors.New("malformed mountinfo line")

// ParseMountLine parses one line of /proc/<pid>/mountinfo:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
func ParseMountLine(line string) (Mount, error) {
	var m Mount
	f := strings.Fields(line)
	sep := -1
	for i := 6; i < len(f); i++ {
		if f[i] == "-" {
			sep = i
			break
		}
	}
	if len(f) < 7 || sep < 0 || len(f) < sep+3 {
		return m, ErrMountSyntax
	}
	var err error
	if m.ID, err = strconv.Atoi(f[0]); err != nil {
		return m, ErrMountSyntax
	}
	if m.Parent, err = strconv.Atoi(f[1]); err != nil {
		return m, ErrMountSyntax
	}
	m.Dev = mountField(f[2])
	m.Root = mountField(f[3])
	m.Point = mountField(f[4])
	m.Options = mountField(f[5])
	m.FSType = mountField(f[sep+1])
	m.Source = mountField(f[sep+2])
	if len(f) > sep+3 {
		m.SuperOpts = mountField(f[sep+3])
	}
	if m.Point == "" || m.Point[0] != '/' {
		return m, ErrMountSyntax
	}
	return m, nil
}

// mountField unescapes a mountinfo field; \000 (which the kernel never
// writes: no field holds a NUL) is an empty one, as AppendMountLine writes
// it.
func mountField(s string) string {
	if s == `\000` {
		return ""
	}
	return UnescapeMount(s)
}

// AppendMountLine appends m as a mountinfo line (without its newline),
// escaping space, tab, newline and backslash as the kernel does, so that
// ParseMountLine reads it back; an empty field is written \000.
func AppendMountLine(b []byte, m *Mount) []byte {
	b = strconv.AppendInt(b, int64(m.ID), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(m.Parent), 10)
	b = append(b, ' ')
	b = appendMountField(b, m.Dev)
	b = append(b, ' ')
	b = appendMountField(b, m.Root)
	b = append(b, ' ')
	b = appendMountField(b, m.Point)
	b = append(b, ' ')
	b = appendMountField(b, m.Options)
	b = append(b, " - "...)
	b = appendMountField(b, m.FSType)
	b = append(b, ' ')
	b = appendMountField(b, m.Source)
	if m.SuperOpts != "" {
		b = append(b, ' ')
		b = appendMountField(b, m.SuperOpts)
	}
	return b
}

func appendMountField(b []byte, s string) []byte {
	if s == "" {
		return append(b, `\000`...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\\':
			b = append(b, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
		default:
			b = append(b, c)
		}
	}
	return b
}

// UnescapeMount undoes the kernel's octal escaping of space, tab, newline
// and backslash (\040, \011, \012, \134) in mountinfo fields.
func UnescapeMount(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && isOct(s, i+1) {
			b = append(b, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isOct(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for j := i; j < i+3; j++ {
		if s[j] < '0' || s[j] > '7' {
			return false
		}
	}
	return s[i] <= '3'
}

// MountNSRecord says that thread TID was found in mount namespace NS,
// with that namespace's table when it was read then (Mounts nil: the
// namespace was known already). A live capture records one per look-up,
// and capture writers carry them so that a replay assigns the same
// namespaces at the same events.
type MountNSRecord struct {
	TID    int64
	NS     uint64
	Mounts []Mount
}

// Mount-namespace records travel in capture files as infrastructure
// events (EvInfraE, internal events sysdig reads and does not show) whose
// source is MountNSSource and name MountNSName: the scope says
// "tid=T ns=N" for a namespace already known, "tid=T ns=N part=I/K" for
// part I of K of a table, whose mounts are the description's mountinfo
// lines.
const (
	MountNSSource = "ferret"
	MountNSName   = "mountns"
	// maxMountNSPart bounds the description of one event (a string
	// parameter's length is 16 bits).
	maxMountNSPart = 60000
)

// MountNSEvents calls emit with the scope and description of each event
// carrying rec.
func MountNSEvents(rec *MountNSRecord, emit func(scope, desc string)) {
	head := "tid=" + strconv.FormatInt(rec.TID, 10) + " ns=" + strconv.FormatUint(rec.NS, 10)
	if rec.Mounts == nil {
		emit(head, "")
		return
	}
	var parts [][]byte
	var cur []byte
	for i := range rec.Mounts {
		line := AppendMountLine(nil, &rec.Mounts[i])
		if len(cur) > 0 && len(cur)+len(line)+1 > maxMountNSPart {
			parts = append(parts, cur)
			cur = nil
		}
		if len(line) >= maxMountNSPart {
			continue // cannot be carried
		}
		cur = append(append(cur, line...), '\n')
	}
	parts = append(parts, cur)
	for i, p := range parts {
		emit(fmt.Sprintf("%s part=%d/%d", head, i+1, len(parts)), string(p))
	}
}

// MountNSPart is one decoded mount-namespace event: the thread and
// namespace, and for a table's part its number, the number of parts and
// its mounts.
type MountNSPart struct {
	TID         int64
	NS          uint64
	Part, Parts int // 0 when the event carries no table
	Mounts      []Mount
}

// ParseMountNSEvent decodes an infrastructure event written by
// MountNSEvents; ok is false for other infrastructure events, and err
// names what is malformed in one that claims to be such an event.
func ParseMountNSEvent(ev *Event) (p MountNSPart, ok bool, err error) {
	if ev.Type != EvInfraE || ev.NParams < 4 {
		return p, false, nil
	}
	src, _ := ev.Str(0)
	name, _ := ev.Str(1)
	if src != MountNSSource || name != MountNSName {
		return p, false, nil
	}
	desc, _ := ev.Str(2)
	scope, _ := ev.Str(3)
	var haveTID, haveNS bool
	for _, f := range strings.Fields(scope) {
		k, v, _ := strings.Cut(f, "=")
		var e error
		switch k {
		case "tid":
			p.TID, e = strconv.ParseInt(v, 10, 64)
			haveTID = e == nil
		case "ns":
			p.NS, e = strconv.ParseUint(v, 10, 64)
			haveNS = e == nil
		case "part":
			a, b, _ := strings.Cut(v, "/")
			p.Part, e = strconv.Atoi(a)
			if e == nil {
				p.Parts, e = strconv.Atoi(b)
			}
			if e == nil && (p.Part < 1 || p.Part > p.Parts) {
				e = ErrMountSyntax
			}
		}
		if e != nil {
			return p, true, fmt.Errorf("mount namespace event: bad %q in scope %q", f, scope)
		}
	}
	if !haveTID || !haveNS || p.NS == 0 {
		return p, true, fmt.Errorf("mount namespace event: scope %q lacks a tid or a namespace", scope)
	}
	if p.Part == 0 {
		return p, true, nil
	}
	p.Mounts = []Mount{}
	for n, line := range strings.Split(desc, "\n") {
		if line == "" {
			continue
		}
		m, e := ParseMountLine(line)
		if e != nil {
			return p, true, fmt.Errorf("mount namespace event: line %d: %w", n+1, e)
		}
		p.Mounts = append(p.Mounts, m)
	}
	return p, true, nil
}
