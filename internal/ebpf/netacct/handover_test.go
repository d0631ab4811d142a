// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"io"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/netacct"
	"github.com/ferret-observability/ferret/internal/testutil"
)

const childEnv = "FERRET_NETACCT_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "accept" {
		os.Exit(acceptChild())
	}
	os.Exit(m.Run())
}

// acceptChild accepts one connection on the listener inherited as fd 3,
// reads 1000 bytes, answers 300 and exits.
func acceptChild() int {
	ln, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		return 1
	}
	c, err := ln.Accept()
	if err != nil {
		return 2
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(c, buf); err != nil {
		return 3
	}
	if _, err := c.Write(buf[:300]); err != nil {
		return 4
	}
	c.Close()
	return 0
}

// TestListenerHandedToChild covers the prefork pattern: this process
// listens (and so provisionally owns the connections the listener
// accepts), a child accepts and serves. Everything, connection included,
// must be the child's.
func TestListenerHandedToChild(t *testing.T) { inFoldModes(t, testListenerHandedToChild) }

func testListenerHandedToChild(t *testing.T, opts Options) {
	p := openProbeWith(t, opts)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lf, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=accept")
	child.ExtraFiles = []*os.File{lf}
	if err := testutil.Start(child); err != nil {
		t.Fatal(err)
	}
	lf.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	client := unmapped(addrPort(c.LocalAddr()))
	if _, err := c.Write(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 300)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	wantFlow(t, flowsOf(t, p, child.Process.Pid), client, netacct.TCP,
		netacct.Counters{RxBytes: 1000, TxBytes: 300, RxCalls: 1, TxCalls: 1, Conns: 1})
	if f, ok := mine(t, p)[client]; ok {
		t.Errorf("listener's owner has the child's connection: %+v", f.Counters)
	}
}
