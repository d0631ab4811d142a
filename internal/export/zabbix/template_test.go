// SPDX-License-Identifier: Apache-2.0

package zabbix

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/netacct"
)

type templateDoc struct {
	Export struct {
		Version   string `json:"version"`
		Templates []struct {
			Template string         `json:"template"`
			Items    []templateItem `json:"items"`
			Rules    []struct {
				Key        string         `json:"key"`
				Type       string         `json:"type"`
				Prototypes []templateItem `json:"item_prototypes"`
			} `json:"discovery_rules"`
		} `json:"templates"`
	} `json:"zabbix_export"`
}

type templateItem struct {
	UUID      string `json:"uuid"`
	Key       string `json:"key"`
	Type      string `json:"type"`
	ValueType string `json:"value_type"`
	Preproc   []struct {
		Type string `json:"type"`
	} `json:"preprocessing"`
}

var macroRE = regexp.MustCompile(`\{#[A-Z]+\}`)

// TestTemplateCoversSentKeys: for every grouping, the keys NetExporter
// sends are exactly the template's items and the item prototypes of the
// grouping's discovery rule expanded with the discovery data sent (macros
// in quoted key parameters escaped as Zabbix does), and every rule is one
// a grouping sends to.
func TestTemplateCoversSentKeys(t *testing.T) {
	var doc templateDoc
	if err := json.Unmarshal(Template, &doc); err != nil {
		t.Fatalf("template: %v", err)
	}
	if doc.Export.Version != "6.0" || len(doc.Export.Templates) != 1 {
		t.Fatalf("want one template in the 6.0 export format, got version %q, %d templates", doc.Export.Version, len(doc.Export.Templates))
	}
	tpl := doc.Export.Templates[0]
	uuids := map[string]bool{}
	check := func(it templateItem) {
		if len(it.UUID) != 32 || uuids[it.UUID] || it.Type != "TRAP" {
			t.Errorf("item %s: uuid %q (unique, 32 hex digits), type %q (TRAP)", it.Key, it.UUID, it.Type)
		}
		uuids[it.UUID] = true
		perSecond := slices.ContainsFunc(it.Preproc, func(p struct {
			Type string `json:"type"`
		}) bool {
			return p.Type == "CHANGE_PER_SECOND"
		})
		if perSecond && it.ValueType != "FLOAT" {
			t.Errorf("item %s: per-second values need value_type FLOAT", it.Key)
		}
	}
	plain := map[string]bool{}
	for _, it := range tpl.Items {
		check(it)
		plain[it.Key] = true
	}
	rules := map[string]int{}
	for i, r := range tpl.Rules {
		if r.Type != "TRAP" {
			t.Errorf("rule %s: type %s", r.Key, r.Type)
		}
		for _, it := range r.Prototypes {
			check(it)
		}
		rules[r.Key] = i
	}
	rows := []netacct.Row{
		{Key: netacct.Key{Program: "curl", Addr: netip.MustParseAddr("10.0.0.1"), Port: 443, Proto: netacct.TCP}, Counters: netacct.Counters{TxBytes: 1}},
		{Key: netacct.Key{Program: `we"ird`, Addr: netip.MustParseAddr("::1"), Port: 53, Proto: netacct.UDP}},
		{Key: netacct.Key{Program: "curl", Other: true}},
	}
	for _, by := range []netacct.By{netacct.ByProc, netacct.ByProcIP, netacct.ByProcIPPort} {
		tick := &netacct.Tick{Time: time.Unix(1700000000, 0), By: by, Totals: rows}
		var sent []string
		for _, it := range Items("h", tick, 1) {
			sent = append(sent, it.Key)
		}
		ri, ok := rules[DiscoveryKeyFor(by)]
		if !ok {
			t.Errorf("--by %s: no discovery rule %s", by, DiscoveryKeyFor(by))
			continue
		}
		delete(rules, DiscoveryKeyFor(by))
		var lld struct {
			Data []map[string]string `json:"data"`
		}
		if err := json.Unmarshal([]byte(Discovery(by, rows)), &lld); err != nil {
			t.Fatal(err)
		}
		var want []string
		for k := range plain {
			want = append(want, k)
		}
		for _, entry := range lld.Data {
			for _, p := range tpl.Rules[ri].Prototypes {
				want = append(want, macroRE.ReplaceAllStringFunc(p.Key, func(m string) string {
					v, ok := entry[m]
					if !ok {
						t.Errorf("--by %s: prototype %s uses %s, not in the discovery data", by, p.Key, m)
					}
					return strings.ReplaceAll(v, `"`, `\"`)
				}))
			}
		}
		sort.Strings(sent)
		sort.Strings(want)
		if strings.Join(sent, "\n") != strings.Join(want, "\n") {
			t.Errorf("--by %s: keys sent:\n%s\nkeys the template expects:\n%s", by, strings.Join(sent, "\n"), strings.Join(want, "\n"))
		}
	}
	for k := range rules {
		t.Errorf("discovery rule %s: no grouping sends it", k)
	}
}
