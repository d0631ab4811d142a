// SPDX-License-Identifier: Apache-2.0

package format

import (
	"fmt"
	"io"
	"sort"

	"github.com/ferret-observability/ferret/internal/event"
)

// Summary counts events per type and direction for -S.
type Summary struct {
	counts [event.MaxType]uint64
	// generic system calls are counted per portable syscall code
	generic map[uint32]uint64
}

// NewSummary returns an empty summary.
func NewSummary() *Summary { return &Summary{generic: make(map[uint32]uint64)} }

// Add counts ev.
func (s *Summary) Add(ev *event.Event) {
	t := ev.Type
	if (t == event.GenericE || t == event.GenericX) && ev.NParams > 0 {
		if code, ok := ev.Uint(0); ok {
			s.generic[uint32(code)<<1|uint32(t&1)]++
			return
		}
	}
	if int(t) < len(s.counts) {
		s.counts[t]++
	}
}

type summaryRow struct {
	dir   string
	name  string
	count uint64
}

// Write prints the table in sysdig's layout: most frequent first, names cut
// or padded to 16 columns.
func (s *Summary) Write(w io.Writer) error {
	var rows []summaryRow
	for t, n := range s.counts {
		if n > 0 {
			rows = append(rows, summaryRow{event.Type(t).Dir(), event.Type(t).Name(), n})
		}
	}
	for k, n := range s.generic {
		dir := "> "
		if k&1 == 1 {
			dir = "< "
		}
		rows = append(rows, summaryRow{dir[:1], event.SyscallCodeName(uint16(k >> 1)), n})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].count != rows[j].count {
			return rows[i].count > rows[j].count
		}
		if rows[i].name != rows[j].name {
			return rows[i].name < rows[j].name
		}
		return rows[i].dir > rows[j].dir
	})
	if _, err := io.WriteString(w, "----------------------\nEvent           #Calls\n----------------------\n"); err != nil {
		return err
	}
	for _, r := range rows {
		name := r.name
		if len(name) > 16 {
			name = name[:16]
		}
		if _, err := fmt.Fprintf(w, "%s %-16s%d\n", r.dir, name, r.count); err != nil {
			return err
		}
	}
	return nil
}
