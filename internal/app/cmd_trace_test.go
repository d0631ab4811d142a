// SPDX-License-Identifier: Apache-2.0

package app

import (
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/trace"
)

func TestParseTraceArgs(t *testing.T) {
	tests := []struct {
		args    string
		check   func(*traceConfig) bool
		wantErr string
	}{
		{"-f -c -- ls /", func(c *traceConfig) bool { return c.follow && c.count && strings.Join(c.cmd, " ") == "ls /" }, ""},
		{"-fT -tt ls -l", func(c *traceConfig) bool {
			return c.follow && c.durations && c.time == trace.TimeUsec && len(c.cmd) == 2
		}, ""},
		{"-ttt -s 64 -o out.txt true", func(c *traceConfig) bool { return c.time == trace.TimeEpoch && c.strSize == 64 && c.out == "out.txt" }, ""},
		{"-e trace=%file,read cat x", func(c *traceConfig) bool { return c.set.Has("openat") && c.set.Has("read") && !c.set.Has("write") }, ""},
		{"-e open true", func(c *traceConfig) bool { return c.set.Has("open") && !c.set.Has("read") }, ""},
		{"-p 12,13 -p 14", func(c *traceConfig) bool { return len(c.pids) == 3 && c.pids[2] == 14 && len(c.cmd) == 0 }, ""},
		{"-p12", func(c *traceConfig) bool { return len(c.pids) == 1 && c.pids[0] == 12 }, ""},
		{"-f", nil, "must have PROG"},
		{"-p 1 ls", nil, "not both"},
		{"-p x", nil, "invalid process id"},
		{"-e trace=nosuch ls", nil, "invalid system call"},
		{"-e signal=none ls", nil, "unsupported -e qualifier"},
		{"-Z ls", nil, "invalid option"},
		{"-s", nil, "requires an argument"},
	}
	for _, tc := range tests {
		c, err := parseTraceArgs(strings.Fields(tc.args))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !tc.check(c) {
			t.Errorf("%q: %+v %v", tc.args, c, err)
		}
	}
}
