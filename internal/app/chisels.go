// SPDX-License-Identifier: Apache-2.0

package app

import (
	"io"

	"github.com/ferret-observability/ferret/internal/engine"
)

// ChiselHost is what the command line needs from the chisel runtime.
type ChiselHost interface {
	// List writes the -cl listing.
	List(w io.Writer) error
	// Info writes the -i description of one chisel.
	Info(w io.Writer, name string) error
	// Load loads chisel name, takes its arguments from the front of
	// operands and returns the consumer with the operands left over (the
	// filter words).
	Load(name string, operands []string, opts ChiselOptions) (engine.Consumer, []string, error)
}

// ChiselOptions are the command-line settings chisels can query.
type ChiselOptions struct {
	JSON      bool // -j: get_output_format() is "json"
	Container bool // -pc/-pk/-pm: is_print_container_data()
	Live      bool // no -r
	TTY       bool // stdout is a terminal
	Buf       byte // -A -x -X -b
	Snaplen   int
	Filter    string // the command-line filter, "" with -d
	Stdout    io.Writer
	Stderr    io.Writer
	// SetGlobalFilter replaces the command-line filter (sysdig.set_filter).
	SetGlobalFilter func(expr string) error
	// SetSnaplen changes the snap length of a capture not yet opened
	// (sysdig.set_snaplen).
	SetSnaplen func(n int)
}

// chiselHooks are the session callbacks handed to chisels.
type chiselHooks struct {
	setFilter  func(expr string) error
	setSnaplen func(n int)
}

// chisels is the chisel runtime, set by the file wiring internal/chisel in.
var chisels ChiselHost

type chiselRun struct {
	c engine.Consumer
}

func (c chiselRun) consumer() engine.Consumer { return c.c }

func listChisels(w io.Writer) error {
	if chisels == nil {
		return fail(1, "chisels are not available in this build")
	}
	return chisels.List(w)
}

func chiselInfo(w io.Writer, name string) error {
	if chisels == nil {
		return fail(1, "chisels are not available in this build")
	}
	return chisels.Info(w, name)
}

func loadChisel(cfg *Config, name string, operands []string, h chiselHooks) (chiselRun, []string, error) {
	if chisels == nil {
		return chiselRun{}, nil, fail(1, "chisels are not available in this build")
	}
	c, rest, err := chisels.Load(name, operands, ChiselOptions{
		JSON:      cfg.JSON,
		Container: cfg.Container,
		Live:      len(cfg.Read) == 0,
		TTY:       isTerminal(Stdout),
		Buf:       cfg.Buf,
		Snaplen:   cfg.Snaplen,
		Stdout:    Stdout,
		Stderr:    Stderr,

		SetGlobalFilter: h.setFilter,
		SetSnaplen:      h.setSnaplen,
	})
	if err != nil {
		return chiselRun{}, nil, err
	}
	return chiselRun{c}, rest, nil
}
