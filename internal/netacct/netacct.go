// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Proto is an IP transport protocol number.
type Proto uint8

// Transport protocols that are accounted.
const (
	TCP Proto = 6
	UDP Proto = 17
)

func (p Proto) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case 0:
		return ""
	}
	return strconv.Itoa(int(p))
}

// Counters are byte, call and connection counts in both directions.
type Counters struct {
	TxBytes, RxBytes uint64
	TxCalls, RxCalls uint64
	Conns            uint64
}

// Add adds o to c.
func (c *Counters) Add(o Counters) {
	c.TxBytes += o.TxBytes
	c.RxBytes += o.RxBytes
	c.TxCalls += o.TxCalls
	c.RxCalls += o.RxCalls
	c.Conns += o.Conns
}

// Bytes is the traffic in both directions.
func (c Counters) Bytes() uint64 { return c.TxBytes + c.RxBytes }

// IsZero reports whether nothing was counted.
func (c Counters) IsZero() bool { return c == Counters{} }

// sub returns c-o; when any counter went backwards (the kernel entry was
// removed and created again) the new values count from zero.
func (c Counters) sub(o Counters) Counters {
	if c.TxBytes < o.TxBytes || c.RxBytes < o.RxBytes || c.TxCalls < o.TxCalls || c.RxCalls < o.RxCalls || c.Conns < o.Conns {
		return c
	}
	return Counters{c.TxBytes - o.TxBytes, c.RxBytes - o.RxBytes, c.TxCalls - o.TxCalls, c.RxCalls - o.RxCalls, c.Conns - o.Conns}
}

// FlowKey identifies one kernel accounting entry: a process and the remote
// end of its sockets. Addr is invalid when the peer was unknown (an
// unconnected datagram socket whose destination was not seen).
type FlowKey struct {
	PID   uint32
	Comm  string
	Addr  netip.Addr
	Port  uint16
	Proto Proto
}

// Flow is a cumulative kernel sample of one entry.
type Flow struct {
	Key FlowKey
	Counters
}

// KernelStats describes the health of the kernel side.
type KernelStats struct {
	Calls       uint64 // socket calls accounted
	FlowMapFull uint64 // calls lost because the flow map was full
	SockMapFull uint64 // socket-owner updates that failed
	NoPeer      uint64 // datagram calls with an unknown peer (still counted)
	TCPMapFull  uint64 // closed TCP connections not recorded
	Entries     int    // flow map entries in use
	MaxEntries  int    // flow map capacity
}

// Drops is the number of socket calls that were not accounted.
func (s KernelStats) Drops() uint64 { return s.FlowMapFull }

// Pressure is the fraction of the flow map in use.
func (s KernelStats) Pressure() float64 {
	if s.MaxEntries == 0 {
		return 0
	}
	return float64(s.Entries) / float64(s.MaxEntries)
}

// By selects the grouping of rows.
type By uint8

// Groupings accepted by --by.
const (
	ByProc By = iota
	ByProcIP
	ByProcIPPort
)

// ParseBy parses "proc", "proc,ip" or "proc,ip,port".
func ParseBy(s string) (By, error) {
	switch strings.ReplaceAll(strings.TrimSpace(s), " ", "") {
	case "proc":
		return ByProc, nil
	case "proc,ip":
		return ByProcIP, nil
	case "proc,ip,port":
		return ByProcIPPort, nil
	}
	return 0, fmt.Errorf("unknown grouping %q (want proc, proc,ip or proc,ip,port)", s)
}

func (b By) String() string {
	return [...]string{"proc", "proc,ip", "proc,ip,port"}[b]
}

// Key is a row of a table: a program and, depending on the grouping, a peer
// address, port and protocol. Other marks the bucket of peers beyond the
// top K of a program.
type Key struct {
	Program string
	Addr    netip.Addr
	Port    uint16
	Proto   Proto
	Other   bool
}

// PeerLabel renders the peer column: an address, "other", "unknown" or "".
func (k Key) PeerLabel(by By) string {
	switch {
	case by == ByProc:
		return ""
	case k.Other:
		return "other"
	case !k.Addr.IsValid():
		return "unknown"
	}
	return k.Addr.String()
}

// PortLabel renders the port column ("" when not grouped by port).
func (k Key) PortLabel(by By) string {
	if by != ByProcIPPort || k.Other {
		return ""
	}
	return strconv.Itoa(int(k.Port))
}

// group maps a flow key to its row key.
func group(f FlowKey, by By) Key {
	k := Key{Program: f.Comm}
	if by >= ByProcIP {
		k.Addr = f.Addr.Unmap()
		k.Proto = f.Proto
	}
	if by >= ByProcIPPort {
		k.Port = f.Port
	}
	return k
}

// Compare orders keys: program, then "other" last, then address, port,
// protocol.
func (k Key) Compare(o Key) int {
	if c := strings.Compare(k.Program, o.Program); c != 0 {
		return c
	}
	if k.Other != o.Other {
		if k.Other {
			return 1
		}
		return -1
	}
	if c := k.Addr.Compare(o.Addr); c != 0 {
		return c
	}
	if c := cmp.Compare(k.Port, o.Port); c != 0 {
		return c
	}
	return cmp.Compare(k.Proto, o.Proto)
}

// Row is one line of a table.
type Row struct {
	Key
	Counters
}

// SortRows orders rows by traffic (most first), ties broken by key.
func SortRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		if c := cmp.Compare(b.Bytes(), a.Bytes()); c != 0 {
			return c
		}
		return a.Key.Compare(b.Key)
	})
}

// Sum totals rows.
func Sum(rows []Row) Counters {
	var t Counters
	for _, r := range rows {
		t.Add(r.Counters)
	}
	return t
}

// TopK keeps, per program, the k peers with the most traffic and folds the
// rest into one "other" row of that program. k <= 0 keeps everything. The
// result is sorted.
func TopK(rows []Row, k int) []Row {
	out := slices.Clone(rows)
	SortRows(out)
	if k <= 0 {
		return out
	}
	seen := map[string]int{}
	other := map[string]int{} // program -> index in kept
	kept := out[:0:0]
	for _, r := range out {
		if seen[r.Program] < k {
			seen[r.Program]++
			kept = append(kept, r)
			continue
		}
		if i, ok := other[r.Program]; ok {
			kept[i].Counters.Add(r.Counters)
			continue
		}
		other[r.Program] = len(kept)
		kept = append(kept, Row{Key: Key{Program: r.Program, Other: true}, Counters: r.Counters})
	}
	SortRows(kept)
	return kept
}
