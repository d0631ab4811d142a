// SPDX-License-Identifier: Apache-2.0

// Package tui is the interactive screen of `ferret top`, drawn with
// tview/tcell: the current view's table (with a sparkline of the sorting
// column's recent values and an optional process-tree order), the
// drill-down trail, spectrogram views as csysdig draws them (a coloured
// line per refresh over the latency axis), the filter and search lines
// (the filter is checked as it is typed), pickers for views, sort columns and actions, help, and the
// dig/echo event output. Keys follow csysdig's (see Run's help page).
//
// All data and state live in a view.Session; tui only renders it and
// forwards the user's commands. The terminal is restored on every exit,
// interrupts and crashes included.
//
// tui is a layer-7 package: it imports view (and the terminal libraries);
// only app imports it.
package tui
