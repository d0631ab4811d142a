// SPDX-License-Identifier: Apache-2.0

// Package app is ferret's command line, and only wiring: it parses sysdig's
// options (getopt style, glued short forms included) and each subcommand's
// flags, selects the mode (list fields, events or chisels; read capture
// files; capture live; write capture files; run chisels) and hands the
// settings to one call: an inspect.Session for the sysdig command line,
// the domain package's session for each subcommand (trace's Args.Run,
// filemon.Run, filemon.RunNetFS, netacct.Run, plot.Run, view.Run, ...; the
// table in main.go). strace's and csysdig's command lines are parsed by
// trace.ParseArgs and view.ParseArgs. Test seams (output streams, the terminal and
// privilege checks) are fields of the invocation, not package variables.
//
// app is the top layer: cmd/ferret imports only app (and held), and app may
// import any internal package. Nothing imports app.
package app
