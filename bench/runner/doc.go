// SPDX-License-Identifier: Apache-2.0

// Command runner measures what tracing costs a workload: every traced run is
// paired with an untraced run of the same workload, the order of the pair
// rotates between rounds, and the report gives the median and min–max of the
// per-round figures. It appends a Markdown section to bench/RESULTS.md.
//
// Usage: runner -ferret PATH -workload PATH [-rounds 5] [-out bench/RESULTS.md] [-only REGEXP]
package main
