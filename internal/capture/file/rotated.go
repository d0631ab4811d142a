// SPDX-License-Identifier: Apache-2.0

package file

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// expand returns p itself when it exists, or else the rotated set p0, p1, ...
// (the names -C, -W and -e give), oldest first.
func expand(p string) ([]string, error) {
	if _, err := os.Stat(p); err == nil {
		return []string{p}, nil
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("opening capture file: %w", err)
	}
	matches, _ := filepath.Glob(escapeGlob(p) + "[0-9]*")
	type member struct {
		path  string
		n     int
		mtime int64
	}
	var set []member
	for _, m := range matches {
		n, err := strconv.Atoi(strings.TrimPrefix(m, p))
		if err != nil || n < 0 {
			continue
		}
		st, err := os.Stat(m)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		set = append(set, member{m, n, st.ModTime().UnixNano()})
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("opening capture file: %s: no such file or rotated set", p)
	}
	sort.Slice(set, func(i, j int) bool { return set[i].n < set[j].n })
	// A ring (-W) that wrapped around has its oldest file after the newest:
	// start right after the point where modification times go backwards.
	start := 0
	for i := 0; i+1 < len(set); i++ {
		if set[i+1].mtime < set[i].mtime {
			start = i + 1
			break
		}
	}
	out := make([]string, 0, len(set))
	for i := range set {
		out = append(out, set[(start+i)%len(set)].path)
	}
	return out, nil
}

func escapeGlob(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}
