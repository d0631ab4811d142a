// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReaderMatchesSysdig compares, for every event sysdig prints from the
// reference traces, its number, timestamp, thread, CPU and direction with
// what the Reader returns for the same number.
func TestReaderMatchesSysdig(t *testing.T) {
	needSysdig(t)
	for _, name := range []string{"curl_google.scap", "sample.scap", "test_ipv6_client.scap", "single_ipv6_conn.scap"} {
		t.Run(name, func(t *testing.T) {
			p := trace(t, name)
			out, err := sysdigRead(t, p, "-p", "*%evt.num %evt.rawtime %thread.tid %evt.cpu %evt.dir")
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			_, evs, err := readAll(t, data)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) < 20 {
				t.Fatalf("sysdig printed only %d lines", len(lines))
			}
			for _, l := range lines {
				var num uint64
				if _, err := fmt.Sscan(l, &num); err != nil || num == 0 || num > uint64(len(evs)) {
					t.Fatalf("sysdig line %q: event number outside the %d events read", l, len(evs))
				}
				ev := evs[num-1]
				mine := fmt.Sprintf("%d %d %d %d %s", ev.Num, ev.TS, ev.TID, ev.CPU, ev.Type.Dir())
				if mine != l {
					t.Fatalf("event %d:\n  sysdig: %s\n  ferret: %s", num, l, mine)
				}
			}
		})
	}
}
