// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/getopt"
)

// cli is one invocation of the command line: where it writes, and the two
// facts about its surroundings that tests replace.
type cli struct {
	stdout, stderr io.Writer
	// isTerminal reports whether w is a terminal.
	isTerminal func(w io.Writer) bool
	// livePrivileges reports what the process lacks for live capture.
	livePrivileges func() error
}

func newCLI(stdout, stderr io.Writer) *cli {
	return &cli{stdout: stdout, stderr: stderr, isTerminal: isTerminal, livePrivileges: live.CheckPrivileges}
}

// Main runs ferret with args (without the program name) and returns the
// process exit status.
func Main(args []string) int { return newCLI(os.Stdout, os.Stderr).main(args) }

func (c *cli) main(args []string) int {
	if len(args) > 0 {
		if sc, ok := subcommands[args[0]]; ok {
			return sc.run(c, args[1:])
		}
		if msg := unknownCommand(args[0]); msg != "" {
			fmt.Fprintln(c.stderr, msg)
			return 1
		}
	}
	return c.runSysdig(args)
}

// subcommand is one `ferret NAME ...` command.
type subcommand struct {
	summary string // for --help
	run     func(c *cli, args []string) int
}

// subcommands maps a first command-line word to its implementation.
var subcommands = map[string]subcommand{
	"trace": {"strace-style syscall tracing of a command or process, without ptrace", (*cli).runTrace},
	"files": {"file opens and closes of a process tree, one record per closed file", (*cli).runFiles},
	"netfs": {"network file-system activity per process and mount, slow operations, mounts", (*cli).runNetfs},
	"net":   {"per-process, per-peer network accounting (table, Prometheus, Zabbix)", (*cli).runNet},
	"plot":  {"pictures: latency heat maps, spectrograms, I/O timelines (SVG/PNG)", (*cli).runPlot},
	"top":   {"csysdig's views (processes, connections, files, ...), interactive or --raw/-j, live or -r FILE", (*cli).runTop},
}

func subcommandNames() []string {
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// unknownCommand describes a first word that can be neither a subcommand
// nor the start of a filter (a bare word: filters start with a field,
// which has a dot, a parenthesis or not), or returns "".
func unknownCommand(word string) string {
	if word == "" || word == "not" || word == "and" || word == "or" {
		return ""
	}
	for i, c := range word {
		if !(c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_')) {
			return ""
		}
	}
	msg := fmt.Sprintf("ferret: unknown command '%s'", word)
	if best := getopt.Nearest(word, subcommandNames()); best != "" {
		return msg + fmt.Sprintf("; did you mean '%s'?", best)
	}
	return msg + fmt.Sprintf(" (commands: %s; see ferret --help)", strings.Join(subcommandNames(), ", "))
}

func writeSubcommandHelp(w io.Writer) {
	names := subcommandNames()
	fmt.Fprintf(w, "\nSubcommands (ferret NAME --help for details):\n")
	for _, n := range names {
		fmt.Fprintf(w, " %-10s %s\n", n, subcommands[n].summary)
	}
}

// isTerminal reports whether w is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// unlessQuiet returns w, or nil with -q.
func unlessQuiet(w io.Writer, quiet bool) io.Writer {
	if quiet {
		return nil
	}
	return w
}
