// SPDX-License-Identifier: Apache-2.0

package zabbix

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestRealZabbixProxy sends values to a real Zabbix trapper: Debian's
// zabbix_proxy (SQLite) started on a free loopback port with no server
// behind it. It knows no hosts, so it must answer that every value failed,
// and the sender must report exactly that.
func TestRealZabbixProxy(t *testing.T) {
	bin, err := exec.LookPath("zabbix_proxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zabbix_proxy missing (Debian package zabbix-proxy-sqlite3)")
		}
		t.Skip("zabbix_proxy missing (Debian package zabbix-proxy-sqlite3)")
	}
	// zabbix_proxy accepts ports up to 32767 only.
	port := 0
	for p := 20000 + os.Getpid()%10000; p < 32768 && port == 0; p += 7 {
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			ln.Close()
			port = p
		}
	}
	dead, _ := net.Listen("tcp", "127.0.0.1:0") // an upstream server that never answers
	defer dead.Close()
	dir := t.TempDir()
	conf := fmt.Sprintf(`ProxyMode=0
Server=%s
Hostname=ferret-test-proxy
ListenIP=127.0.0.1
ListenPort=%d
DBName=%s
LogType=file
LogFile=%s
PidFile=%s
AllowRoot=1
StartPollers=1
StartPollersUnreachable=1
StartTrappers=1
StartPingers=1
StartDiscoverers=1
StartHTTPPollers=1
StartPreprocessors=1
`, dead.Addr(), port, filepath.Join(dir, "proxy.db"), filepath.Join(dir, "proxy.log"), filepath.Join(dir, "proxy.pid"))
	cf := filepath.Join(dir, "proxy.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-f", "-c", cf)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	up := false
	for i := 0; i < 150 && !up; i++ {
		select {
		case <-done:
			t.Fatalf("zabbix_proxy exited: %s", out.Bytes())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			up = true
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !up {
		log, _ := os.ReadFile(filepath.Join(dir, "proxy.log"))
		t.Fatalf("zabbix_proxy did not listen on %s\n%s\n%s", addr, out.Bytes(), log)
	}
	s := NewSender(addr, 5*time.Second, 0)
	s.Enqueue(
		Item{Host: "ferret-host", Key: "ferret.net.calls", Value: "42", Clock: time.Now().Unix()},
		Item{Host: "ferret-host", Key: DiscoveryKey, Value: `{"data":[]}`},
		Item{Host: "other", Key: `ferret.net.bytes_sent["curl"]`, Value: "1"},
	)
	r, err := s.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if r.Response != "success" || r.Processed != 0 || r.Failed != 3 || r.Total != 3 {
		t.Errorf("answer %+v; want processed 0, failed 3, total 3", r)
	}
	if st := s.Stats(); st.Sent != 3 || st.Failed != 3 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
}
