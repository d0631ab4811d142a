// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"

	"github.com/ferret-observability/ferret/internal/manual"
)

const ferretSummary = "system calls of a live machine or a capture, filtered and printed in sysdig's language, on eBPF"

const ferretIntro = `ferret captures the system calls and process events of every process
on the machine through eBPF (no kernel module; live capture needs root or
CAP_BPF and CAP_PERFMON), or reads them from a capture file, and prints one
line per event. It speaks sysdig's language: the same filter grammar, the
same -p, -j and default output, the same .scap capture files and the same
Lua chisels. The subcommands below add strace-style tracing, per-file and
network file-system reports, in-kernel network accounting with Prometheus
and Zabbix exporters, pictures and csysdig's interactive views.`

// Commands returns ferret's and each subcommand's --help page, printed by
// the same code as `ferret [NAME] --help`, for the man pages and shell
// completions tools/genman writes.
func Commands() []manual.Command {
	help := func(args ...string) string {
		var b bytes.Buffer
		newCLI(&b, &b).main(append(args, "--help"))
		return b.String()
	}
	out := []manual.Command{{Summary: ferretSummary, Help: help(), Intro: ferretIntro}}
	for _, n := range subcommandNames() {
		out = append(out, manual.Command{Name: n, Summary: subcommands[n].summary, Help: help(n)})
	}
	return out
}
