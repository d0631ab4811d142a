// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args    string
		check   func(*Args) bool
		wantErr string
	}{
		{"-f -c -- ls /", func(c *Args) bool { return c.follow && c.count && strings.Join(c.cmd, " ") == "ls /" }, ""},
		{"-fT -tt ls -l", func(c *Args) bool {
			return c.follow && c.durations && c.time == TimeUsec && len(c.cmd) == 2
		}, ""},
		{"-ttt -s 64 -o out.txt true", func(c *Args) bool { return c.time == TimeEpoch && c.strSize == 64 && c.out == "out.txt" }, ""},
		{"-e trace=%file,read cat x", func(c *Args) bool { return c.set.Has("openat") && c.set.Has("read") && !c.set.Has("write") }, ""},
		{"-e open true", func(c *Args) bool { return c.set.Has("open") && !c.set.Has("read") }, ""},
		{"-p 12,13 -p 14", func(c *Args) bool { return len(c.pids) == 3 && c.pids[2] == 14 && len(c.cmd) == 0 }, ""},
		{"-p12", func(c *Args) bool { return len(c.pids) == 1 && c.pids[0] == 12 }, ""},
		{"-f", nil, "must have PROG"},
		{"-p 1 ls", nil, "not both"},
		{"-p x", nil, "invalid process id"},
		{"-e trace=nosuch ls", nil, "invalid system call"},
		{"-e signal=none ls", func(c *Args) bool { return c.signals != nil && len(c.signals) == 0 }, ""},
		{"-e signal=!SIGCHLD ls", func(c *Args) bool { return !c.signals[17] && c.signals[15] }, ""},
		{"-e signal=USR1,15 ls", func(c *Args) bool { return c.signals[10] && c.signals[15] && !c.signals[17] }, ""},
		{"-Z ls", func(c *Args) bool { return c.status == StatusFailed }, ""},
		{"-e status=successful ls", func(c *Args) bool { return c.status == StatusOK }, ""},
		{"-ff -o out ls", func(c *Args) bool { return c.follow && c.separate && c.out == "out" }, ""},
		{"-ff ls", nil, "-ff needs -o FILE"},
		{"-qq -r -C -xx ls", func(c *Args) bool { return c.quiet == 2 && c.relative && c.summaryToo && c.hex == 2 }, ""},
		{"--follow-forks --output=o --string-limit=8 --trace=read --summary-only -- ls", func(c *Args) bool {
			return c.follow && c.out == "o" && c.strSize == 8 && c.set.Has("read") && !c.set.Has("write") && c.count
		}, ""},
		{"--attach 5 --syscall-limit=3", func(c *Args) bool { return len(c.pids) == 1 && c.limit == 3 }, ""},
		{"-E A=1 -E B ls", func(c *Args) bool { return strings.Join(c.env, " ") == "A=1 B" }, ""},
		{"--absolute-timestamps=precision:us ls", func(c *Args) bool { return c.time == TimeUsec }, ""},
		{"-c -S calls ls", func(c *Args) bool { return c.sortBy == SortCalls }, ""},
		{"-c --summary-sort-by=max-time ls", func(c *Args) bool { return c.sortBy == SortMaxTime }, ""},
		{"-S bogus ls", nil, "invalid sortby: 'bogus'"},
		{"-u root id", func(c *Args) bool { return c.user != nil && c.user.UID == 0 && len(c.user.Groups) > 0 }, ""},
		{"--user=nosuchuser id", nil, "Cannot find user 'nosuchuser'"},
		{"-e read=3,5 --write=!1 ls", func(c *Args) bool {
			return c.readFDs.Has(3) && c.readFDs.Has(5) && !c.readFDs.Has(4) && c.writeFDs.Has(2) && !c.writeFDs.Has(1)
		}, ""},
		{"-e read=x ls", nil, "invalid descriptor 'x'"},
		{"-e inject=3 ls", nil, "-e inject= is not supported"},
		{"-y ls", func(c *Args) bool { return c.decodeFDs == 1 }, ""},
		{"--decode-fds=path ls", func(c *Args) bool { return c.decodeFDs == 1 }, ""},
		{"-yy ls", func(c *Args) bool { return c.decodeFDs == 2 }, ""},
		{"--decode-fds=all ls", func(c *Args) bool { return c.decodeFDs == 2 }, ""},
		{"--decode-fds=pidfd ls", nil, "--decode-fds=pidfd is not supported"},
		{"-k ls", func(c *Args) bool { return c.stack }, ""},
		{"--stack-trace -f ls", func(c *Args) bool { return c.stack && c.follow }, ""},
		{"-X raw ls", func(c *Args) bool { return c.constStyle == ConstRaw }, ""},
		{"--const-print-style=verbose -e raw=read --verbose=!stat ls", func(c *Args) bool {
			return c.constStyle == ConstVerbose && c.raw.Has("read") && !c.raw.Has("write") && !c.verbose.Has("stat") && c.verbose.Has("lstat")
		}, ""},
		{"-v ls", func(c *Args) bool { return c.abbrev != nil && !c.abbrev.Has("stat") }, ""},
		{"-fv ls", func(c *Args) bool { return c.follow && c.abbrev != nil && !c.abbrev.Has("execve") }, ""},
		{"--no-abbrev ls", func(c *Args) bool { return c.abbrev != nil && !c.abbrev.Has("newfstatat") }, ""},
		{"-e abbrev=!%%stat ls", func(c *Args) bool { return !c.abbrev.Has("newfstatat") && c.abbrev.Has("execve") }, ""},
		{"-v -e abbrev=all ls", func(c *Args) bool { return c.abbrev.Has("stat") }, ""},
		{"--no-such-option ls", nil, "unrecognized option '--no-such-option'"},
		{"-j ls", nil, "invalid option -- 'j'"},
		{"-s", nil, "requires an argument"},
	}
	for _, tc := range tests {
		c, err := ParseArgs(strings.Fields(tc.args))
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

// TestParseStatus reads -e status= sets as strace does.
func TestParseStatus(t *testing.T) {
	for expr, want := range map[string]Status{
		"all": StatusAll, "successful,failed,unfinished,unavailable,detached": StatusAll, "!none": StatusAll,
		"successful": StatusOK, "!failed,unfinished,unavailable,detached": StatusOK, "failed": StatusFailed,
		"unfinished": StatusUnfinished, "!unfinished": StatusOK | StatusFailed | StatusUnavailable | StatusDetached,
		"none": StatusNone, "!all": StatusNone, "failed,unfinished": StatusFailed | StatusUnfinished,
	} {
		got, err := parseStatus(expr)
		if err != nil || got != want {
			t.Errorf("status=%s: %v %v, want %v", expr, got, err, want)
		}
	}
	if _, err := parseStatus("foo"); err == nil {
		t.Error("status=foo accepted")
	}
}
