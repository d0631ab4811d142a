// SPDX-License-Identifier: Apache-2.0

package prom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/ferret-observability/ferret/internal/hist"
	"github.com/ferret-observability/ferret/internal/netacct"
)

// DefaultAddr is where /metrics is served unless told otherwise.
const DefaultAddr = "127.0.0.1:9464"

// NetCollector exports the cumulative totals of the latest network
// accounting tick. It implements prometheus.Collector and netacct.Sink.
type NetCollector struct {
	by     netacct.By
	labels []string

	sent, received, sendCalls, recvCalls, conns *prometheus.Desc
	calls, dropped, noPeer, entries, capacity   *prometheus.Desc
	pressure, ticks                             *prometheus.Desc
	duration                                    *prometheus.Desc

	mu      sync.Mutex
	totals  []netacct.Row
	latency []netacct.Latency
	kernel  netacct.KernelStats
	nTicks  uint64
}

// NewNetCollector makes a collector whose per-peer label set follows by.
func NewNetCollector(by netacct.By) *NetCollector {
	labels := []string{"program"}
	if by >= netacct.ByProcIP {
		labels = append(labels, "peer")
	}
	if by >= netacct.ByProcIPPort {
		labels = append(labels, "port")
	}
	if by >= netacct.ByProcIP {
		labels = append(labels, "proto")
	}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc("ferret_net_"+name, help, labels, nil)
	}
	return &NetCollector{
		by: by, labels: labels,
		sent:      d("sent_bytes_total", "Bytes sent, counted at the socket layer.", labels),
		received:  d("received_bytes_total", "Bytes received, counted at the socket layer.", labels),
		sendCalls: d("send_calls_total", "Socket send calls that moved data.", labels),
		recvCalls: d("receive_calls_total", "Socket receive calls that moved data.", labels),
		conns:     d("connections_total", "Connected sockets seen carrying data.", labels),
		calls:     d("socket_calls_total", "Socket calls seen by the kernel probe.", nil),
		dropped:   d("dropped_calls_total", "Socket calls not accounted because the flow map was full.", nil),
		noPeer:    d("unknown_peer_calls_total", "Datagram calls whose peer address was unknown.", nil),
		entries:   d("flow_map_entries", "Entries in use in the kernel flow map.", nil),
		capacity:  d("flow_map_capacity", "Capacity of the kernel flow map.", nil),
		pressure:  d("flow_map_pressure_ratio", "Kernel flow map entries in use divided by capacity.", nil),
		ticks:     d("intervals_total", "Accounting intervals completed.", nil),
		duration: d("call_duration_seconds", "Time taken by send (sendto, sendmsg, sendmmsg) and receive (recvfrom, recvmsg, recvmmsg) "+
			"system calls, timed in the kernel, in ferret's log-linear buckets (a value on a bound counts in the bucket above it).",
			[]string{"program", "op"}),
	}
}

// Tick implements netacct.Sink: it keeps the tick's totals for the next
// scrape.
func (c *NetCollector) Tick(t *netacct.Tick) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.totals = append(c.totals[:0], t.Totals...)
	c.latency = append(c.latency[:0], t.Latency...)
	c.kernel = t.Kernel
	c.nTicks++
	return nil
}

// Describe implements prometheus.Collector.
func (c *NetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sent, c.received, c.sendCalls, c.recvCalls, c.conns, c.calls, c.dropped, c.noPeer, c.entries, c.capacity, c.pressure, c.ticks, c.duration} {
		ch <- d
	}
}

func (c *NetCollector) labelValues(k netacct.Key) []string {
	v := []string{k.Program}
	if c.by >= netacct.ByProcIP {
		v = append(v, k.PeerLabel(c.by))
	}
	if c.by >= netacct.ByProcIPPort {
		v = append(v, k.PortLabel(c.by))
	}
	if c.by >= netacct.ByProcIP {
		p := k.Proto.String()
		if k.Other {
			p = ""
		}
		v = append(v, p)
	}
	return v
}

