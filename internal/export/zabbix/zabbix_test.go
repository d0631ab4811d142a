// SPDX-License-Identifier: Apache-2.0

package zabbix

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/netacct"
)

// trapper is a fake Zabbix trapper: it records each request and answers
// with info.
type trapper struct {
	ln   net.Listener
	mu   sync.Mutex
	reqs [][]byte
	info string
	wg   sync.WaitGroup
}

func startTrapper(t *testing.T, addr, info string) *trapper {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trapper{ln: ln, info: info}
	tr.wg.Add(1)
	go func() {
		defer tr.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tr.serve(c)
		}
	}()
	t.Cleanup(tr.close)
	return tr
}

func (tr *trapper) close() {
	tr.ln.Close()
	tr.wg.Wait()
}

func (tr *trapper) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	h := make([]byte, headerLen)
	if _, err := io.ReadFull(c, h); err != nil {
		return
	}
	body := make([]byte, binary.LittleEndian.Uint64(h[5:]))
	if _, err := io.ReadFull(c, body); err != nil {
		return
	}
	tr.mu.Lock()
	tr.reqs = append(tr.reqs, append(h, body...))
	tr.mu.Unlock()
	resp := fmt.Sprintf(`{"response":"success","info":%q}`, tr.info)
	out := append([]byte("ZBXD\x01"), binary.LittleEndian.AppendUint64(nil, uint64(len(resp)))...)
	c.Write(append(out, resp...))
}

func (tr *trapper) requests() [][]byte {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([][]byte(nil), tr.reqs...)
}

func zabbixSender(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("zabbix_sender")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zabbix_sender missing (Debian package zabbix-agent)")
		}
		t.Skip("zabbix_sender missing (Debian package zabbix-agent)")
	}
	return p
}

var topClock = regexp.MustCompile(`,"clock":(\d+),"ns":(\d+)\}$`)

// TestRequestMatchesZabbixSender sends the same values with Debian's
// zabbix_sender and with ferret to a fake trapper and compares the bytes.
func TestRequestMatchesZabbixSender(t *testing.T) {
	bin := zabbixSender(t)
	tr := startTrapper(t, "127.0.0.1:0", "processed: 1; failed: 0; total: 1; seconds spent: 0.000010")
	_, port, _ := net.SplitHostPort(tr.ln.Addr().String())
	dir := t.TempDir()
	cases := []struct {
		name  string
		args  []string // zabbix_sender arguments besides -z/-p
		file  string   // input file, if any
		items []Item
		timed bool
	}{
		{
			name:  "single value",
			args:  []string{"-s", "web-1", "-k", `ferret.net.bytes_sent["curl","10.0.0.1","443","tcp"]`, "-o", "123456789"},
			items: []Item{{Host: "web-1", Key: `ferret.net.bytes_sent["curl","10.0.0.1","443","tcp"]`, Value: "123456789"}},
		},
		{
			name:  "escaping",
			args:  []string{"-s", "h/<>&é", "-k", "k", "-o", "a/b\tc\\d\x01e\n<>&é\"q\""},
			items: []Item{{Host: "h/<>&é", Key: "k", Value: "a/b\tc\\d\x01e\n<>&é\"q\""}},
		},
		{
			name: "timestamped batch",
			file: `"my host" ferret.net.calls 1700000000 42` + "\n" +
				`"my host" "ferret.net.discovery" 1700000001 "{\"data\":[{\"{#PROGRAM}\":\"curl\"}]}"` + "\n" +
				`"my host" "ferret.net.bytes_received[\"nginx\",\"fd00::2\",\"tcp\"]" 1700000002 0` + "\n",
			items: []Item{
				{Host: "my host", Key: "ferret.net.calls", Value: "42", Clock: 1700000000},
				{Host: "my host", Key: "ferret.net.discovery", Value: `{"data":[{"{#PROGRAM}":"curl"}]}`, Clock: 1700000001},
				{Host: "my host", Key: `ferret.net.bytes_received["nginx","fd00::2","tcp"]`, Value: "0", Clock: 1700000002},
			},
			timed: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tr.requests())
			args := append([]string{"-z", "127.0.0.1", "-p", port}, tc.args...)
			if tc.file != "" {
				f := filepath.Join(dir, "in.txt")
				if err := os.WriteFile(f, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-i", f)
				if tc.timed {
					args = append(args, "-T")
				}
			}
			if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
				t.Fatalf("zabbix_sender: %v\n%s", err, out)
			}
			reqs := tr.requests()
			if len(reqs) != before+1 {
				t.Fatalf("trapper got %d requests, want 1", len(reqs)-before)
			}
			theirs := reqs[before]
			var sent time.Time
			if m := topClock.FindSubmatch(theirs); m != nil {
				sec, _ := strconv.ParseInt(string(m[1]), 10, 64)
				ns, _ := strconv.ParseInt(string(m[2]), 10, 64)
				sent = time.Unix(sec, ns)
			}
			ours := AppendRequest(nil, tc.items, sent)
			if !bytes.Equal(ours, theirs) {
				t.Errorf("request differs\nzabbix_sender: %q\nferret:        %q", theirs, ours)
			}
		})
	}
}

