// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// bigFile writes a capture of about size bytes: the events of a reference
// trace repeated with shifted timestamps. It returns its path and event
// count.
func bigFile(b *testing.B, size int64) (string, int) {
	b.Helper()
	src, err := file.Open(testutil.Reference(b, "traces", "curl_google.scap"))
	if err != nil {
		b.Fatal(err)
	}
	snap := src.Snapshot()
	var evs []event.Event
	for {
		ev, err := src.Next()
		if err != nil {
			break
		}
		e := *ev
		e.Raw = append([]byte(nil), ev.Raw...)
		evs = append(evs, e)
	}
	src.Close()
	path := filepath.Join(b.TempDir(), "big.scap")
	fw, err := capfile.Create(path, snap, capfile.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer fw.Close()
	span := evs[len(evs)-1].TS - evs[0].TS + 1
	n := 0
	var ev event.Event
	rec := make([]byte, 0, 1<<16)
	var written int64
	for rep := uint64(0); written < size; rep++ {
		for _, e := range evs {
			rec = append(rec[:0], e.Raw...)
			binary.LittleEndian.PutUint64(rec, e.TS+rep*span)
			if err := ev.Decode(rec); err != nil {
				b.Fatal(err)
			}
			ev.CPU = e.CPU
			if err := fw.WriteEvent(&ev); err != nil {
				b.Fatal(err)
			}
			written += int64(len(rec) + 16)
			n++
		}
	}
	return path, n
}

// cpuSelf is this process's user+system CPU time.
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuOf is a process's user+system CPU time from /proc.
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100)
}

// BenchmarkStreamWrite writes the same capture (read from a file) with no
// writer, to a capture file (-w file) and to JetStream (-w nats://),
// side by side, and reports events/s (the stream's counted once every
// message is acknowledged), the writing process's CPU per event and, for
// the stream, the server's. Every event must arrive: 0 loss.
func BenchmarkStreamWrite(b *testing.B) {
	srv := testutil.StartNATS(b)
	path, n := bigFile(b, 64<<20)
	dir := b.TempDir()
	for _, mode := range []string{"none", "file", "nats"} {
		b.Run(mode, func(b *testing.B) {
			var cpu, server, wall time.Duration
			for i := 0; i < b.N; i++ {
				src, err := file.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				var cons []engine.Consumer
				var sink *Sink
				switch mode {
				case "file":
					cons = append(cons, &engine.FileWriter{Path: filepath.Join(dir, "out.scap")})
				case "nats":
					tg, _ := capnats.ParseURL(fmt.Sprintf("%s/ferret.bench%d", srv.URL, i))
					if sink, err = Open(Options{Target: tg, DrainWait: 10 * time.Minute, MemMax: 1 << 30}); err != nil {
						b.Fatal(err)
					}
					cons = append(cons, sink)
				}
				c0, s0, t0 := cpuSelf(), cpuOf(srv.Pid()), time.Now()
				if err := engine.New(src, engine.Options{}, cons...).Loop(); err != nil {
					b.Fatal(err)
				}
				wall += time.Since(t0)
				cpu += cpuSelf() - c0
				server += cpuOf(srv.Pid()) - s0
				src.Close()
				if sink != nil {
					if st := sink.Stats(); st.Events != uint64(n) || st.DroppedEvents != 0 {
						b.Fatalf("stream: %+v, want %d events acknowledged", st, n)
					}
				}
			}
			ev := float64(n) * float64(b.N)
			b.ReportMetric(ev/wall.Seconds(), "events/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/ev, "cpu-ns/event")
			if mode == "nats" {
				b.ReportMetric(float64(server.Nanoseconds())/ev, "server-cpu-ns/event")
			}
		})
	}
}

// BenchmarkStreamReplay reads the same capture back from a file and from
// JetStream, side by side (events/s, no consumer).
func BenchmarkStreamReplay(b *testing.B) {
	srv := testutil.StartNATS(b)
	path, n := bigFile(b, 64<<20)
	src, err := file.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.replay")
	sink, err := Open(Options{Target: tg, DrainWait: 10 * time.Minute, MemMax: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	if err := engine.New(src, engine.Options{}, sink).Loop(); err != nil {
		b.Fatal(err)
	}
	src.Close()
	for _, mode := range []string{"file", "nats"} {
		b.Run(mode, func(b *testing.B) {
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				var s capture.Source
				if mode == "file" {
					s, err = file.Open(path)
				} else {
					s, err = capnats.Open(tg, capnats.ReadOptions{})
				}
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				r := engine.New(s, engine.Options{})
				if err := r.Loop(); err != nil {
					b.Fatal(err)
				}
				wall += time.Since(t0)
				s.Close()
				if r.Stats.Read != uint64(n) {
					b.Fatalf("%d events read, want %d", r.Stats.Read, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/wall.Seconds(), "events/s")
		})
	}
}
