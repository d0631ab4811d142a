// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"bytes"
	"context"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func fk(pid uint32, comm, addr string, port uint16, p Proto) FlowKey {
	k := FlowKey{PID: pid, Comm: comm, Port: port, Proto: p}
	if addr != "" {
		k.Addr = netip.MustParseAddr(addr)
	}
	return k
}

func TestAggregatorDeltas(t *testing.T) {
	a := NewAggregator(ByProcIP, 0, nil)
	curl1 := fk(1, "curl", "10.0.0.1", 443, TCP)
	curl2 := fk(2, "curl", "::ffff:10.0.0.1", 443, TCP) // another curl process, same peer
	dns := fk(3, "resolved", "fd00::53", 53, UDP)
	steps := []struct {
		flows []Flow
		want  []Row
		stale []FlowKey
	}{
		{
			flows: []Flow{{curl1, Counters{TxBytes: 10, RxBytes: 100, TxCalls: 1, RxCalls: 2, Conns: 1}}, {dns, Counters{TxBytes: 40, RxBytes: 80, TxCalls: 1, RxCalls: 1}}},
			want: []Row{
				{Key{Program: "resolved", Addr: netip.MustParseAddr("fd00::53"), Proto: UDP}, Counters{TxBytes: 40, RxBytes: 80, TxCalls: 1, RxCalls: 1}},
				{Key{Program: "curl", Addr: netip.MustParseAddr("10.0.0.1"), Proto: TCP}, Counters{TxBytes: 10, RxBytes: 100, TxCalls: 1, RxCalls: 2, Conns: 1}},
			},
		},
		{
			flows: []Flow{{curl1, Counters{TxBytes: 15, RxBytes: 200, TxCalls: 2, RxCalls: 3, Conns: 1}}, {curl2, Counters{TxBytes: 1, Conns: 1, TxCalls: 1}}, {dns, Counters{TxBytes: 40, RxBytes: 80, TxCalls: 1, RxCalls: 1}}},
			want: []Row{
				{Key{Program: "curl", Addr: netip.MustParseAddr("10.0.0.1"), Proto: TCP}, Counters{TxBytes: 6, RxBytes: 100, TxCalls: 2, RxCalls: 1, Conns: 1}},
			},
		},
		{ // curl1's entry was deleted and re-created: counts from zero
			flows: []Flow{{curl1, Counters{TxBytes: 3, TxCalls: 1}}, {curl2, Counters{TxBytes: 1, Conns: 1, TxCalls: 1}}, {dns, Counters{TxBytes: 40, RxBytes: 80, TxCalls: 1, RxCalls: 1}}},
			want:  []Row{{Key{Program: "curl", Addr: netip.MustParseAddr("10.0.0.1"), Proto: TCP}, Counters{TxBytes: 3, TxCalls: 1}}},
		},
		{ // nothing moved; dns has now been idle for three reads
			flows: []Flow{{curl1, Counters{TxBytes: 3, TxCalls: 1}}, {curl2, Counters{TxBytes: 1, Conns: 1, TxCalls: 1}}, {dns, Counters{TxBytes: 40, RxBytes: 80, TxCalls: 1, RxCalls: 1}}},
			stale: []FlowKey{dns},
		},
	}
	for i, s := range steps {
		iv := a.Update(s.flows)
		if !slices.Equal(iv.Rows, s.want) {
			t.Errorf("step %d: rows %+v\nwant %+v", i, iv.Rows, s.want)
		}
		if iv.Total != Sum(s.want) {
			t.Errorf("step %d: total %+v", i, iv.Total)
		}
		if !slices.Equal(iv.Stale, s.stale) {
			t.Errorf("step %d: stale %v, want %v", i, iv.Stale, s.stale)
		}
	}
	tot := a.Totals()
	if len(tot) != 2 || tot[0].Program != "curl" || tot[0].TxBytes != 19 || tot[0].Conns != 2 || tot[1].RxBytes != 80 {
		t.Errorf("totals %+v", tot)
	}
}

