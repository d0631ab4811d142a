// SPDX-License-Identifier: Apache-2.0

// Package chisel runs sysdig-compatible Lua chisels: script discovery over
// the chisel directories and the embedded built-in chisels, argument
// handling, the six callbacks, the chisel/evt/sysdig API tables, helper
// library loading through require, the -cl listing and -i descriptions.
// A loaded Chisel is an engine consumer.
//
// chisel sits in layer 5: it may import engine, filter, format, fields,
// state and event, and must not import export, view, tui or app.
package chisel
