// SPDX-License-Identifier: Apache-2.0

// Package format renders events as text lines and JSON objects the way
// sysdig 0.29.3 prints them: -p format strings (greedy field matching,
// %N widths, the leading '*' rule, <NA> and null for missing values), the
// default line formats (plain, coloured for terminals, -pc/-pk/-pm), -j JSON
// lines with sorted keys and typed values, terminal-safe escaping, and the
// -S event summary table. Value rendering itself (buffers, arguments, times)
// belongs to internal/fields; format chooses and assembles.
//
// format is a layer-3 package: it imports fields and event (and the
// standard library). It must not import filter, engine, chisel or anything
// above.
package format
