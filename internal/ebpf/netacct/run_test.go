// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ferret-observability/ferret/internal/export/prom"
	"github.com/ferret-observability/ferret/internal/netacct"
)

// TestRunEndToEnd drives the accounting loop over the real probe while this
// process moves a known number of bytes, then checks the printed table and
// the Prometheus endpoint (parsed with the exposition-format parser).
func TestRunEndToEnd(t *testing.T) {
	p := openProbe(t)
	filter, err := netacct.ParseFilter(fmt.Sprintf("proc.pid=%d and fd.rip=127.0.0.1", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	agg := netacct.NewAggregator(netacct.ByProcIPPort, 5, filter)
	col := prom.NewNetCollector(netacct.ByProcIPPort)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(col)
	srv, err := prom.Listen("127.0.0.1:0", reg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var table bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- netacct.Run(ctx, p, agg, 50*time.Millisecond, 0, func(err error) { t.Error(err) }, &netacct.TableSink{W: &table}, col)
	}()

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const up, down = 5_000_011, 4321
	_, server := tcpExchange(t, ln, func() (net.Conn, error) { return net.Dial("tcp4", ln.Addr().String()) }, up, down, 65536)
	cancel() // the final tick reads everything sent so far
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	var got netacct.Counters
	for _, r := range agg.Totals() {
		if r.Port == server.Port() {
			got.Add(r.Counters)
		}
	}
	if got.TxBytes != up || got.RxBytes != down || got.Conns != 1 {
		t.Errorf("totals towards %v: %+v; want tx %d rx %d conns 1", server, got, up, down)
	}
	if !strings.Contains(table.String(), "TOTAL") {
		t.Errorf("no table printed:\n%s", table.String())
	}

	resp, err := http.Get("http://" + srv.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tp := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := tp.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	found := false
	for _, m := range fams["ferret_net_sent_bytes_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "port" && l.GetValue() == fmt.Sprint(server.Port()) {
				found = true
				if v := m.GetCounter().GetValue(); v != up {
					t.Errorf("prometheus sent bytes %v, want %d", v, up)
				}
			}
		}
	}
	if !found {
		t.Errorf("no series for port %d in\n%s", server.Port(), body)
	}
}
