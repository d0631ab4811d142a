// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/ferret-observability/ferret/internal/capture"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	livenet "github.com/ferret-observability/ferret/internal/ebpf/netacct"
	natsexp "github.com/ferret-observability/ferret/internal/export/nats"
	"github.com/ferret-observability/ferret/internal/export/prom"
	"github.com/ferret-observability/ferret/internal/export/zabbix"
	"github.com/ferret-observability/ferret/internal/netacct"
)

const netUsage = `Usage: ferret net [options] [filter]

Counts bytes, calls and connections per program and remote address in the
kernel (socket layer: TCP and UDP, IPv4 and IPv6) and prints a table every
interval, sorted by traffic, with totals. With --prometheus it also times
each program's send and receive system calls in the kernel and exports
them as histograms (ferret_net_call_duration_seconds, the log-linear
buckets of ferret plot). With --nats each interval's table is published as
one JSON message to NATS JetStream (README: "Streams"). The optional filter is written as for ferret
itself (same grammar: mixing "and" and "or" needs brackets) over the
fields proc.name, proc.pid, fd.rip, fd.rnet, fd.rport and fd.l4proto, e.g.
  ferret net --by proc,ip "proc.name=curl and fd.rport=443"

Options:
`

func (c *cli) runNet(args []string) int {
	fs := pflag.NewFlagSet("ferret net", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	every := fs.Duration("interval", 10*time.Second, "table and export every `DURATION` (10s, 1m...)")
	byStr := fs.String("by", "proc", "group by `KEYS`: proc, proc,ip or proc,ip,port")
	promAddr := fs.String("prometheus", "", "serve /metrics on `ADDR` (default "+prom.DefaultAddr+" when given without a value)")
	fs.Lookup("prometheus").NoOptDefVal = prom.DefaultAddr
	zbxServer := fs.String("zabbix-server", "", "send values to the Zabbix server or proxy `HOST[:10051]`")
	zbxHost := fs.String("zabbix-host", "", "host `NAME` the values belong to in Zabbix (default: this host's name)")
	zbxQueue := fs.Int("zabbix-queue", zabbix.DefaultMaxQueue, "keep up to `N` values while the Zabbix server is unreachable")
	topK := fs.Int("top-k", 10, "show and export `N` peers per program; the rest are summed as \"other\" (0: no limit)")
	count := fs.IntP("count", "n", 0, "stop after `COUNT` intervals (0: run until interrupted)")
	maxFlows := fs.Int("max-flows", livenet.DefaultMaxFlows, "the kernel flow map holds `N` flows")
	natsURL := fs.String("nats", "", "publish each interval's table as JSON to NATS JetStream at `nats://HOST[:PORT][/SUBJECT]` (default subject ferret.net.<hostname>)")
	natsCreds := fs.String("nats-creds", "", "NATS credentials `FILE` for --nats")
	template := fs.Bool("zabbix-template", false, "print the Zabbix template (Zabbix 6.0+ import format) for the values sent, and exit")
	quiet := fs.BoolP("quiet", "q", false, `do not print tables (exporters only), nor the "ferret: capture started" line`)
	fs.Usage = func() {
		fmt.Fprint(c.stderr, netUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(joinOptionalValue(args, "--prometheus")); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(c.stderr, "ferret net: %v (see ferret net --help)\n", err)
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(c.stderr, "ferret net: "+format+"\n", a...)
		return 1
	}
	if *template {
		c.stdout.Write(zabbix.Template)
		return 0
	}
	by, err := netacct.ParseBy(*byStr)
	if err != nil {
		return fail("%v", err)
	}
	if *every <= 0 {
		return fail("--interval must be positive")
	}
	filter, err := netacct.ParseFilter(strings.Join(fs.Args(), " "))
	if err != nil {
		return fail("%v", err)
	}
	if *zbxHost != "" && *zbxServer == "" {
		return fail("--zabbix-host needs --zabbix-server")
	}

	// The stream is connected before the probe loads, so that a bad address
	// or credentials fail first.
	var natsPub *natsexp.NetPublisher
	if *natsURL != "" {
		t, err := capnats.ParseURL(*natsURL)
		if err != nil {
			return fail("%v", err)
		}
		host, _ := os.Hostname()
		if t.Subject == "" {
			t.Subject = "ferret.net." + strings.TrimPrefix(capnats.DefaultSubject(), "ferret.")
		}
		pub, err := natsexp.OpenNet(natsexp.Options{Target: t, Conn: capnats.ConnOptions{Creds: *natsCreds}, Report: c.stderr}, host)
		if err != nil {
			return fail("%v", err)
		}
		defer pub.Close()
		natsPub = pub
	}
	if err := c.livePrivileges(); err != nil {
		return fail("%v", err)
	}
	// With --prometheus, send and receive calls are also timed in the
	// kernel for the per-program latency histograms.
	probe, err := livenet.Open(livenet.Options{MaxFlows: *maxFlows, Latency: fs.Changed("prometheus")})
	if err != nil {
		return fail("%v", err)
	}
	defer probe.Close()
	for _, w := range probe.Warnings() {
		fmt.Fprintf(c.stderr, "ferret net: warning: %s\n", w)
	}
	capture.AnnounceStart(unlessQuiet(c.stderr, *quiet))

	var sinks []netacct.Sink
	if natsPub != nil {
		sinks = append(sinks, natsPub)
	}
	if !*quiet {
		sinks = append(sinks, &netacct.TableSink{W: c.stdout, TopK: *topK})
	}
	var sender *zabbix.Sender
	if *zbxServer != "" {
		host := *zbxHost
		if host == "" {
			if host, err = os.Hostname(); err != nil {
				return fail("--zabbix-host not given and no host name: %v", err)
			}
		}
		sender = zabbix.NewSender(*zbxServer, 5*time.Second, *zbxQueue)
		sinks = append(sinks, &zabbix.NetExporter{S: sender, Host: host, Log: unlessQuiet(c.stderr, *quiet)})
	}
	if fs.Changed("prometheus") {
		reg := prometheus.NewRegistry()
		nc := prom.NewNetCollector(by)
		reg.MustRegister(nc)
		if sender != nil {
			reg.MustRegister(prom.ZabbixCollector{S: sender})
		}
		srv, err := prom.Listen(*promAddr, reg)
		if err != nil {
			return fail("%v", err)
		}
		defer srv.Close()
		fmt.Fprintf(c.stderr, "ferret net: serving metrics on http://%s/metrics\n", srv.Addr())
		sinks = append(sinks, nc)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	agg := netacct.NewAggregator(by, *topK, filter)
	onErr := func(err error) { fmt.Fprintf(c.stderr, "ferret net: %v\n", err) }
	if err := netacct.Run(ctx, probe, agg, *every, *count, onErr, sinks...); err != nil {
		return fail("%v", err)
	}
	if sender != nil {
		if st := sender.Stats(); st.Queued > 0 || st.Dropped > 0 {
			return fail("zabbix: %d values undelivered, %d dropped at the queue bound", st.Queued, st.Dropped)
		}
	}
	return 0
}

// joinOptionalValue lets a flag whose value is optional take it as the next
// argument too ("--prometheus 0.0.0.0:9464") when that argument looks like
// an address rather than a filter.
func joinOptionalValue(args []string, flag string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == flag && i+1 < len(args) {
			next := args[i+1]
			if strings.Contains(next, ":") && !strings.ContainsAny(next, "= ()") && !strings.HasPrefix(next, "-") {
				out = append(out, a+"="+next)
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}
