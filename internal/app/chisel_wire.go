// SPDX-License-Identifier: Apache-2.0

package app

import (
	"io"

	"github.com/ferret-observability/ferret/internal/chisel"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/format"
)

// chiselHost connects the command line to internal/chisel.
type chiselHost struct{}

func init() { chisels = chiselHost{} }

func (chiselHost) List(w io.Writer) error { return chisel.List(w, nil) }

func (chiselHost) Info(w io.Writer, name string) error { return chisel.Info(w, name, nil) }

func (chiselHost) Load(name string, operands []string, o ChiselOptions) (engine.Consumer, []string, error) {
	opts := chisel.Options{
		Stdout:    o.Stdout,
		Stderr:    o.Stderr,
		JSON:      o.JSON,
		Container: o.Container,
		Live:      o.Live,
		TTY:       o.TTY,
		BufForced: o.Buf != 0,
		Filter:    o.Filter,

		SetGlobalFilter: o.SetGlobalFilter,
		SetSnaplen:      o.SetSnaplen,
	}
	if compileFilter != nil {
		opts.Compilers.Filter = compileFilter
	}
	opts.Compilers.Format = func(s string) (chisel.Formatter, error) {
		if s == "default" {
			s = format.Default
		}
		return format.Compile(s, fields.Default)
	}
	c, n, err := chisel.Load(name, operands, opts)
	if err != nil {
		return nil, nil, err
	}
	return c, operands[n:], nil
}
