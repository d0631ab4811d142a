// SPDX-License-Identifier: Apache-2.0

// Package plot draws pictures of a capture: latency heat maps (time on x,
// log-linear value buckets on y, count as colour), spectrograms (sysdig's
// spectrogram chisel as an image: value buckets on x, time running down, call
// rate as colour), I/O timelines (bytes per second of the top keys, one line
// each) and sub-second offset maps (sysdig's subsecoffset chisel as an
// image). Pictures are SVG or PNG, drawn with gonum/plot, and carry a title,
// axes, a legend and the filter that selected their events.
//
// Events are aggregated while they stream through the engine, into the
// fixed buckets of package hist, without allocating per event. The source
// is one or more capture files or a live capture that ends after a duration
// or on SIGINT/SIGTERM, after which the picture is written.
//
// Every cell or line point of a picture can be turned back into a filter
// (CellFilter): the command-line filter and the picture's own conditions
// plus the time range and bucket range of that cell, so that the events
// behind it can be listed with ferret -r.
package plot
