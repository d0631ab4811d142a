// SPDX-License-Identifier: Apache-2.0

// Package testutil holds what tests across packages share: gates for tests
// that need root or an installed tool (they skip on a developer's machine
// but fail when CI=true, so kernel tests never pass silently in CI), a
// once-per-run build of the ferret binary for end-to-end tests, and the one
// locator of test data: Reference (testdata/reference at the repository
// root) and TracesExtra (the shared larger captures, read in place); and
// MountSSHFS, a loopback sshfs mount (a network file system) with its own
// sshd; HostileNames and UnsafeByte, for the tests that no text output lets
// a recorded name drive a terminal.
//
// Only test files import it. It imports no other internal package.
package testutil
