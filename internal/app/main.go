// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Subcommand runs one ferret subcommand with the arguments that follow its
// name and returns the exit status.
type Subcommand func(args []string) int

// subcommands maps a first command-line word to its implementation. Files
// cmd_<name>.go of this package fill it from init through Register.
var subcommands = map[string]Subcommand{}

// subcommandHelp holds one-line descriptions for --help.
var subcommandHelp = map[string]string{}

// Register adds a subcommand; it panics on a duplicate name (a programming
// error caught at start-up).
func Register(name, summary string, fn Subcommand) {
	if _, dup := subcommands[name]; dup {
		panic("app: subcommand registered twice: " + name)
	}
	subcommands[name] = fn
	subcommandHelp[name] = summary
}

// Stdout and Stderr are where the command line writes; tests replace them.
var (
	Stdout io.Writer = os.Stdout
	Stderr io.Writer = os.Stderr
)

// Main runs ferret with args (without the program name) and returns the
// process exit status.
func Main(args []string) int {
	if len(args) > 0 {
		if fn, ok := subcommands[args[0]]; ok {
			return fn(args[1:])
		}
	}
	return runSysdig(args, Stdout, Stderr)
}

func subcommandNames() []string {
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func writeSubcommandHelp(w io.Writer) {
	names := subcommandNames()
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, "\nSubcommands (ferret NAME --help for details):\n")
	for _, n := range names {
		fmt.Fprintf(w, " %-10s %s\n", n, subcommandHelp[n])
	}
}
