// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestNetArguments checks the argument errors of "ferret net" that are
// caught before the kernel probe is loaded.
func TestNetArguments(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"--help"}, 0, "Usage: ferret net"},
		{[]string{"--by", "ip"}, 1, "unknown grouping"},
		{[]string{"--interval", "0s"}, 1, "--interval must be positive"},
		{[]string{"proc.name=a or proc.name=b and proc.name=c"}, 1, "expression mixes 'and' and 'or' in an ambiguous way"},
		{[]string{"(proc.name=a"}, 1, "filter error at position"},
		{[]string{"bogus.field=1"}, 1, "unrecognized field bogus.field"},
		{[]string{"--zabbix-host", "h"}, 1, "--zabbix-host needs --zabbix-server"},
		{[]string{"--no-such-flag"}, 2, "unknown flag"},
	} {
		var out, errb bytes.Buffer
		status := newCLI(&out, &errb).main(append([]string{"net"}, tc.args...))
		if status != tc.status || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("ferret net %v: status %d, stderr %q; want %d and %q", tc.args, status, errb.String(), tc.status, tc.want)
		}
	}
}

func TestNetPrometheusValue(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"--prometheus", "0.0.0.0:9464", "proc.name=x"}, []string{"--prometheus=0.0.0.0:9464", "proc.name=x"}},
		{[]string{"--prometheus", "proc.name=x"}, []string{"--prometheus", "proc.name=x"}},
		{[]string{"--prometheus", "[::1]:9464"}, []string{"--prometheus=[::1]:9464"}},
		{[]string{"--prometheus", "-n", "1"}, []string{"--prometheus", "-n", "1"}},
		{[]string{"--", "--prometheus", ":1"}, []string{"--", "--prometheus", ":1"}},
	} {
		if got := joinOptionalValue(tc.in, "--prometheus"); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("joinOptionalValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNetMissingPrivilege checks that a process without the privileges
// gets the one-line explanation, not the loader's error.
func TestNetMissingPrivilege(t *testing.T) {
	var out, errb bytes.Buffer
	c := newCLI(&out, &errb)
	c.livePrivileges = func() error {
		return errors.New("live capture needs root or CAP_BPF+CAP_PERFMON: euid 1000 lacks CAP_BPF")
	}
	status := c.main([]string{"net", "-n", "1"})
	if want := "ferret net: live capture needs root or CAP_BPF+CAP_PERFMON: euid 1000 lacks CAP_BPF\n"; status != 1 || errb.String() != want {
		t.Errorf("status %d, stderr %q; want 1 and %q", status, errb.String(), want)
	}
}
