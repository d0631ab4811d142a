// SPDX-License-Identifier: Apache-2.0

package fields_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// BenchmarkContainerFields measures the per-event cost of the state update
// plus rendering proc.name, container.id, container.name and
// container.image, for the same read/write events of a process in a
// container (metadata looked up on disk, as in a live capture) and of a
// host process, side by side. Containers are looked up once per cgroup, so
// the two should cost the same; lookups/op counts the lookups.
func BenchmarkContainerFields(b *testing.B) {
	const full = "3f1a5e0b9c7d42e8a6b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9"
	root := b.TempDir()
	dir := filepath.Join(root, "var/lib/docker/containers", full)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.v2.json"), []byte(`{"ID":"`+full+`","Name":"/web1","Image":"sha256:99","Config":{"Image":"nginx:1.25"}}`), 0o644); err != nil {
		b.Fatal(err)
	}
	readE, readX := synth.Current("read")
	writeE, writeX := synth.Current("write")
	var evs []*event.Event
	for i := 0; i < 1000; i++ {
		ts := uint64(1000 + 4*i)
		evs = append(evs,
			synth.Record(readE, ts, 10, int64(0), uint32(16)),
			synth.Record(readX, ts+1, 10, int64(5), []byte("hello")),
			synth.Record(writeE, ts+2, 10, int64(1), uint32(5)),
			synth.Record(writeX, ts+3, 10, int64(5), []byte("hello")))
	}
	hostCg := []string{"cpu=/user.slice/user-0.slice/session-1.scope", "memory=/user.slice/user-0.slice/session-1.scope"}
	ctrCg := []string{"cpu=/docker/" + full, "memory=/docker/" + full}
	withCtr := []string{"proc.name", "container.id", "container.name", "container.image"}
	for _, tc := range []struct {
		name    string
		cgroups []string
		tokens  []string
	}{
		{"host/proc.name", hostCg, []string{"proc.name"}},
		{"container/proc.name", ctrCg, []string{"proc.name"}},
		{"host/container-fields", hostCg, withCtr},
		{"container/container-fields", ctrCg, withCtr},
	} {
		tokens := tc.tokens
		b.Run(tc.name, func(b *testing.B) {
			snap := &event.Snapshot{Threads: []event.Thread{{TID: 10, PID: 10, Comm: "web", Exe: "web", Cgroups: tc.cgroups,
				FDs: []event.FD{{Num: 0, Type: event.FDFile, Name: "/in"}, {Num: 1, Type: event.FDFile, Name: "/out"}}}}}
			st := state.New(state.Options{Containers: &container.Resolver{Root: root, Sockets: []string{}}})
			c := fields.NewCtx(st)
			var ex []fields.Extractor
			for _, t := range tokens {
				f, err := fields.CompileToken(t)
				if err != nil {
					b.Fatal(err)
				}
				ex = append(ex, f)
			}
			var v fields.Value
			var buf []byte
			lookups := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % len(evs)
				if k == 0 {
					b.StopTimer()
					lookups += len(st.ContainerLog())
					st.Load(snap)
					b.StartTimer()
				}
				ev := evs[k]
				st.Update(ev)
				c.Ev = ev
				buf = buf[:0]
				for _, f := range ex {
					if f.Extract(c, &v) {
						buf = fields.AppendText(buf, c, f, &v)
					}
				}
			}
			b.StopTimer()
			if tc.name == "container/container-fields" && string(buf) != "web3f1a5e0b9c7dweb1nginx:1.25" {
				b.Fatalf("rendered %q", buf)
			}
			lookups += len(st.ContainerLog())
			b.ReportMetric(float64(lookups)/float64(b.N), "lookups/op")
		})
	}
}
