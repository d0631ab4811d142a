// SPDX-License-Identifier: Apache-2.0

package prom

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ferret-observability/ferret/internal/hist"
	"github.com/ferret-observability/ferret/internal/netacct"
)

func flow(pid uint32, comm, addr string, port uint16, c netacct.Counters) netacct.Flow {
	return netacct.Flow{Key: netacct.FlowKey{PID: pid, Comm: comm, Addr: netip.MustParseAddr(addr), Port: port, Proto: netacct.TCP}, Counters: c}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, body)
	}
	return fams
}

// series renders a family's samples as "label=value,... value" lines.
func series(f *dto.MetricFamily) []string {
	var out []string
	for _, m := range f.GetMetric() {
		var ls []string
		for _, l := range m.GetLabel() {
			ls = append(ls, l.GetName()+"="+l.GetValue())
		}
		v := m.GetCounter().GetValue()
		if m.Gauge != nil {
			v = m.GetGauge().GetValue()
		}
		out = append(out, fmt.Sprintf("%s %g", strings.Join(ls, ","), v))
	}
	sort.Strings(out)
	return out
}

// TestMetricsEndpoint serves accounting totals, parses them with the
// official exposition-format parser and checks values, label bounds and
// that counters never go backwards across ticks.
func TestMetricsEndpoint(t *testing.T) {
	agg := netacct.NewAggregator(netacct.ByProcIP, 2, nil)
	c := NewNetCollector(netacct.ByProcIP)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	srv, err := Listen("127.0.0.1:0", reg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := "http://" + srv.Addr().String() + "/metrics"

	ticks := [][]netacct.Flow{
		{
			flow(10, "curl", "10.0.0.1", 443, netacct.Counters{TxBytes: 100, RxBytes: 1000, TxCalls: 1, RxCalls: 3, Conns: 1}),
			flow(10, "curl", "10.0.0.2", 443, netacct.Counters{TxBytes: 50, RxBytes: 50, TxCalls: 1, RxCalls: 1, Conns: 1}),
			flow(10, "curl", "10.0.0.3", 443, netacct.Counters{TxBytes: 1, RxBytes: 1, TxCalls: 1, RxCalls: 1, Conns: 1}),
			flow(20, "nginx", "fd00::9", 80, netacct.Counters{TxBytes: 7, RxBytes: 8, TxCalls: 1, RxCalls: 1, Conns: 1}),
		},
		{
			// curl's third peer now leads, but keeps going to "other".
			flow(10, "curl", "10.0.0.1", 443, netacct.Counters{TxBytes: 100, RxBytes: 1000, TxCalls: 1, RxCalls: 3, Conns: 1}),
			flow(10, "curl", "10.0.0.2", 443, netacct.Counters{TxBytes: 60, RxBytes: 50, TxCalls: 2, RxCalls: 1, Conns: 1}),
			flow(10, "curl", "10.0.0.3", 443, netacct.Counters{TxBytes: 5001, RxBytes: 1, TxCalls: 2, RxCalls: 1, Conns: 1}),
			flow(10, "curl", "10.0.0.4", 443, netacct.Counters{TxBytes: 4, RxBytes: 0, TxCalls: 1, Conns: 1}),
			flow(20, "nginx", "fd00::9", 80, netacct.Counters{TxBytes: 7, RxBytes: 8, TxCalls: 1, RxCalls: 1, Conns: 1}),
		},
	}
	want := [][]string{
		{
			"peer=10.0.0.1,program=curl,proto=tcp 100",
			"peer=10.0.0.2,program=curl,proto=tcp 50",
			"peer=fd00::9,program=nginx,proto=tcp 7",
			"peer=other,program=curl,proto= 1",
		},
		{
			"peer=10.0.0.1,program=curl,proto=tcp 100",
			"peer=10.0.0.2,program=curl,proto=tcp 60",
			"peer=fd00::9,program=nginx,proto=tcp 7",
			"peer=other,program=curl,proto= 5005",
		},
	}
	for i, flows := range ticks {
		iv := agg.Update(flows)
		c.Tick(&netacct.Tick{Time: time.Unix(int64(i), 0), Interval: iv, Totals: agg.Totals(), By: netacct.ByProcIP,
			Kernel: netacct.KernelStats{Calls: 42, FlowMapFull: 3, Entries: 4, MaxEntries: 16}})
		fams := scrape(t, url)
		got := series(fams["ferret_net_sent_bytes_total"])
		if strings.Join(got, "\n") != strings.Join(want[i], "\n") {
			t.Errorf("tick %d: sent bytes\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(want[i], "\n"))
		}
		if f := fams["ferret_net_sent_bytes_total"]; f.GetType() != dto.MetricType_COUNTER {
			t.Errorf("type %v", f.GetType())
		}
		for name, v := range map[string]float64{
			"ferret_net_dropped_calls_total":     3,
			"ferret_net_socket_calls_total":      42,
			"ferret_net_flow_map_pressure_ratio": 0.25,
			"ferret_net_intervals_total":         float64(i + 1),
		} {
			f := fams[name]
			if f == nil {
				t.Errorf("missing %s", name)
				continue
			}
			m := f.GetMetric()[0]
			got := m.GetCounter().GetValue()
			if m.Gauge != nil {
				got = m.GetGauge().GetValue()
			}
			if got != v {
				t.Errorf("%s = %g, want %g", name, got, v)
			}
		}
	}
}

func testLatency(prog, op string, ns uint64, n int) netacct.Latency {
	l := netacct.Latency{LatencyKey: netacct.LatencyKey{Program: prog, Op: op}}
	for i := 0; i < n; i++ {
		addCall(&l, ns)
	}
	return l
}

// addCall counts one call as the kernel does, in both layouts.
func addCall(l *netacct.Latency, ns uint64) {
	l.Hist.Add(ns)
	if ns == 0 {
		l.NativeZero++
		return
	}
	b := hist.NativeBounds()
	l.Native[hist.NativeBucket(&b, ns)]++
}

// TestLatencyHistogram checks the exported call-time histogram: the hist
// buckets' bounds in seconds with cumulative counts.
func TestLatencyHistogram(t *testing.T) {
	c := NewNetCollector(netacct.ByProc)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	l := testLatency("nginx", "recv", 25, 3) // below 100 ns: first bucket
	for _, v := range []uint64{1500, 1999, 2000, 7e6, 2e11} {
		addCall(&l, v)
	}
	c.Tick(&netacct.Tick{By: netacct.ByProc, Latency: []netacct.Latency{l}})
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var h *dto.Histogram
	for _, f := range fams {
		if f.GetName() == "ferret_net_call_duration_seconds" {
			if f.GetType() != dto.MetricType_HISTOGRAM || len(f.Metric) != 1 {
				t.Fatalf("family %v", f)
			}
			h = f.Metric[0].GetHistogram()
		}
	}
	if h == nil {
		t.Fatal("no call duration histogram")
	}
	if h.GetSampleCount() != 8 || h.GetSampleSum() < 200 {
		t.Errorf("count %d sum %g", h.GetSampleCount(), h.GetSampleSum())
	}
	want := map[float64]uint64{1e-7: 3, 1e-6: 3, 2e-6: 5, 3e-6: 6, 7e-3: 6, 8e-3: 7, 100: 7}
	prev := uint64(0)
	for _, b := range h.Bucket {
		if b.GetCumulativeCount() < prev {
			t.Errorf("bucket le=%g goes down", b.GetUpperBound())
		}
		prev = b.GetCumulativeCount()
		if w, ok := want[b.GetUpperBound()]; ok {
			if b.GetCumulativeCount() != w {
				t.Errorf("le=%g: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
			}
			delete(want, b.GetUpperBound())
		}
	}
	if len(want) > 0 {
		t.Errorf("bounds missing: %v", want)
	}
	if n := len(h.Bucket); n != 82 {
		t.Errorf("%d buckets, want 82 (100 ns .. 100 s)", n)
	}
	// The native buckets of the same calls: schema 2 over seconds.
	if h.GetSchema() != hist.NativeSchema || h.GetZeroCount() != 0 || len(h.PositiveSpan) == 0 {
		t.Fatalf("native part: schema %d zero %d spans %v", h.GetSchema(), h.GetZeroCount(), h.PositiveSpan)
	}
	got := map[int]int64{}
	idx, cnt := int32(0), int64(0)
	d := 0
	for _, sp := range h.PositiveSpan {
		idx += sp.GetOffset()
		for k := uint32(0); k < sp.GetLength(); k++ {
			cnt += h.PositiveDelta[d]
			d++
			if cnt != 0 {
				got[int(idx)] = cnt
			}
			idx++
		}
	}
	// Index ceil(4·log2(seconds)): 25 ns -101, 1.5 µs -77, 1.999 and
	// 2 µs -75, 7 ms -28, 200 s 31.
	want2 := map[int]int64{-101: 3, -77: 1, -75: 2, -28: 1, 31: 1}
	for i, w := range want2 {
		if got[i] != w {
			t.Errorf("native bucket %d: %d, want %d (all: %v)", i, got[i], w, got)
		}
	}
}

// TestREADMEListsMetrics: the README documents every metric name the
// collectors describe, and no other.
func TestREADMEListsMetrics(t *testing.T) {
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`(ferret_(?:net|zabbix)_[a-z_]+)`").FindAllStringSubmatch(string(b), -1) {
		documented[m[1]] = true
	}
	ch := make(chan *prometheus.Desc, 64)
	NewNetCollector(netacct.ByProcIPPort).Describe(ch)
	ZabbixCollector{}.Describe(ch)
	close(ch)
	name := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		n := name.FindStringSubmatch(d.String())[1]
		if !documented[n] {
			t.Errorf("metric %s is not in the README", n)
		}
		delete(documented, n)
	}
	for n := range documented {
		t.Errorf("the README lists %s, which no collector describes", n)
	}
}
