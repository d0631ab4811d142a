// SPDX-License-Identifier: Apache-2.0

// Command replay measures how fast ferret reads a capture file next to sysdig
// on the same file in the same run: default output to /dev/null, with a
// filter, and with a chisel. Rounds alternate which tool goes first. The large
// capture is built by concatenating copies of a reference trace and
// rewriting them with ferret as one section, so neither tool spends its time
// reloading the process tables of each copy.
//
// Usage: replay -ferret PATH [-trace FILE] [-copies N] [-rounds N] [-out bench/RESULTS.md]
package main
