// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	gonats "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ferret-observability/ferret/internal/capture/file"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/format"
	"github.com/ferret-observability/ferret/internal/netacct"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// messages returns the payloads and headers stored for a subject.
func messages(t *testing.T, url, subject string) ([]string, []gonats.Header) {
	t.Helper()
	nc, err := gonats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	cons, err := js.OrderedConsumer(ctx, capnats.DefaultStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	var hdrs []gonats.Header
	for n := cons.CachedInfo().NumPending; n > 0; n-- {
		m, err := cons.Next(jetstream.FetchMaxWait(30 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, string(m.Data()))
		hdrs = append(hdrs, m.Headers())
	}
	return data, hdrs
}

// TestStreamJSONEvents: with -j, each event is one message holding what
// ferret -j prints for it.
func TestStreamJSONEvents(t *testing.T) {
	srv := testutil.StartNATS(t)
	path := trace(t, "sample.scap")
	f, err := format.Compile(format.Default, fields.Default)
	if err != nil {
		t.Fatal(err)
	}
	// what ferret -j prints
	var want bytes.Buffer
	src, _ := file.Open(path)
	p := format.NewPrinter(&want, f, format.PrinterOptions{JSON: true})
	r := engine.New(src, engine.Options{Ctx: func(c *fields.Ctx) { c.JSON = true; c.PrintLen = 0 }}, printer{p})
	if err := r.Loop(); err != nil {
		t.Fatal(err)
	}
	p.Flush()
	src.Close()

	tg, _ := capnats.ParseURL(srv.URL + "/ferret.json")
	sink, err := OpenJSON(Options{Target: tg}, f, false)
	if err != nil {
		t.Fatal(err)
	}
	src, _ = file.Open(path)
	defer src.Close()
	r = engine.New(src, engine.Options{Ctx: func(c *fields.Ctx) { c.JSON = true; c.PrintLen = 0 }}, sink)
	if err := r.Loop(); err != nil {
		t.Fatal(err)
	}
	got, hdrs := messages(t, srv.URL, "ferret.json")
	lines := strings.Split(strings.TrimSuffix(want.String(), "\n"), "\n")
	if len(got) != len(lines) {
		t.Fatalf("%d messages, want %d", len(got), len(lines))
	}
	for i := range lines {
		if got[i] != lines[i] {
			t.Fatalf("message %d: %s\nwant %s", i+1, got[i], lines[i])
		}
		if !json.Valid([]byte(got[i])) || hdrs[i].Get(capnats.HdrFormat) != "json" || hdrs[i].Get(capnats.HdrHost) != "ubuntu2204.localdomain" {
			t.Fatalf("message %d: %s %v", i+1, got[i], hdrs[i])
		}
	}
}

type printer struct{ p *format.Printer }

func (printer) OnCaptureStart(*engine.Run) error { return nil }
func (printer) OnCaptureEnd(*engine.Run) error   { return nil }
func (c printer) OnEvent(ctx *fields.Ctx) error  { return c.p.Event(ctx) }

// TestNetPublisher: ferret net --nats publishes each interval as one JSON
// table.
func TestNetPublisher(t *testing.T) {
	srv := testutil.StartNATS(t)
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.net.h")
	pub, err := OpenNet(Options{Target: tg}, "h")
	if err != nil {
		t.Fatal(err)
	}
	row := netacct.Row{Key: netacct.Key{Program: "curl", Addr: netip.MustParseAddr("10.0.0.1"), Port: 443, Proto: netacct.TCP},
		Counters: netacct.Counters{TxBytes: 10, RxBytes: 20, TxCalls: 1, RxCalls: 2, Conns: 1}}
	tick := &netacct.Tick{Time: time.Unix(1700000000, 0).UTC(), Every: 10 * time.Second, By: netacct.ByProcIPPort,
		Interval: netacct.Interval{Rows: []netacct.Row{row}}, Totals: []netacct.Row{row}}
	if err := pub.Tick(tick); err != nil {
		t.Fatal(err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := messages(t, srv.URL, "ferret.net.h")
	want := `{"time":"2023-11-14T22:13:20Z","host":"h","interval_seconds":10,"by":"proc,ip,port","rows":[{"program":"curl","peer":"10.0.0.1","port":443,"proto":"tcp","tx_bytes":10,"rx_bytes":20,"tx_calls":1,"rx_calls":2,"connections":1}],"totals":[{"program":"curl","peer":"10.0.0.1","port":443,"proto":"tcp","tx_bytes":10,"rx_bytes":20,"tx_calls":1,"rx_calls":2,"connections":1}],"kernel":{"calls":0,"dropped_calls":0,"flow_map_entries":0,"flow_map_capacity":0}}`
	if len(got) != 1 || got[0] != want {
		t.Errorf("messages %q\nwant %s", got, want)
	}
}
