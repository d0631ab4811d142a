// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"io"

	"github.com/ferret-observability/ferret/internal/event"
)

// writeEventList writes the -L listing: one line per enter and exit event
// with its parameter types and names.
func writeEventList(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for t := event.Type(0); int(t) < event.MaxType; t++ {
		info := t.Info()
		if info.Flags&(event.FlagUnused|event.FlagOldVersion) != 0 || info.Category&event.CatInternal != 0 {
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
			if p.Type == event.PTDyn {
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