// Collect implements prometheus.Collector.
func (c *NetCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.totals {
		lv := c.labelValues(r.Key)
		ch <- prometheus.MustNewConstMetric(c.sent, prometheus.CounterValue, float64(r.TxBytes), lv...)
		ch <- prometheus.MustNewConstMetric(c.received, prometheus.CounterValue, float64(r.RxBytes), lv...)
		ch <- prometheus.MustNewConstMetric(c.sendCalls, prometheus.CounterValue, float64(r.TxCalls), lv...)
		ch <- prometheus.MustNewConstMetric(c.recvCalls, prometheus.CounterValue, float64(r.RxCalls), lv...)
		ch <- prometheus.MustNewConstMetric(c.conns, prometheus.CounterValue, float64(r.Conns), lv...)
	}
	for i := range c.latency {
		ch <- c.latencyMetric(&c.latency[i])
	}
	k := c.kernel
	ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(k.Calls))
	ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(k.Drops()))
	ch <- prometheus.MustNewConstMetric(c.noPeer, prometheus.CounterValue, float64(k.NoPeer))
	ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(k.Entries))
	ch <- prometheus.MustNewConstMetric(c.capacity, prometheus.GaugeValue, float64(k.MaxEntries))
	ch <- prometheus.MustNewConstMetric(c.pressure, prometheus.GaugeValue, k.Pressure())
	ch <- prometheus.MustNewConstMetric(c.ticks, prometheus.CounterValue, float64(c.nTicks))
}

// Exported latency range: the buckets of package hist from 100 ns to
// 100 s; faster calls count in the first bucket, slower ones only in +Inf.
var (
	latFirst = hist.Bucket(100) - 1  // bucket ending at 100 ns
	latLast  = hist.Bucket(1e11) - 1 // bucket ending at 100 s
)

// LatencyBuckets converts a histogram of nanoseconds into Prometheus
// classic buckets in seconds: the cumulative count up to the end of each
// hist bucket from 100 ns to 100 s.
func LatencyBuckets(h *hist.Hist) (count uint64, sum float64, buckets map[float64]uint64) {
	buckets = make(map[float64]uint64, latLast-latFirst+1)
	var cum uint64
	for i := 0; i <= latLast; i++ {
		cum += h.Counts[i]
		if i >= latFirst {
			buckets[hist.Upper(i)/1e9] = cum
		}
	}
	return h.Count, h.Sum / 1e9, buckets
}

// latencyMetric is one call-time histogram with both representations:
// classic buckets at the hist bounds, and the native buckets the kernel
// counted too (schema hist.NativeSchema), for scrapers that ask for
// native histograms.
func (c *NetCollector) latencyMetric(l *netacct.Latency) prometheus.Metric {
	count, sum, buckets := LatencyBuckets(&l.Hist)
	classic := prometheus.MustNewConstHistogram(c.duration, count, sum, buckets, l.Program, l.Op)
	pos := make(map[int]int64)
	var n uint64
	for j, v := range l.Native {
		if v > 0 {
			pos[hist.NativeFirst+j] = int64(v)
			n += v
		}
	}
	if n+l.NativeZero != count {
		// A sample read while the kernel was adding to it: classic only.
		return classic
	}
	native, err := prometheus.NewConstNativeHistogram(c.duration, count, sum, pos, nil, l.NativeZero, hist.NativeSchema, 0, time.Time{}, l.Program, l.Op)
	if err != nil {
		return classic
	}
	return bothHistogram{classic, native}
}

// bothHistogram writes a classic histogram with the native buckets of a
// second one over the same observations.
type bothHistogram struct{ classic, native prometheus.Metric }

func (b bothHistogram) Desc() *prometheus.Desc { return b.classic.Desc() }

func (b bothHistogram) Write(m *dto.Metric) error {
	if err := b.classic.Write(m); err != nil {
		return err
	}
	var nm dto.Metric
	if err := b.native.Write(&nm); err != nil {
		return err
	}
	h, n := m.Histogram, nm.Histogram
	h.Schema, h.ZeroThreshold, h.ZeroCount = n.Schema, n.ZeroThreshold, n.ZeroCount
	h.PositiveSpan, h.PositiveDelta = n.PositiveSpan, n.PositiveDelta
	return nil
}

// Server serves /metrics for a registry.
type Server struct {
	Registry *prometheus.Registry
	srv      *http.Server
	ln       net.Listener
	done     chan error
}

// Listen binds addr and starts serving the registry's metrics on /metrics.
func Listen(addr string, reg *prometheus.Registry) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("prometheus: listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	s := &Server{
		Registry: reg, ln: ln, done: make(chan error, 1),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops serving.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
