// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"io"

	"github.com/ferret-observability/ferret/internal/chisel"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/inspect"
)

// runSysdig handles the sysdig-compatible command line.
func (c *cli) runSysdig(args []string) int {
	cfg, err := parseConfig(args)
	if err == nil {
		err = c.run(cfg)
	}
	stderr := c.stderr
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "ferret: %v\n", err)
		return 1
	}
	if err == nil {
		return 0
	}
	var ee *inspect.ExitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			fmt.Fprintln(stderr, ee.Msg)
		}
		return ee.Code
	}
	fmt.Fprintln(stderr, err)
	return 1
}

func (c *cli) run(cfg *Config) error {
	stdout := c.stdout
	switch {
	case cfg.Help:
		writeHelp(stdout)
		return nil
	case cfg.Version:
		writeVersion(stdout, c.livePrivileges() == nil)
		return nil
	case cfg.LibsVersion:
		fmt.Fprintf(stdout, "ferret %s (sysdig 0.29.3 compatible)\n", Version)
		return nil
	case cfg.List:
		return fields.Default.WriteList(stdout, cfg.Verbose)
	case cfg.ListMD:
		return fields.Default.WriteMarkdown(stdout)
	case cfg.ListEvents:
		return event.WriteList(stdout)
	case cfg.ListChisels:
		return chisel.List(stdout, nil)
	case cfg.ChiselInfo != "":
		return chisel.Info(stdout, cfg.ChiselInfo, nil)
	}
	if cfg.PrintFormat {
		fmt.Fprintln(stdout, inspect.DefaultFormat(cfg, c.isTerminal(stdout)))
		return nil
	}
	s, err := c.newSession(cfg)
	if err != nil {
		return err
	}
	if err := s.Run(); err != nil {
		return err
	}
	// Command lines a chisel asked for (sysdig.run_app) run once this one
	// has ended.
	for _, args := range s.RunApps() {
		cfg, err := parseConfig(args)
		if err == nil {
			err = c.run(cfg)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// newSession starts an inspect session of cfg with the command line's
// outputs.
func (c *cli) newSession(cfg *Config) (*inspect.Session, error) {
	return inspect.New(cfg, inspect.Env{Stdout: c.stdout, Stderr: c.stderr, TTY: c.isTerminal(c.stdout),
		LivePrivileges: c.livePrivileges})
}

func writeHelp(w io.Writer) {
	fmt.Fprintf(w, "ferret version %s\n", Version)
	fmt.Fprintf(w, "Usage: ferret [options] [-p <output_format>] [filter]\n")
	fmt.Fprintf(w, "       ferret SUBCOMMAND [args]\n")
	io.WriteString(w, helpText)
	writeSubcommandHelp(w)
}
