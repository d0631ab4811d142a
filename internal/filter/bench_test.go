// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// benchCtx returns a context whose current event is a read exit of curl
// on /etc/hosts, with the state updated by the enter and exit events.
func benchCtx(b *testing.B) *fields.Ctx {
	st := state.New(state.Options{})
	st.Load(&event.Snapshot{Threads: []event.Thread{{
		TID: 100, PID: 100, PTID: 1, Comm: "curl", Exe: "curl", ExePath: "/usr/bin/curl",
		Cwd: "/", FDs: []event.FD{{Num: 3, Type: event.FDFile, Name: "/etc/hosts"}},
	}}})
	var bld event.Builder
	enter := append([]byte(nil), bld.Reset(6).I64(3).U32(100).Bytes(1000, 100)...)
	exit := bld.Reset(7).I64(10).Raw([]byte("127.0.0.1 ")).Bytes(2000, 100)
	var e1, e2 event.Event
	if err := e1.Decode(enter); err != nil {
		b.Fatal(err)
	}
	if err := e2.Decode(exit); err != nil {
		b.Fatal(err)
	}
	e1.Num, e2.Num = 1, 2
	st.Update(&e1)
	st.Update(&e2)
	c := fields.NewCtx(st)
	c.Ev = &e2
	return c
}

func BenchmarkMatchComplex(b *testing.B) {
	f, err := Compile(`evt.type in (open, openat, read) and (fd.name contains /etc or proc.name=curl) `+
		`and not evt.failed=true and evt.num>1 and fd.name pmatch (/etc, /usr/lib) and proc.name glob cu*`, fields.Default)
	if err != nil {
		b.Fatal(err)
	}
	c := benchCtx(b)
	if !f.Match(c) {
		b.Fatal("benchmark filter does not match")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Match(c)
	}
}

func BenchmarkMatchSimple(b *testing.B) {
	f, err := Compile(`evt.type=open`, fields.Default)
	if err != nil {
		b.Fatal(err)
	}
	c := benchCtx(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Match(c)
	}
}
