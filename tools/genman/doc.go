// SPDX-License-Identifier: Apache-2.0

// Command genman writes ferret's man pages (DIR/man1/ferret.1,
// ferret-NAME.1 for each subcommand) and its bash, zsh and fish completions
// (DIR/completions/ferret, _ferret, ferret.fish) from the commands' --help
// pages, with the examples of the README:
//
//	go run ./tools/genman -o DIR [-readme README.md]
//
// The page date is SOURCE_DATE_EPOCH's when it is set, else today's.
package main
