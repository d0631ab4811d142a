// SPDX-License-Identifier: Apache-2.0

package app

import (
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkReplayDefaultOutput replays curl_google.scap 50 times in a row
// through the default event line into io.Discard and reports events/s.
func BenchmarkReplayDefaultOutput(b *testing.B) {
	path := filepath.Join("testdata", "curl_google.scap")
	paths := make([]string, 50)
	for i := range paths {
		paths[i] = path
	}
	var events uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg := &Config{Read: paths, Snaplen: 80, TimeMode: 'h'}
		s, err := newCLI(io.Discard, io.Discard).newSession(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Run(); err != nil {
			b.Fatal(err)
		}
		events += s.Read()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// TestReplayTestdata checks the copy of curl_google.scap kept for the
// benchmark prints its first event like sysdig.
func TestReplayTestdata(t *testing.T) {
	got, rc := runCLI(t, ".", []string{"-r", filepath.Join("testdata", "curl_google.scap"), "-n", "212", "-p", "%evt.num %evt.type %proc.name"})
	if rc != 0 || got != "211 execve curl\n212 brk curl\n" {
		t.Errorf("got %q rc %d", got, rc)
	}
}