func TestTopKAndSort(t *testing.T) {
	ip := netip.MustParseAddr
	rows := []Row{
		{Key{Program: "b", Addr: ip("10.0.0.2"), Proto: TCP}, Counters{TxBytes: 5}},
		{Key{Program: "b", Addr: ip("10.0.0.1"), Proto: TCP}, Counters{TxBytes: 5}},
		{Key{Program: "a", Addr: ip("10.0.0.9"), Proto: UDP}, Counters{RxBytes: 5}},
		{Key{Program: "b", Addr: ip("10.0.0.3"), Proto: TCP}, Counters{TxBytes: 1}},
		{Key{Program: "b", Addr: ip("10.0.0.4"), Proto: TCP}, Counters{TxBytes: 2}},
	}
	got := TopK(rows, 2)
	want := []Row{
		{Key{Program: "a", Addr: ip("10.0.0.9"), Proto: UDP}, Counters{RxBytes: 5}},
		{Key{Program: "b", Addr: ip("10.0.0.1"), Proto: TCP}, Counters{TxBytes: 5}},
		{Key{Program: "b", Addr: ip("10.0.0.2"), Proto: TCP}, Counters{TxBytes: 5}},
		{Key{Program: "b", Other: true}, Counters{TxBytes: 3}},
	}
	if !slices.Equal(got, want) {
		t.Errorf("TopK = %+v\nwant %+v", got, want)
	}
	if all := TopK(rows, 0); len(all) != len(rows) {
		t.Errorf("TopK(0) dropped rows")
	}
}

func TestWriteTableGolden(t *testing.T) {
	ip := netip.MustParseAddr
	rows := []Row{
		{Key{Program: "nginx", Addr: ip("fd00::2"), Port: 51234, Proto: TCP}, Counters{TxBytes: 1 << 20, RxBytes: 512, TxCalls: 16, RxCalls: 1, Conns: 1}},
		{Key{Program: "curl", Addr: ip("10.1.2.3"), Port: 443, Proto: TCP}, Counters{TxBytes: 300, RxBytes: 9000, TxCalls: 2, RxCalls: 5, Conns: 1}},
		{Key{Program: "dig\x1b[31m", Port: 0, Proto: UDP}, Counters{TxBytes: 40, TxCalls: 1}},
		{Key{Program: "curl", Other: true}, Counters{RxBytes: 7, RxCalls: 1}},
	}
	SortRows(rows)
	for _, by := range []By{ByProc, ByProcIP, ByProcIPPort} {
		var b bytes.Buffer
		grouped := map[Key]Counters{}
		for _, r := range rows {
			k := r.Key
			if by == ByProc {
				k = Key{Program: k.Program}
			}
			c := grouped[k]
			c.Add(r.Counters)
			grouped[k] = c
		}
		var rs []Row
		for k, c := range grouped {
			rs = append(rs, Row{k, c})
		}
		SortRows(rs)
		if err := WriteTable(&b, by, rs, Sum(rs)); err != nil {
			t.Fatal(err)
		}
		golden(t, "table_"+by.String()+".txt", b.Bytes())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestParseBy(t *testing.T) {
	for in, want := range map[string]By{"proc": ByProc, "proc,ip": ByProcIP, "proc, ip, port": ByProcIPPort} {
		if got, err := ParseBy(in); err != nil || got != want {
			t.Errorf("ParseBy(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseBy("ip"); err == nil {
		t.Error("ParseBy(ip) accepted")
	}
}

func TestFilter(t *testing.T) {
	curl := fk(100, "curl", "10.0.0.1", 443, TCP)
	dns := fk(7, "systemd-resolved", "fd00::53", 53, UDP)
	mapped := fk(8, "nc", "::ffff:192.168.1.5", 9, TCP)
	unknown := fk(9, "nc", "", 0, UDP)
	all := []FlowKey{curl, dns, mapped, unknown}
	for _, tc := range []struct {
		expr string
		want []FlowKey
	}{
		{"", all},
		{"proc.name=curl", []FlowKey{curl}},
		{"proc.name != curl", []FlowKey{dns, mapped, unknown}},
		{"fd.rport=443 or fd.l4proto=udp", []FlowKey{curl, dns, unknown}},
		{"not (fd.l4proto=udp)", []FlowKey{curl, mapped}},
		{"fd.rip=192.168.1.5", []FlowKey{mapped}},
		{"fd.rip in (10.0.0.1, fd00::53)", []FlowKey{curl, dns}},
		{"fd.rnet=fd00::/16", []FlowKey{dns}},
		{"fd.rnet!=10.0.0.0/8 and proc.name startswith sys", []FlowKey{dns}},
		{"proc.name contains 'resolv' and fd.rport<100", []FlowKey{dns}},
		{"proc.pid>=9", []FlowKey{curl, unknown}},
		{"proc.name in (nc, \"curl\") and not fd.rip=10.0.0.1", []FlowKey{mapped, unknown}},
	} {
		f, err := ParseFilter(tc.expr)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tc.expr, err)
			continue
		}
		var got []FlowKey
		for _, k := range all {
			if f.Match(k) {
				got = append(got, k)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q matched %v, want %v", tc.expr, got, tc.want)
		}
	}
	for _, bad := range []string{
		"proc.name", "foo=1", "proc.name=a or proc.name=b and proc.name=c", "proc.pid=abc", "fd.rip=300.1.1.1", "fd.rnet=10.0.0.0",
		"(proc.name=a", "proc.name=a)", "proc.name=a and", "proc.pid contains 1", "fd.rip in (1.2.3.4", "proc.name='x", "!proc.name=x",
	} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("ParseFilter(%q) accepted", bad)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"proc.name=curl", "not (fd.rport in (1,2) or fd.rnet=fd00::/8)", "fd.rip!=::1 and proc.pid<5", "(((", "'"} {
		f.Add(s)
	}
	keys := []FlowKey{fk(1, "a", "10.0.0.1", 1, TCP), fk(2, "b", "", 0, UDP)}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err != nil {
			return
		}
		for _, k := range keys {
			flt.Match(k)
		}
	})
}

