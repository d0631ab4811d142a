// SPDX-License-Identifier: Apache-2.0

package zabbix

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/netacct"
)

// Item keys sent by NetExporter. Per-peer items take the parameters
// [program], [program,peer,proto] or [program,peer,port,proto] according
// to the grouping, with values that are cumulative counters (the template,
// Template, stores them per second). Discovery data goes to
// DiscoveryKey[grouping] (ferret.net.discovery[proc,ip], ...), one
// low-level discovery rule per grouping.
const (
	DiscoveryKey = "ferret.net.discovery"
	keyPrefix    = "ferret.net."
)

// Template is the Zabbix template (export format of Zabbix 6.0 and later,
// JSON) with the discovery rules and item prototypes of every key
// NetExporter sends.
//
//go:embed ferret_net_template.json
var Template []byte

// DiscoveryKeyFor is the key of the discovery data of a grouping.
func DiscoveryKeyFor(by netacct.By) string { return DiscoveryKey + "[" + by.String() + "]" }

var counterKeys = []struct {
	name string
	get  func(netacct.Counters) uint64
}{
	{"bytes_sent", func(c netacct.Counters) uint64 { return c.TxBytes }},
	{"bytes_received", func(c netacct.Counters) uint64 { return c.RxBytes }},
	{"send_calls", func(c netacct.Counters) uint64 { return c.TxCalls }},
	{"receive_calls", func(c netacct.Counters) uint64 { return c.RxCalls }},
	{"connections", func(c netacct.Counters) uint64 { return c.Conns }},
}

// NetExporter turns network accounting ticks into discovery data and item
// values for one monitored host, queued on a Sender and flushed each tick.
type NetExporter struct {
	S    *Sender
	Host string
	// Log, when set, receives one line per push: values sent, processed
	// and failed.
	Log io.Writer

	known map[netacct.Key]bool
}

// Tick implements netacct.Sink.
func (e *NetExporter) Tick(t *netacct.Tick) error {
	if e.known == nil {
		e.known = map[netacct.Key]bool{}
	}
	clock := t.Time.Unix()
	items := Items(e.Host, t, clock)
	newKeys := false
	for _, r := range t.Totals {
		if !e.known[r.Key] {
			newKeys = true
			e.known[r.Key] = true
		}
	}
	if newKeys {
		// Discovery first, so items exist when their values arrive
		// (Zabbix creates them shortly after; early values may fail).
		e.S.Enqueue(Item{Host: e.Host, Key: DiscoveryKeyFor(t.By), Value: Discovery(t.By, t.Totals), Clock: clock})
	}
	e.S.Enqueue(items...)
	r, err := e.S.Flush()
	if e.Log != nil {
		st := e.S.Stats()
		line := fmt.Sprintf("zabbix %s %s: processed %d, failed %d of %d values", t.Time.Format("15:04:05"), e.S.Addr(), r.Processed, r.Failed, r.Total)
		if err != nil {
			line += fmt.Sprintf("; not delivered: %d queued, %d dropped", st.Queued, st.Dropped)
		}
		fmt.Fprintln(e.Log, line)
	}
	if err != nil {
		st := e.S.Stats()
		return fmt.Errorf("%w (%d values queued, %d dropped)", err, st.Queued, st.Dropped)
	}
	if r.Failed > 0 {
		return fmt.Errorf("zabbix: server %s processed %d, failed %d of %d values", e.S.Addr(), r.Processed, r.Failed, r.Total)
	}
	return nil
}

// Items renders the per-peer counters and health values of a tick.
func Items(host string, t *netacct.Tick, clock int64) []Item {
	items := make([]Item, 0, len(t.Totals)*len(counterKeys)+4)
	for _, r := range t.Totals {
		params := KeyParams(t.By, r.Key)
		for _, ck := range counterKeys {
			items = append(items, Item{Host: host, Key: keyPrefix + ck.name + params, Value: strconv.FormatUint(ck.get(r.Counters), 10), Clock: clock})
		}
	}
	k := t.Kernel
	items = append(items,
		Item{Host: host, Key: keyPrefix + "calls", Value: strconv.FormatUint(k.Calls, 10), Clock: clock},
		Item{Host: host, Key: keyPrefix + "dropped_calls", Value: strconv.FormatUint(k.Drops(), 10), Clock: clock},
		Item{Host: host, Key: keyPrefix + "flow_map_pressure", Value: strconv.FormatFloat(k.Pressure(), 'f', 4, 64), Clock: clock},
	)
	return items
}

// KeyParams renders the bracketed, quoted key parameters of a row.
func KeyParams(by netacct.By, k netacct.Key) string {
	ps := []string{k.Program}
	if by >= netacct.ByProcIP {
		ps = append(ps, k.PeerLabel(by))
	}
	if by >= netacct.ByProcIPPort {
		ps = append(ps, k.PortLabel(by))
	}
	if by >= netacct.ByProcIP {
		proto := k.Proto.String()
		if k.Other {
			proto = ""
		}
		ps = append(ps, proto)
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.TrimRight(strings.ReplaceAll(p, `"`, `\"`), `\`))
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

// Discovery renders low-level discovery data for the rows: macros
// {#PROGRAM}, and per grouping {#PEER}, {#PORT}, {#PROTO}.
func Discovery(by netacct.By, rows []netacct.Row) string {
	b := []byte(`{"data":[`)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"{#PROGRAM}":`...)
		b = appendString(b, r.Program)
		if by >= netacct.ByProcIP {
			b = append(b, `,"{#PEER}":`...)
			b = appendString(b, r.PeerLabel(by))
		}
		if by >= netacct.ByProcIPPort {
			b = append(b, `,"{#PORT}":`...)
			b = appendString(b, r.PortLabel(by))
		}
		if by >= netacct.ByProcIP {
			proto := r.Proto.String()
			if r.Other {
				proto = ""
			}
			b = append(b, `,"{#PROTO}":`...)
			b = appendString(b, proto)
		}
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	return string(b)
}