func TestParseResponse(t *testing.T) {
	for _, tc := range []struct {
		body    string
		want    Response
		wantErr bool
	}{
		{`{"response":"success","info":"processed: 3; failed: 1; total: 4; seconds spent: 0.000123"}`,
			Response{Response: "success", Info: "processed: 3; failed: 1; total: 4; seconds spent: 0.000123", Processed: 3, Failed: 1, Total: 4, Seconds: 0.000123}, false},
		{`{"response":"success","info":"processed: 0; failed: 0; total: 0; seconds spent: 0.000000"}`,
			Response{Response: "success", Info: "processed: 0; failed: 0; total: 0; seconds spent: 0.000000"}, false},
		{`{"response":"failed","info":"cannot parse"}`, Response{Response: "failed", Info: "cannot parse"}, true},
		{`{"response":"success","info":"hello"}`, Response{Response: "success", Info: "hello"}, true},
		{`{"response":"success","info":"processed: x; failed: 0; total: 0"}`, Response{Response: "success", Info: "processed: x; failed: 0; total: 0"}, true},
		{`not json`, Response{}, true},
	} {
		got, err := ParseResponse([]byte(tc.body))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseResponse(%s) = %+v, %v; want %+v, error %v", tc.body, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestReadResponseFraming(t *testing.T) {
	ok := `{"response":"success","info":"processed: 1; failed: 0; total: 1; seconds spent: 0.1"}`
	frame := func(flags byte, n uint64, body string) []byte {
		return append(append([]byte{'Z', 'B', 'X', 'D', flags}, binary.LittleEndian.AppendUint64(nil, n)...), body...)
	}
	for _, tc := range []struct {
		name    string
		in      []byte
		wantErr bool
	}{
		{"good", frame(1, uint64(len(ok)), ok), false},
		{"bad signature", append([]byte("HTTP/"), frame(1, 0, "")[5:]...), true},
		{"compressed", frame(3, uint64(len(ok)), ok), true},
		{"too large", frame(1, 1<<40, ok), true},
		{"short body", frame(1, uint64(len(ok)+5), ok), true},
		{"short header", []byte("ZBXD"), true},
	} {
		_, err := ReadResponse(bytes.NewReader(tc.in))
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err %v, want error %v", tc.name, err, tc.wantErr)
		}
	}
}

// TestSenderKeepsValuesWhileUnreachable checks that nothing is lost while
// the server is down, that the queue bound drops the oldest values and
// counts them, and that everything queued is delivered once it is up.
func TestSenderKeepsValuesWhileUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	s := NewSender(addr, 2*time.Second, 4)
	s.Enqueue(Item{Host: "h", Key: "k", Value: "1"}, Item{Host: "h", Key: "k", Value: "2"})
	if _, err := s.Flush(); err == nil {
		t.Fatal("flush to a closed port succeeded")
	}
	s.Enqueue(Item{Host: "h", Key: "k", Value: "3"}, Item{Host: "h", Key: "k", Value: "4"}, Item{Host: "h", Key: "k", Value: "5"})
	if _, err := s.Flush(); err == nil {
		t.Fatal("second flush succeeded")
	}
	st := s.Stats()
	if st.Queued != 4 || st.Dropped != 1 || st.Errors != 2 {
		t.Fatalf("stats %+v; want 4 queued, 1 dropped, 2 errors", st)
	}
	tr := startTrapper(t, addr, "processed: 4; failed: 0; total: 4; seconds spent: 0.000010")
	r, err := s.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if r.Processed != 4 || r.Failed != 0 {
		t.Errorf("response %+v", r)
	}
	reqs := tr.requests()
	if len(reqs) != 1 || !strings.Contains(string(reqs[0]), `"value":"2"},{"host":"h","key":"k","value":"3"`) {
		t.Errorf("trapper got %q", reqs)
	}
	if st := s.Stats(); st.Queued != 0 || st.Sent != 4 || st.Processed != 4 {
		t.Errorf("stats after delivery %+v", st)
	}
}

