// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantBuiltins are the chisels ferret ships inside the binary.
var wantBuiltins = []string{
	"bottlenecks", "echo_fds", "fdbytes_by", "fdcount_by", "fdtime_by", "fileslower", "httplog", "httptop", "iobytes", "iobytes_file",
	"iobytes_net", "lscontainers", "lsof", "memcachelog", "netlower", "netstat", "proc_exec_time", "ps",
	"scallslower", "spectrogram", "spy_file", "spy_ip", "spy_logs", "spy_port", "spy_syslog", "spy_users", "stderr",
	"stdin", "stdout", "table_generator", "topconns", "topcontainers_cpu", "topcontainers_error", "topcontainers_file", "topcontainers_net", "topfiles_bytes", "topfiles_errors", "topfiles_time",
	"topports_server", "topprocs_cpu", "topprocs_errors", "topprocs_file", "topprocs_net",
	"topscalls", "topscalls_time", "tracers_2_statsd",
}

func TestBuiltinsListed(t *testing.T) {
	got := BuiltinNames()
	if strings.Join(got, " ") != strings.Join(wantBuiltins, " ") {
		t.Fatalf("built-ins:\n got %v\nwant %v", got, wantBuiltins)
	}
	var b bytes.Buffer
	if err := List(&b, []string{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range wantBuiltins {
		if n == "table_generator" { // hidden, like sysdig's
			continue
		}
		if !strings.Contains(b.String(), "\n"+n+" ") && !strings.Contains(b.String(), "\n"+n+"\n") {
			t.Errorf("-cl does not list %s", n)
		}
		var info bytes.Buffer
		if err := Info(&info, n, []string{}); err != nil {
			t.Errorf("-i %s: %v", n, err)
		}
	}
}

func TestBuiltinsLoad(t *testing.T) {
	for _, n := range wantBuiltins {
		t.Run(n, func(t *testing.T) {
			var rest []string
			switch n {
			case "fileslower", "netlower", "scallslower":
				rest = []string{"0"}
			case "fdbytes_by", "fdcount_by", "fdtime_by":
				rest = []string{"fd.type"}
			case "spy_ip":
				rest = []string{"10.0.0.1"}
			case "table_generator":
				rest = []string{"proc.name P evt.count C '' 5 none"}
			case "spy_port":
				rest = []string{"53"}
			}
			c, used, err := Load(n, rest, Options{Dirs: []string{}, Stdout: &bytes.Buffer{}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if used != len(rest) {
				t.Errorf("consumed %d words, want %d", used, len(rest))
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite ferret-generated golden files in testdata")

// TestBuiltinListingGolden pins the -cl and -i output of the built-in
// chisels (testdata/builtin-list.txt; -update rewrites it).
func TestBuiltinListingGolden(t *testing.T) {
	var b bytes.Buffer
	if err := List(&b, []string{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range wantBuiltins {
		b.WriteString("=================== " + n + "\n")
		if err := Info(&b, n, []string{}); err != nil {
			b.WriteString(err.Error() + "\n")
		}
	}
	path := filepath.Join("testdata", "builtin-list.txt")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("listing differs from %s:\n%s", path, firstDiff(b.String(), string(want)))
	}
}
