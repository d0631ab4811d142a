// SPDX-License-Identifier: Apache-2.0

package app

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteReadBack writes filtered captures with -w (plain, compressed,
// fat-file) and reads them back.
func TestWriteReadBack(t *testing.T) {
	src := filepath.Join("testdata", "curl_google.scap")
	tests := []struct {
		name  string
		flags []string
		flt   string
		want  string // first lines of "-p %evt.num %evt.type %fd.name" on the copy
		lines int
	}{
		{"plain", nil, "evt.type=open and evt.dir=<", "1 open /etc/ld.so.cache\n2 open /usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4\n", 48},
		{"gzip", []string{"-z"}, "evt.type=open and evt.dir=<", "1 open /etc/ld.so.cache\n", 48},
		{"fatfile", []string{"-F"}, "evt.type=read", "8 read /usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4\n9 read /usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4\n", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.scap")
			args := append([]string{"-r", src, "-w", out}, tt.flags...)
			got, rc := runCLI(t, ".", append(args, tt.flt))
			if rc != 0 || got != "" {
				t.Fatalf("writing: rc %d, output %q", rc, got)
			}
			got, rc = runCLI(t, ".", []string{"-r", out, "-p", "*%evt.num %evt.type %fd.name"})
			if rc != 0 || !strings.HasPrefix(got, tt.want) {
				t.Fatalf("reading back: rc %d, output %.200q, want prefix %q", rc, got, tt.want)
			}
			if n := strings.Count(got, "\n"); n != tt.lines {
				t.Errorf("%d events read back, want %d", n, tt.lines)
			}
		})
	}
}

// TestRotatedFilesSelfContained replays one rotated file alone: every event
// must show the process and fd names the whole capture shows for it, so each
// file starts from the tables as they were when it was opened.
func TestRotatedFilesSelfContained(t *testing.T) {
	src := filepath.Join("testdata", "curl_google.scap")
	out := filepath.Join(t.TempDir(), "rot.scap")
	if got, rc := runCLI(t, ".", []string{"-r", src, "-w", out, "-e", "500", "-q"}); rc != 0 {
		t.Fatalf("writing: rc %d, output %q", rc, got)
	}
	const f = "%evt.rawtime %proc.name %fd.name"
	full, rc := runCLI(t, ".", []string{"-r", src, "-p", f})
	if rc != 0 {
		t.Fatalf("reading the original: rc %d", rc)
	}
	want := map[string]bool{}
	for _, l := range strings.Split(full, "\n") {
		want[l] = true
	}
	part, rc := runCLI(t, ".", []string{"-r", out + "2", "-p", f})
	if rc != 0 || part == "" {
		t.Fatalf("reading the third file alone: rc %d, output %.200q", rc, part)
	}
	for _, l := range strings.Split(strings.TrimSpace(part), "\n") {
		if !want[l] {
			t.Errorf("line of the rotated file differs from the whole capture: %q", l)
		}
	}
}