func TestNetExporterDiscoveryAndItems(t *testing.T) {
	tr := startTrapper(t, "127.0.0.1:0", "processed: 2; failed: 1; total: 3; seconds spent: 0.000010")
	e := &NetExporter{S: NewSender(tr.ln.Addr().String(), time.Second, 0), Host: "box"}
	tick := &netacct.Tick{
		Time: time.Unix(1700000000, 0),
		By:   netacct.ByProcIPPort,
		Totals: []netacct.Row{
			{Key: netacct.Key{Program: "curl", Addr: mustAddr("10.0.0.1"), Port: 443, Proto: netacct.TCP}, Counters: netacct.Counters{TxBytes: 10, RxBytes: 20, TxCalls: 1, RxCalls: 2, Conns: 1}},
			{Key: netacct.Key{Program: "curl", Other: true}, Counters: netacct.Counters{TxBytes: 5}},
		},
	}
	err := e.Tick(tick)
	if err == nil || !strings.Contains(err.Error(), "failed 1") {
		t.Errorf("want the server's failure count reported, got %v", err)
	}
	reqs := tr.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	body := string(reqs[0][headerLen:])
	for _, want := range []string{
		`"key":"ferret.net.discovery[proc,ip,port]","value":"{\"data\":[{\"{#PROGRAM}\":\"curl\",\"{#PEER}\":\"10.0.0.1\",\"{#PORT}\":\"443\",\"{#PROTO}\":\"tcp\"},{\"{#PROGRAM}\":\"curl\",\"{#PEER}\":\"other\",\"{#PORT}\":\"\",\"{#PROTO}\":\"\"}]}","clock":1700000000`,
		`"key":"ferret.net.bytes_sent[\"curl\",\"10.0.0.1\",\"443\",\"tcp\"]","value":"10","clock":1700000000`,
		`"key":"ferret.net.bytes_received[\"curl\",\"other\",\"\",\"\"]","value":"0"`,
		`"key":"ferret.net.flow_map_pressure","value":"0.0000"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("request lacks %s\n%s", want, body)
		}
	}
	// Known keys: no second discovery.
	e.Tick(tick)
	if reqs := tr.requests(); len(reqs) != 2 || strings.Contains(string(reqs[1]), DiscoveryKey) {
		t.Errorf("discovery resent for known keys")
	}
}

func TestKeyParamsQuoting(t *testing.T) {
	got := KeyParams(netacct.ByProc, netacct.Key{Program: `we"ird\`})
	if want := `["we\"ird"]`; got != want {
		t.Errorf("KeyParams = %s, want %s", got, want)
	}
}

func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`{"response":"success","info":"processed: 1; failed: 0; total: 1; seconds spent: 0.000055"}`))
	f.Add([]byte(`{"response":"failed"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(b)
		if err == nil && r.Response != "success" {
			t.Errorf("no error for response %q", r.Response)
		}
	})
}

func FuzzReadResponse(f *testing.F) {
	body := `{"response":"success","info":"processed: 1; failed: 0; total: 1; seconds spent: 0.000055"}`
	f.Add(append(append([]byte("ZBXD\x01"), binary.LittleEndian.AppendUint64(nil, uint64(len(body)))...), body...))
	f.Add([]byte("ZBXD\x01\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := ReadResponse(bytes.NewReader(b))
		if err != nil && errors.Is(err, io.ErrUnexpectedEOF) && len(b) >= headerLen+maxResponse {
			t.Errorf("unexpected EOF on %d bytes", len(b))
		}
	})
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestNetExporterLogsEachPush: one line per push with the server's counts,
// and what stays undelivered when the server cannot be reached.
func TestNetExporterLogsEachPush(t *testing.T) {
	tr := startTrapper(t, "127.0.0.1:0", "processed: 7; failed: 1; total: 8; seconds spent: 0.000010")
	var log strings.Builder
	e := &NetExporter{S: NewSender(tr.ln.Addr().String(), time.Second, 0), Host: "box", Log: &log}
	tick := &netacct.Tick{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local), By: netacct.ByProc,
		Totals: []netacct.Row{{Key: netacct.Key{Program: "curl"}}}}
	e.Tick(tick)
	want := "zabbix 03:04:05 " + tr.ln.Addr().String() + ": processed 7, failed 1 of 8 values\n"
	if log.String() != want {
		t.Errorf("got %q, want %q", log.String(), want)
	}
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := dead.Addr().String()
	dead.Close()
	log.Reset()
	e = &NetExporter{S: NewSender(addr, time.Second, 0), Host: "box", Log: &log}
	if err := e.Tick(tick); err == nil {
		t.Error("no error from an unreachable server")
	}
	if want := "zabbix 03:04:05 " + addr + ": processed 0, failed 0 of 0 values; not delivered: 9 queued, 0 dropped\n"; log.String() != want {
		t.Errorf("got %q, want %q", log.String(), want)
	}
}
