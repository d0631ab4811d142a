// SPDX-License-Identifier: Apache-2.0

package prom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ferret-observability/ferret/internal/export/zabbix"
)

// ZabbixCollector exports a Zabbix sender's delivery counters, so that the
// health of the Zabbix export shows on /metrics.
type ZabbixCollector struct{ S *zabbix.Sender }

var zbxDescs = map[string]*prometheus.Desc{
	"sent":      prometheus.NewDesc("ferret_zabbix_sent_values_total", "Values delivered to the Zabbix server.", nil, nil),
	"processed": prometheus.NewDesc("ferret_zabbix_processed_values_total", "Values the Zabbix server accepted.", nil, nil),
	"failed":    prometheus.NewDesc("ferret_zabbix_failed_values_total", "Values the Zabbix server rejected.", nil, nil),
	"dropped":   prometheus.NewDesc("ferret_zabbix_dropped_values_total", "Values dropped because the retry queue was full.", nil, nil),
	"errors":    prometheus.NewDesc("ferret_zabbix_send_errors_total", "Failed deliveries to the Zabbix server.", nil, nil),
	"queued":    prometheus.NewDesc("ferret_zabbix_queued_values", "Values waiting for the Zabbix server.", nil, nil),
}

// Describe implements prometheus.Collector.
func (z ZabbixCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range zbxDescs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (z ZabbixCollector) Collect(ch chan<- prometheus.Metric) {
	st := z.S.Stats()
	for name, v := range map[string]uint64{"sent": st.Sent, "processed": st.Processed, "failed": st.Failed, "dropped": st.Dropped, "errors": st.Errors} {
		ch <- prometheus.MustNewConstMetric(zbxDescs[name], prometheus.CounterValue, float64(v))
	}
	ch <- prometheus.MustNewConstMetric(zbxDescs["queued"], prometheus.GaugeValue, float64(st.Queued))
}
