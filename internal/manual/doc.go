// SPDX-License-Identifier: Apache-2.0

// Package manual turns the --help pages of ferret's commands into man pages
// (roff, man(7) macros) and bash, zsh and fish completion scripts, so that
// all three are generated from the one text the commands print and cannot
// drift from it.
//
// A help page is read as prose paragraphs and option entries: a line
// indented by one to six spaces that starts with '-' begins an entry, its
// left column (up to two spaces) names the option forms and their
// placeholders, and more deeply indented lines continue its description.
// Examples come from the shell blocks of the README: each line that runs
// `ferret` (or `sudo ferret`) is an example for the page of the subcommand
// it names.
//
// This package imports only the standard library.
package manual
