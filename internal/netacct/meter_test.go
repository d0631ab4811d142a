// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"net/netip"
	"testing"
)

// TestMeter: the first read sets where counts start; later reads give
// each entry's delta and total per process id; an entry deleted from the
// kernel as stale keeps its total (with what it counted before deletion)
// and starts again from zero; flows quiet for ForgetAfter reads are gone.
func TestMeter(t *testing.T) {
	peer := netip.MustParseAddr("10.0.0.1")
	a := FlowKey{PID: 10, Comm: "curl", Addr: peer, Port: 443, Proto: TCP}
	b := FlowKey{PID: 11, Comm: "curl", Addr: peer, Port: 443, Proto: TCP}
	m := NewMeter()
	m.ForgetAfter = 6
	read := func(flows ...Flow) (map[FlowKey]FlowRate, []FlowKey) {
		rates, stale := m.Update(flows, nil)
		out := map[FlowKey]FlowRate{}
		for _, r := range rates {
			out[r.Key] = r
		}
		return out, append([]FlowKey(nil), stale...)
	}
	f := func(k FlowKey, tx uint64) Flow {
		return Flow{Key: k, Counters: Counters{TxBytes: tx, TxCalls: tx / 100}}
	}

	if r, _ := read(f(a, 5000)); len(r) != 0 {
		t.Fatalf("first read gave %v", r)
	}
	r, _ := read(f(a, 5300), f(b, 200))
	if r[a].Delta.TxBytes != 300 || r[a].Total.TxBytes != 300 || r[b].Delta.TxBytes != 200 {
		t.Fatalf("second read: %+v", r)
	}
	var stale []FlowKey
	for i := 0; i < DefaultIdleAfter; i++ {
		r, stale = read(f(a, 5300), f(b, 400+uint64(i)))
		if r[a].Delta.TxBytes != 0 || r[a].Total.TxBytes != 300 {
			t.Fatalf("quiet read %d: %+v", i, r[a])
		}
	}
	if len(stale) != 1 || stale[0] != a {
		t.Fatalf("stale %v, want [a]", stale)
	}
	// Deleted with 50 more bytes counted since the last read.
	m.Deleted([]Flow{f(a, 5350)})
	r, _ = read(f(b, 500))
	if r[a].Total.TxBytes != 350 || r[a].Delta.TxBytes != 0 {
		t.Fatalf("after deletion: %+v", r[a])
	}
	// The kernel entry comes back, counting from zero.
	r, _ = read(f(a, 70), f(b, 500))
	if r[a].Delta.TxBytes != 70 || r[a].Total.TxBytes != 420 {
		t.Fatalf("entry back: %+v", r[a])
	}
	for i := 0; i < m.ForgetAfter+DefaultIdleAfter+1; i++ {
		read(f(b, 500+uint64(i)))
	}
	if r, _ := read(f(b, 1000)); len(r) != 1 || m.Len() != 1 {
		t.Fatalf("a quiet flow was kept: %v (%d held)", r, m.Len())
	}
}
