// SPDX-License-Identifier: Apache-2.0

package plot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the sort of picture.
type Kind int

// Picture kinds.
const (
	Heatmap Kind = iota
	Spectrogram
	Timeline
	Subsecond
)

var kindNames = [...]string{"heatmap", "spectrogram", "timeline", "subsecond"}

func (k Kind) String() string { return kindNames[k] }

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown plot kind %q (want heatmap, spectrogram, timeline or subsecond)", s)
}

// Options describe one picture.
type Options struct {
	Kind Kind
	// Read lists capture files read in order as one stream; empty means a
	// live capture.
	Read []string
	// Output is the picture file; its extension (.svg or .png) picks the
	// format. Empty means <kind>.svg.
	Output string
	// Width and Height are the picture size in pixels (SVG: CSS pixels).
	Width, Height int
	// Interval is the length of a time row or column (0: the kind's
	// default). For subsecond it is the period folded on the x axis.
	Interval time.Duration
	// Field is the value histogrammed (heatmap, spectrogram) or summed
	// (timeline); "" means the kind's default.
	Field string
	// By is the key of timeline lines (proc.name, fd.name,
	// container.name, fd.mnt.point).
	By string
	// Top is the number of timeline lines (the rest are left out).
	Top int
	// Columns is the number of sub-second offset columns.
	Columns int
	// Filter is the command-line filter ("" for none).
	Filter string
	// MaxSeconds ends the capture after that much trace time (0: no limit).
	MaxSeconds float64
	// Title replaces the default title when not empty.
	Title string
	// PrintFilter, when set, prints the filter of the cell at these
	// coordinates (in the units of the picture's axes, "X,Y") instead of
	// only drawing; the picture is still written when Output is set.
	PrintFilter string
	// SnapLen and BufferSize are passed to a live capture.
	SnapLen, BufferSize int
}

// Defaults per kind.
const (
	DefaultWidth   = 1024
	DefaultHeight  = 640
	DefaultTop     = 8
	DefaultColumns = 100
)

// kindSpec is what a kind adds to the user's choices.
type kindSpec struct {
	base     string        // filter the kind always applies
	interval time.Duration // default row/column length
	field    string        // default value field
	title    string
}

func (k Kind) spec() kindSpec {
	switch k {
	case Spectrogram:
		return kindSpec{"evt.dir=<", 500 * time.Millisecond, "evt.latency", "Spectrogram"}
	case Timeline:
		return kindSpec{"evt.is_io=true and evt.dir=< and evt.rawres>0", time.Second, "evt.rawres", "I/O timeline"}
	case Subsecond:
		return kindSpec{"evt.dir=>", time.Second, "", "Sub-second offsets"}
	}
	return kindSpec{"evt.dir=<", time.Second, "evt.latency", "Heat map"}
}

// withDefaults fills unset options.
func (o Options) withDefaults() Options {
	sp := o.Kind.spec()
	if o.Interval <= 0 {
		o.Interval = sp.interval
	}
	if o.Field == "" {
		o.Field = sp.field
	}
	if o.Kind == Subsecond {
		o.Field = ""
	}
	if o.Width <= 0 {
		o.Width = DefaultWidth
	}
	if o.Height <= 0 {
		o.Height = DefaultHeight
	}
	if o.By == "" {
		o.By = "proc.name"
	}
	if o.Top <= 0 {
		o.Top = DefaultTop
	}
	if o.Columns <= 0 {
		o.Columns = DefaultColumns
	}
	if o.Output == "" && o.PrintFilter == "" {
		o.Output = o.Kind.String() + ".svg"
	}
	return o
}

// fullFilter is the filter the events of the picture pass: the kind's own
// conditions and the user's filter.
func (o Options) fullFilter() string {
	base := o.Kind.spec().base
	switch {
	case o.Filter == "":
		return base
	case base == "":
		return o.Filter
	}
	return base + " and (" + o.Filter + ")"
}

// ParseSize parses "WIDTHxHEIGHT" in pixels.
func ParseSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if ok {
		w, err = strconv.Atoi(ws)
		if err == nil {
			h, err = strconv.Atoi(hs)
		}
	}
	if !ok || err != nil || w < 100 || h < 100 || w > 20000 || h > 20000 {
		return 0, 0, fmt.Errorf("bad size %q: want WIDTHxHEIGHT in pixels, each 100..20000 (e.g. 1024x640)", s)
	}
	return w, h, nil
}

// formatExt returns the picture format for a file name.
func formatExt(name string) (string, error) {
	i := strings.LastIndexByte(name, '.')
	ext := ""
	if i >= 0 {
		ext = strings.ToLower(name[i+1:])
	}
	switch ext {
	case "svg", "png":
		return ext, nil
	}
	return "", fmt.Errorf("cannot tell the picture format of %q: name it .svg or .png", name)
}
