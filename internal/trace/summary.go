// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"fmt"
	"io"
	"sort"
)

// SyscallStats are the -c counters of one syscall.
type SyscallStats struct {
	Name   string
	Calls  uint64
	Errors uint64
	TimeNS uint64 // summed enter-to-exit latency
}

// Summary accumulates strace -c counters.
type Summary struct {
	byName map[string]*SyscallStats
}

// NewSummary returns an empty summary.
func NewSummary() *Summary { return &Summary{byName: make(map[string]*SyscallStats)} }

// Add counts one completed call.
func (s *Summary) Add(name string, latNS uint64, failed bool) {
	st := s.byName[name]
	if st == nil {
		st = &SyscallStats{Name: name}
		s.byName[name] = st
	}
	st.Calls++
	st.TimeNS += latNS
	if failed {
		st.Errors++
	}
}

// Rows returns the counters sorted as strace sorts them by default: by
// time, descending, ties in syscall-number order.
func (s *Summary) Rows() []SyscallStats {
	out := make([]SyscallStats, 0, len(s.byName))
	for _, st := range s.byName {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].TimeNS != out[j].TimeNS {
			return out[i].TimeNS > out[j].TimeNS
		}
		ni, nj := syscallNr(out[i].Name), syscallNr(out[j].Name)
		if ni != nj {
			return ni < nj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

const summaryRule = "------ ----------- ----------- --------- --------- ----------------\n"

// WriteTo prints the table in strace -c layout.
func (s *Summary) WriteTo(w io.Writer) (int64, error) {
	rows := s.Rows()
	var total SyscallStats
	for i := range rows {
		total.Calls += rows[i].Calls
		total.Errors += rows[i].Errors
		total.TimeNS += rows[i].TimeNS
	}
	buf := []byte("% time     seconds  usecs/call     calls    errors syscall\n" + summaryRule)
	row := func(pct float64, st *SyscallStats, name string) {
		var per uint64
		if st.Calls > 0 {
			per = st.TimeNS / 1000 / st.Calls
		}
		buf = fmt.Appendf(buf, "%6.2f %11.6f %11d %9d ", pct, float64(st.TimeNS)/1e9, per, st.Calls)
		if st.Errors > 0 {
			buf = fmt.Appendf(buf, "%9d ", st.Errors)
		} else {
			buf = append(buf, "          "...)
		}
		buf = append(buf, name...)
		buf = append(buf, '\n')
	}
	for i := range rows {
		var pct float64
		if total.TimeNS > 0 {
			pct = 100 * float64(rows[i].TimeNS) / float64(total.TimeNS)
		}
		row(pct, &rows[i], rows[i].Name)
	}
	buf = append(buf, summaryRule...)
	row(100, &total, "total")
	n, err := w.Write(buf)
	return int64(n), err
}
