// SPDX-License-Identifier: Apache-2.0

package unwind

import (
	"bufio"
	"bytes"
	"os"
	"sort"
	"strconv"
)

// Mapping is one line of /proc/PID/maps that maps a file.
type Mapping struct {
	Start, End uint64 // addresses [Start, End)
	Off        uint64 // file offset of Start
	Path       string
}

// Maps are the file mappings of a process, ordered by address.
type Maps []Mapping

// ReadMaps reads the file mappings of process pid. An error means the
// process is gone (or its maps cannot be read).
func ReadMaps(pid int) (Maps, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/maps")
	if err != nil {
		return nil, err
	}
	return ParseMaps(b), nil
}

// ParseMaps parses the text of /proc/PID/maps, keeping the mappings of
// files (paths starting with '/').
func ParseMaps(b []byte) Maps {
	var out Maps
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 6 || len(f[5]) == 0 || f[5][0] != '/' {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte{'-'})
		if !ok {
			continue
		}
		start, e1 := strconv.ParseUint(string(lo), 16, 64)
		end, e2 := strconv.ParseUint(string(hi), 16, 64)
		off, e3 := strconv.ParseUint(string(f[2]), 16, 64)
		if e1 != nil || e2 != nil || e3 != nil || end <= start {
			continue
		}
		// the path is the rest of the line (it may hold spaces)
		line := sc.Bytes()
		i := bytes.Index(line, f[5])
		out = append(out, Mapping{Start: start, End: end, Off: off, Path: string(line[i:])})
	}
	sortMaps(out)
	return out
}

func sortMaps(m Maps) { sort.Slice(m, func(i, j int) bool { return m[i].Start < m[j].Start }) }

// Find returns the mapping holding addr.
func (m Maps) Find(addr uint64) (*Mapping, bool) {
	i := sort.Search(len(m), func(i int) bool { return m[i].End > addr })
	if i < len(m) && m[i].Start <= addr {
		return &m[i], true
	}
	return nil, false
}
