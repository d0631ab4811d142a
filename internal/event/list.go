// SPDX-License-Identifier: Apache-2.0

package event

import (
	"bufio"
	"io"
)

// WriteList writes the -L listing: one line per enter and exit event
// with its parameter types and names.
func WriteList(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for t := Type(0); int(t) < MaxType; t++ {
		info := t.Info()
		if info.Flags&(FlagUnused|FlagOldVersion) != 0 || info.Category&CatInternal != 0 {
			continue
		}
		bw.WriteString(t.Dir())
		bw.WriteByte(' ')
		bw.WriteString(info.Name)
		bw.WriteByte('(')
		for i, p := range info.Params {
			if i > 0 {
				bw.WriteString(", ")
			}
			if p.Type == PTDyn {
				bw.WriteString("DYNAMIC")
			} else {
				bw.WriteString(p.Type.String())
			}
			bw.WriteByte(' ')
			bw.WriteString(p.Name)
		}
		bw.WriteString(")\n")
	}
	return bw.Flush()
}
