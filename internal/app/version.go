// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/ferret-observability/ferret/internal/capture/live"
)

// Version is ferret's version string; Commit and BuildDate are set by
// `make build` and `make deb` with -ldflags -X. Without them the commit and
// time Go recorded from the git checkout it built in are used.
var (
	Version   = "0.1.0"
	Commit    string
	BuildDate string
)

// buildInfo returns the commit and build date of the binary: the values
// given at link time, else the version-control stamp of the Go build
// ("+dirty" when the checkout had uncommitted changes).
func buildInfo() (commit, date string) {
	commit, date = Commit, BuildDate
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return commit, date
	}
	var rev, vtime string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			vtime = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if commit == "" && rev != "" {
		commit = rev
		if modified {
			commit += "+dirty"
		}
	}
	if date == "" {
		date = vtime
	}
	return commit, date
}

// writeVersion prints --version: the version line sysdig prints, then the
// build and, for root, the kernel features live capture relies on.
func writeVersion(w io.Writer, probe bool) {
	commit, date := buildInfo()
	fmt.Fprintf(w, "ferret version %s\n", Version)
	if commit == "" {
		commit = "not recorded (build with make build, or go build -buildvcs=true in a git checkout)"
	}
	if date == "" {
		date = "not recorded"
	}
	fmt.Fprintf(w, "commit:     %s\nbuilt:      %s\ngo:         %s %s/%s\n", commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if !probe {
		return
	}
	kernel := "unknown"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = string(trimNL(b))
	}
	f := live.ProbeKernel()
	fmt.Fprintf(w, "kernel:     %s\n", kernel)
	for _, c := range []struct {
		name string
		err  error
	}{{"BTF", f.BTF}, {"ring buffer", f.RingBuf}, {"tp_btf", f.TpBTF}} {
		if c.err == nil {
			fmt.Fprintf(w, "  %-12s yes\n", c.name+":")
		} else {
			fmt.Fprintf(w, "  %-12s no (%v)\n", c.name+":", c.err)
		}
	}
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
