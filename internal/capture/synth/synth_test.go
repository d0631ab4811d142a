// SPDX-License-Identifier: Apache-2.0

package synth

import (
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// Sample builds a short scenario using every helper.
func sample() *Gen {
	g := &Gen{TS: 1_700_000_000_000_000_000}
	local := netip.MustParseAddrPort("10.0.0.5:40000")
	remote := netip.MustParseAddrPort("93.184.216.34:80")
	g.Clone(100, 101, Proc{PID: 101, PTID: 100, Exe: "/bin/sh", Args: []string{"-c", "x"}, Cwd: "/root/", Comm: "sh"}, 0)
	g.Execve(101, Proc{PID: 101, PTID: 100, Exe: "/usr/bin/curl", Args: []string{"example.com"}, Cwd: "/root/", Comm: "curl", Env: []string{"HOME=/root"}}, 0)
	g.OpenAt(101, AtFDCWD, "/etc/hosts", ORdonly, 0, 3)
	g.Open(101, "/etc/resolv.conf", ORdonly, 0, 4)
	g.Read(101, 3, 4096, []byte("127.0.0.1 localhost\n"))
	g.Close(101, 3, 0)
	g.Socket(101, 2, 1, 0, 5)
	g.Connect(101, 5, local, remote, 0)
	g.SendTo(101, 5, []byte("GET / HTTP/1.1\r\n\r\n"), local, remote)
	g.RecvFrom(101, 5, []byte("HTTP/1.1 200 OK\r\n"), remote, local)
	g.Write(101, 1, []byte("hello\n"))
	g.Bind(101, 6, netip.MustParseAddrPort("0.0.0.0:8080"), 0)
	g.Listen(101, 6, 128)
	g.Accept(101, 7, remote, netip.MustParseAddrPort("10.0.0.5:8080"))
	g.Generic(101, 75, 10)
	g.Switch(101, 100)
	g.Container(`{"container":{"id":"abc"}}`)
	g.Pipe(101, 8, 9, 4242)
	g.Dup(101, 8, 10)
	g.Chdir(101, "/tmp", 0)
	g.Unlinkat(101, AtFDCWD, "x", 0)
	g.Mkdirat(101, AtFDCWD, "d", 0o755, 0)
	g.Renameat2(101, AtFDCWD, "a", AtFDCWD, "b", 0)
	g.Kill(101, 100, 15, 0)
	g.Setuid(101, 0, -1)
	g.ProcExit(101, 0)
	return g
}

func TestHelpersEmitFullParameterLists(t *testing.T) {
	g := sample()
	evs := g.Events()
	if len(evs) < 30 {
		t.Fatalf("only %d events", len(evs))
	}
	for i, ev := range evs {
		info := ev.Info()
		if ev.NParams != len(info.Params) {
			t.Errorf("event %d %s: %d params, table has %d", i, info.Name, ev.NParams, len(info.Params))
		}
		if info.Flags&(event.FlagOldVersion|event.FlagUnused) != 0 {
			t.Errorf("event %d %s (%d) uses an old or unused type", i, info.Name, ev.Type)
		}
		if i > 0 && ev.TS <= evs[i-1].TS {
			t.Errorf("event %d: timestamp does not increase", i)
		}
	}
}

func TestSourceNumbersEvents(t *testing.T) {
	s := sample().Source(nil)
	var n uint64
	for {
		ev, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if ev.Num != n {
			t.Fatalf("event %d numbered %d", n, ev.Num)
		}
	}
	if s.Stats().Events != n || s.Snapshot() == nil {
		t.Fatalf("stats %+v", s.Stats())
	}
}

func TestEmitValues(t *testing.T) {
	tests := []struct {
		name string
		typ  event.Type
		vals []any
		idx  int
		want []byte
	}{
		{"fd", 4, []any{int64(-1)}, 0, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"charbuf", 2, []any{"/a"}, 0, []byte{'/', 'a', 0}},
		{"flags32", 2, []any{"/a", ORdwr}, 1, []byte{3, 0, 0, 0}},
		{"missing gets zero", 2, []any{"/a"}, 2, []byte{0, 0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var g Gen
			ev := g.Emit(tc.typ, 1, tc.vals...)
			if got := ev.Param(tc.idx); string(got) != string(tc.want) {
				t.Fatalf("param %d = %v, want %v", tc.idx, got, tc.want)
			}
		})
	}
}
