// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRewriteMatchesSysdig reads each reference trace, writes it back with
// the Writer (plain and gzip), and checks that sysdig prints the rewritten
// file exactly as it prints the original.
func TestRewriteMatchesSysdig(t *testing.T) {
	needSysdig(t)
	files := []string{"curl_google.scap", "sample.scap", "test_ipv6_client.scap", "single_ipv6_conn.scap"}
	formats := [][]string{
		nil,
		{"-p", "*%evt.num %evt.cpu %proc.name %thread.tid %fd.name %user.name %container.id %proc.exepath %proc.cwd %fd.lip %fd.rip"},
		{"-c", "lsof"},
		{"-c", "ps"},
	}
	dir := t.TempDir()
	for _, name := range files {
		for _, gz := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: "/gzip"}[gz], func(t *testing.T) {
				orig := trace(t, name)
				data, err := os.ReadFile(orig)
				if err != nil {
					t.Fatal(err)
				}
				snap, evs, err := readAll(t, data)
				if err != nil {
					t.Fatal(err)
				}
				out := rewrite(t, snap, evs, WriterOptions{Compress: gz})
				p := filepath.Join(dir, strings.TrimSuffix(name, ".scap")+map[bool]string{false: ".scap", true: ".scap.gz"}[gz])
				if err := os.WriteFile(p, out, 0o600); err != nil {
					t.Fatal(err)
				}
				for _, f := range formats {
					want, err := sysdigRead(t, orig, f...)
					if err != nil {
						t.Fatalf("sysdig on original: %v", err)
					}
					got, err := sysdigRead(t, p, f...)
					if err != nil {
						t.Fatalf("sysdig on rewrite: %v", err)
					}
					if strings.Count(want, "\n") < 5 {
						t.Fatalf("sysdig %v printed too little for a comparison: %q", f, want)
					}
					if got != want {
						t.Errorf("sysdig %v output differs:\n%s", f, firstDiff(want, got))
					}
				}
			})
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n  want: " + x + "\n  got:  " + y
		}
	}
	return "(equal)"
}

func itoa(i int) string {
	var b [20]byte
	p := len(b)
	for {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[p:])
		}
	}
}
