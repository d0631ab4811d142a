// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ferret-observability/ferret/internal/plot"
)

const plotUsage = `Usage: ferret plot heatmap|spectrogram|timeline|subsecond [options] [filter]

Draws a picture of a capture file (-r, no privileges needed) or of a live
capture (until -M seconds have passed or Ctrl-C/SIGTERM; the picture is
written at the end):
  heatmap      time on x, log-linear buckets of --field (evt.latency) on y,
               event count as colour
  spectrogram  buckets of --field on x, time running down, calls per second
               as colour (sysdig's spectrogram chisel)
  timeline     --field (evt.rawres of I/O exits: bytes) per second, one line
               per top --by key
  subsecond    offset of syscall entries within each --interval on x, time
               running down (sysdig's subsecoffset chisel)
--print-filter X,Y prints the filter selecting the events of the cell at
X,Y in the picture's axis units (e.g. "3.5,2ms" for a heat map, "3.5,curl"
for a timeline), for use with ferret -r FILE.

Options:
`

func (c *cli) runPlot(args []string) int {
	fs := pflag.NewFlagSet("ferret plot", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var o plot.Options
	fs.StringArrayVarP(&o.Read, "read", "r", nil, "read events from capture `FILE` (repeat for several)")
	fs.StringVarP(&o.Output, "output", "o", "", "picture `FILE` (.svg or .png; default KIND.svg)")
	size := fs.String("size", fmt.Sprintf("%dx%d", plot.DefaultWidth, plot.DefaultHeight), "picture size `WxH` in pixels")
	fs.DurationVar(&o.Interval, "interval", 0, "`DURATION` per column/row (default 1s; spectrogram 500ms); subsecond: the period")
	fs.StringVar(&o.Field, "field", "", "value `FIELD` (default evt.latency; timeline evt.rawres)")
	fs.StringVar(&o.By, "by", "proc.name", "timeline key `FIELD`: proc.name, fd.name, container.name, fd.mnt.point, ...")
	fs.IntVar(&o.Top, "top", plot.DefaultTop, "timeline: draw `N` keys")
	fs.IntVar(&o.Columns, "columns", plot.DefaultColumns, "subsecond: `N` offset columns")
	fs.Float64VarP(&o.MaxSeconds, "seconds", "M", 0, "stop after `SECONDS` of capture")
	fs.StringVar(&o.Title, "title", "", "picture `TITLE`")
	fs.StringVar(&o.PrintFilter, "print-filter", "", "print the filter of the cell at `X,Y`")
	fs.IntVarP(&o.SnapLen, "snaplen", "s", 0, "live capture: keep `N` bytes of I/O buffers")
	fs.Usage = func() {
		fmt.Fprint(c.stderr, plotUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(c.stderr, "ferret plot: %v (see ferret plot --help)\n", err)
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintf(c.stderr, "ferret plot: which picture? heatmap, spectrogram, timeline or subsecond (see ferret plot --help)\n")
		return 2
	}
	kind, err := plot.ParseKind(rest[0])
	if err == nil {
		o.Kind = kind
		o.Filter = strings.Join(rest[1:], " ")
		o.Width, o.Height, err = plot.ParseSize(*size)
	}
	if err == nil {
		err = plot.Run(o, c.stdout, c.stderr)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "ferret plot: %v\n", err)
		return 1
	}
	return 0
}