type fakeSource struct {
	reads   [][]Flow
	n       int
	deleted []FlowKey
}

func (f *fakeSource) Flows(dst []Flow) ([]Flow, error) {
	i := min(f.n, len(f.reads)-1)
	f.n++
	for _, fl := range f.reads[i] {
		if !slices.Contains(f.deleted, fl.Key) {
			dst = append(dst, fl)
		}
	}
	return dst, nil
}
func (f *fakeSource) Delete(k []FlowKey) ([]Flow, error) {
	f.deleted = append(f.deleted, k...)
	var out []Flow
	for _, key := range k {
		// one more byte arrived between the read and the deletion
		out = append(out, Flow{key, Counters{TxBytes: 6, TxCalls: 2}})
	}
	return out, nil
}
func (f *fakeSource) Stats() (KernelStats, error) { return KernelStats{Entries: 1, MaxEntries: 4}, nil }

type recSink struct{ ticks []*Tick }

func (r *recSink) Tick(t *Tick) error { r.ticks = append(r.ticks, t); return nil }

func TestRunCountsTicksAndDeletesStale(t *testing.T) {
	k := fk(1, "x", "10.0.0.1", 80, TCP)
	src := &fakeSource{reads: [][]Flow{{{k, Counters{TxBytes: 5, TxCalls: 1}}}}}
	rec := &recSink{}
	var table bytes.Buffer
	err := Run(context.Background(), src, NewAggregator(ByProc, 0, nil), time.Millisecond, 5, func(err error) { t.Error(err) }, rec, &TableSink{W: &table})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.ticks) != 5 {
		t.Fatalf("%d ticks, want 5", len(rec.ticks))
	}
	var sum uint64
	for _, tk := range rec.ticks {
		sum += tk.Interval.Total.TxBytes
	}
	if rec.ticks[0].Interval.Total.TxBytes != 5 || rec.ticks[1].Interval.Total.TxBytes != 0 || sum != 6 {
		t.Errorf("tx per tick %d %d, sum %d; want 5, 0 and 6 in all (1 counted at deletion)", rec.ticks[0].Interval.Total.TxBytes, rec.ticks[1].Interval.Total.TxBytes, sum)
	}
	if !slices.Equal(src.deleted, []FlowKey{k}) {
		t.Errorf("deleted %v, want the idle flow once", src.deleted)
	}
	if !bytes.Contains(table.Bytes(), []byte("TOTAL")) {
		t.Errorf("table output:\n%s", table.Bytes())
	}
}

func TestRunFinalTickOnCancel(t *testing.T) {
	src := &fakeSource{reads: [][]Flow{nil}}
	rec := &recSink{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, src, NewAggregator(ByProc, 0, nil), time.Hour, 0, func(error) {}, rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.ticks) != 1 {
		t.Errorf("%d ticks after cancel, want 1", len(rec.ticks))
	}
}
