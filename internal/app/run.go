// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture"
)

// Version is ferret's version string.
var Version = "0.1.0"

// sourceOpeners are filled by the files that wire capture sources in, so
// that this file compiles while they are added.
var (
	openFileSource func(path string) (capture.Source, error)
	openLiveSource func(c *Config) (capture.Source, error)
)

// runSysdig handles the sysdig-compatible command line.
func runSysdig(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args)
	if err != nil {
		fmt.Fprintf(stderr, "ferret: %v\n", err)
		fmt.Fprintf(stderr, "Try 'ferret --help' for more information.\n")
		return 1
	}
	switch {
	case cfg.Help:
		writeHelp(stdout)
		return 0
	case cfg.Version:
		fmt.Fprintf(stdout, "ferret version %s\n", Version)
		return 0
	case cfg.LibsVersion:
		fmt.Fprintf(stdout, "ferret version %s (sysdig 0.29.3 compatible)\n", Version)
		return 0
	}
	err = run(cfg, stdout, stderr)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, err)
	return 1
}

// exitError carries an exact message and exit status.
type exitError struct {
	msg  string
	code int
}

func (e *exitError) Error() string { return e.msg }

func run(cfg *Config, stdout, stderr io.Writer) error {
	cfg.Filter = strings.Join(cfg.Operands, " ")
	if len(cfg.Read) == 0 {
		if openLiveSource == nil {
			return &exitError{"live capture is not available in this build", 1}
		}
	}
	return nil
}

func writeHelp(w io.Writer) {
	fmt.Fprintf(w, "ferret version %s\n", Version)
	fmt.Fprintf(w, "Usage: ferret [options] [-p <output_format>] [filter]\n")
	fmt.Fprintf(w, "       ferret SUBCOMMAND [args]\n")
	writeSubcommandHelp(w)
}
