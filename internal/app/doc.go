// SPDX-License-Identifier: Apache-2.0

// Package app is ferret's command line, and only wiring: it parses sysdig's
// options (getopt style, glued short forms included) and each subcommand's
// flags, selects the mode (list fields, events or chisels; read capture
// files; capture live; write capture files; run chisels) and hands the
// settings to one call: engine.Run with its consumers for the sysdig
// command line, trace.Run, filemon.Run, filemon.RunNetFS or netacct.Run for
// the subcommands (the table in main.go).
//
// app is the top layer: cmd/ferret imports only app (and held), and app may
// import any internal package. Nothing imports app.
package app
