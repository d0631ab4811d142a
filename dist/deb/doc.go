// SPDX-License-Identifier: Apache-2.0

// Package deb holds the files of ferret's Debian package that are not
// generated: the control template, changelog, copyright, lintian overrides,
// maintainer scripts, ferret-net.service and its /etc/default/ferret.
// tools/mkdeb (make deb) assembles the package from them; the test of this
// package builds it, checks it with lintian, installs it with apt, runs the
// service's command line with the unit's capability set and removes it.
// It has no Go code besides its test.
package deb
