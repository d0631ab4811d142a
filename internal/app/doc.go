// SPDX-License-Identifier: Apache-2.0

// Package app is ferret's command line: it parses sysdig's options (getopt
// style, glued short forms included), selects the mode (list fields, events
// or chisels; read capture files; capture live; write capture files; run
// chisels) and wires sources, the engine and its consumers together.
// Subcommands (ferret trace, ferret files, ...) register themselves from
// files of this package through Register.
//
// app is the top layer: cmd/ferret imports only app, and app may import any
// internal package. Nothing imports app.
package app
