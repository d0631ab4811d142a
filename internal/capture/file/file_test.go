// SPDX-License-Identifier: Apache-2.0

package file

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tracesDir finds shared/reference/traces next to the repository root.
func tracesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	td := filepath.Join(dir, "..", "shared", "reference", "traces")
	if _, err := os.Stat(td); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference traces missing: %v", err)
		}
		t.Skipf("reference traces missing: %v", err)
	}
	return td
}

func TestReadTraces(t *testing.T) {
	td := tracesDir(t)
	tests := []struct {
		file      string
		events    uint64
		threads   int
		firstType uint16
		errSub    string
	}{
		{"curl_google.scap", 1536, 0, 0, ""},
		{"sample.scap", 477, 0, 0, ""},
		{"test_ipv6_client.scap", 326, 0, 0, ""},
		{"single_ipv6_conn.scap", 1728, 0, 0, ""},
		{"curl_google_comments.scap", 1536, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			s, err := Open(filepath.Join(td, tc.file))
			if err != nil {
				if tc.errSub != "" && strings.Contains(err.Error(), tc.errSub) {
					return
				}
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			var n uint64
			for {
				ev, err := s.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("after %d events: %v", n, err)
				}
				n++
				if ev.Num != n {
					t.Fatalf("event %d numbered %d", n, ev.Num)
				}
			}
			snap := s.Snapshot()
			t.Logf("%s: %d events, %d threads, %d ifaces, %d users, host %q", tc.file, n, len(snap.Threads), len(snap.Interfaces), len(snap.Users), snap.Machine.Hostname)
			if n != tc.events {
				t.Errorf("got %d events, want %d", n, tc.events)
			}
		})
	}
}
