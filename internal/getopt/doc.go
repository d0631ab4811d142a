// SPDX-License-Identifier: Apache-2.0

// Package getopt splits a command line the way GNU getopt_long does, as
// sysdig's own parser: options anywhere (argument permutation), "--" ending
// them, grouped short options (-lv), arguments glued (-pc, --print=x) or
// as the next word, unambiguous prefixes of long names. The caller gives
// the option table (internal/app holds sysdig's). ParseSize reads byte
// counts with K, M or G suffixes; Nearest and EditDistance give "did you
// mean" hints for mistyped names.
//
// getopt is a leaf: it imports the standard library only.
package getopt
