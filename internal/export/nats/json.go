// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"encoding/json"
	"time"

	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/format"
	"github.com/ferret-observability/ferret/internal/netacct"
)

// JSONSink is the engine consumer of ferret -j -w nats://…: one message
// per event holding the JSON object ferret -j prints for it (the fields of
// the -p format), with the headers Ferret-Format: json, Ferret-Host and
// Ferret-Time (the event's time in ns). A display filter (-d) applies to
// it as to the printer.
type JSONSink struct {
	*conn
	out     outlet
	printer *format.Printer
	ts      uint64
	err     error
}

// OpenJSON connects like Open; f is the -p format, internal whether
// internal events are sent too (-D).
func OpenJSON(o Options, f *format.Format, internal bool) (*JSONSink, error) {
	c, err := openConn(&o)
	if err != nil {
		return nil, err
	}
	s := &JSONSink{conn: c}
	// Each line the printer flushes is one message.
	s.printer = format.NewPrinter(lineWriter{s}, f, format.PrinterOptions{JSON: true, Internal: internal, FlushLines: true})
	return s, nil
}

type lineWriter struct{ s *JSONSink }

func (w lineWriter) Write(p []byte) (int, error) {
	s := w.s
	line := p
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if err := s.out.send(append([]byte(nil), line...), "json", 1, s.ts, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// OnCaptureStart names the writer after the capturing machine.
func (s *JSONSink) OnCaptureStart(r *engine.Run) error {
	s.out = newOutlet(s.conn, r.Source.Snapshot().Machine)
	return nil
}

// OnEvent sends the event's JSON object.
func (s *JSONSink) OnEvent(c *fields.Ctx) error {
	s.ts = c.Ev.TS
	return s.printer.Event(c)
}

// DisplayFiltered makes -d apply to the JSON events.
func (*JSONSink) DisplayFiltered() {}

// OnCaptureEnd waits for the acknowledgements and reports drops.
func (s *JSONSink) OnCaptureEnd(*engine.Run) error {
	if s.pub == nil {
		return nil
	}
	_, err := s.conn.close()
	s.pub = nil
	return err
}

// NetPublisher is the netacct sink of ferret net --nats: one JSON message
// per interval (schema in NetTable).
type NetPublisher struct {
	*conn
	out outlet
}

// OpenNet connects like Open for ferret net's tables.
func OpenNet(o Options, host string) (*NetPublisher, error) {
	c, err := openConn(&o)
	if err != nil {
		return nil, err
	}
	return &NetPublisher{conn: c, out: newOutlet(c, event.Machine{Hostname: host})}, nil
}

// NetTable is the JSON document of one interval of ferret net.
type NetTable struct {
	Time     time.Time `json:"time"`
	Host     string    `json:"host"`
	Interval float64   `json:"interval_seconds"`
	By       string    `json:"by"`     // proc, proc,ip or proc,ip,port
	Rows     []NetRow  `json:"rows"`   // this interval's deltas, by traffic
	Totals   []NetRow  `json:"totals"` // cumulative since the start
	Kernel   NetKernel `json:"kernel"`
}

// NetRow is one program (and peer) of a table.
type NetRow struct {
	Program     string `json:"program"`
	Peer        string `json:"peer,omitempty"`
	Port        uint16 `json:"port,omitempty"`
	Proto       string `json:"proto,omitempty"`
	Other       bool   `json:"other,omitempty"` // peers beyond --top-k summed
	TxBytes     uint64 `json:"tx_bytes"`
	RxBytes     uint64 `json:"rx_bytes"`
	TxCalls     uint64 `json:"tx_calls"`
	RxCalls     uint64 `json:"rx_calls"`
	Connections uint64 `json:"connections"`
}

// NetKernel holds the probe's counters.
type NetKernel struct {
	Calls        uint64 `json:"calls"`
	DroppedCalls uint64 `json:"dropped_calls"`
	FlowEntries  int    `json:"flow_map_entries"`
	FlowCapacity int    `json:"flow_map_capacity"`
}

func netRows(by netacct.By, rows []netacct.Row) []NetRow {
	out := make([]NetRow, 0, len(rows))
	for _, r := range rows {
		n := NetRow{Program: r.Program, Other: r.Other, TxBytes: r.TxBytes, RxBytes: r.RxBytes,
			TxCalls: r.TxCalls, RxCalls: r.RxCalls, Connections: r.Conns}
		if by != netacct.ByProc && !r.Other {
			n.Peer, n.Proto = r.Addr.String(), r.Proto.String()
			if by == netacct.ByProcIPPort {
				n.Port = r.Port
			}
		}
		out = append(out, n)
	}
	return out
}

// Tick implements netacct.Sink.
func (p *NetPublisher) Tick(t *netacct.Tick) error {
	doc := NetTable{Time: t.Time, Host: p.out.host, Interval: t.Every.Seconds(), By: t.By.String(),
		Rows: netRows(t.By, t.Interval.Rows), Totals: netRows(t.By, t.Totals),
		Kernel: NetKernel{Calls: t.Kernel.Calls, DroppedCalls: t.Kernel.Drops(), FlowEntries: t.Kernel.Entries, FlowCapacity: t.Kernel.MaxEntries}}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return p.out.send(b, "json", 0, uint64(t.Time.UnixNano()), false)
}

// Close waits for the acknowledgements and reports drops.
func (p *NetPublisher) Close() error {
	_, err := p.conn.close()
	return err
}
