// SPDX-License-Identifier: Apache-2.0

// Command ferret traces system calls and reads capture files with sysdig's
// command-line language.
package main
