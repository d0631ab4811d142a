// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// SyscallStats are the -c counters of one syscall.
type SyscallStats struct {
	Name   string
	Calls  uint64
	Errors uint64
	TimeNS uint64 // summed enter-to-exit latency
	MinNS  uint64 // shortest call
	MaxNS  uint64 // longest call
}

// SortBy orders the -c table (strace -S).
type SortBy uint8

// Sort orders of the -c table; ties are in syscall-number order.
const (
	SortTime    SortBy = iota // total time, longest first (default)
	SortCalls                 // calls, most first
	SortErrors                // errors, most first
	SortName                  // syscall name
	SortNothing               // syscall number
	SortAvgTime               // time per call, longest first
	SortMinTime               // shortest call, longest first
	SortMaxTime               // longest call, longest first
)

// ParseSortBy reads a strace -S argument.
func ParseSortBy(v string) (SortBy, error) {
	switch strings.ReplaceAll(v, "-", "_") {
	case "time", "time_total", "total_time":
		return SortTime, nil
	case "calls", "count":
		return SortCalls, nil
	case "errors", "error":
		return SortErrors, nil
	case "name", "syscall", "syscall_name":
		return SortName, nil
	case "nothing", "none":
		return SortNothing, nil
	case "avg_time", "time_avg":
		return SortAvgTime, nil
	case "min_time", "time_min":
		return SortMinTime, nil
	case "max_time", "time_max":
		return SortMaxTime, nil
	}
	return 0, fmt.Errorf("invalid sortby: '%s'", v)
}

// Summary accumulates strace -c counters.
type Summary struct {
	byName map[string]*SyscallStats
	sortBy SortBy
}

// NewSummary returns an empty summary whose table is ordered by sortBy.
func NewSummary(sortBy SortBy) *Summary {
	return &Summary{byName: make(map[string]*SyscallStats), sortBy: sortBy}
}

// Add counts one completed call.
func (s *Summary) Add(name string, latNS uint64, failed bool) {
	st := s.byName[name]
	if st == nil {
		st = &SyscallStats{Name: name}
		s.byName[name] = st
	}
	if st.Calls == 0 || latNS < st.MinNS {
		st.MinNS = latNS
	}
	st.MaxNS = max(st.MaxNS, latNS)
	st.Calls++
	st.TimeNS += latNS
	if failed {
		st.Errors++
	}
}

// Rows returns the counters sorted as strace sorts them: by the summary's
// key, ties in syscall-number order.
func (s *Summary) Rows() []SyscallStats {
	out := make([]SyscallStats, 0, len(s.byName))
	for _, st := range s.byName {
		out = append(out, *st)
	}
	// key returns the descending sort key of a row
	key := func(st *SyscallStats) uint64 {
		switch s.sortBy {
		case SortTime:
			return st.TimeNS
		case SortCalls:
			return st.Calls
		case SortErrors:
			return st.Errors
		case SortAvgTime:
			return st.TimeNS / max(st.Calls, 1)
		case SortMinTime:
			return st.MinNS
		case SortMaxTime:
			return st.MaxNS
		}
		return 0
	}
	sort.Slice(out, func(i, j int) bool {
		if s.sortBy == SortName {
			return out[i].Name < out[j].Name
		}
		if ki, kj := key(&out[i]), key(&out[j]); ki != kj {
			return ki > kj
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
