// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// WriteTable prints rows (already sorted) and a totals line, aligned in
// columns. Column set depends on by.
func WriteTable(w io.Writer, by By, rows []Row, total Counters) error {
	head := []string{"PROGRAM"}
	if by >= ByProcIP {
		head = append(head, "PEER")
	}
	if by >= ByProcIPPort {
		head = append(head, "PORT")
	}
	if by >= ByProcIP {
		head = append(head, "PROTO")
	}
	head = append(head, "TX_BYTES", "RX_BYTES", "TX_CALLS", "RX_CALLS", "CONNS")
	nText := len(head) - 5
	lines := make([][]string, 0, len(rows)+2)
	lines = append(lines, head)
	cells := func(c Counters) []string {
		return []string{u(c.TxBytes), u(c.RxBytes), u(c.TxCalls), u(c.RxCalls), u(c.Conns)}
	}
	for _, r := range rows {
		l := []string{event.SafeString(r.Program, false)}
		if by >= ByProcIP {
			l = append(l, r.PeerLabel(by))
		}
		if by >= ByProcIPPort {
			l = append(l, r.PortLabel(by))
		}
		if by >= ByProcIP {
			proto := r.Proto.String()
			if r.Other {
				proto = ""
			}
			l = append(l, proto)
		}
		lines = append(lines, append(l, cells(r.Counters)...))
	}
	tl := make([]string, nText)
	tl[0] = "TOTAL"
	lines = append(lines, append(tl, cells(total)...))
	width := make([]int, len(head))
	for _, l := range lines {
		for i, c := range l {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for _, l := range lines {
		for i, c := range l {
			if i > 0 {
				b.WriteString("  ")
			}
			if i < nText {
				if i == len(l)-1 {
					b.WriteString(c)
				} else {
					fmt.Fprintf(&b, "%-*s", width[i], c)
				}
			} else {
				fmt.Fprintf(&b, "%*s", width[i], c)
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }
