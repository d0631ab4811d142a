// SPDX-License-Identifier: Apache-2.0

// Package capfile reads and writes scap capture files, the block format of
// sysdig 0.29.3 (.scap, plain or gzip): the section header, the metadata
// blocks (machine, interfaces, users, process and fd lists, and ferret's
// mount list and mount namespaces blocks, which sysdig skips like any
// unknown block before the first event) that become an event.Snapshot, and
// the event blocks. Mount namespaces met after the first event travel as
// internal events (Writer.AddMountNS), since sysdig refuses any block but
// events there. It also rotates output files the way
// sysdig's -C/-G/-W/-e options do.
//
// It owns the byte layout only; it imports internal/event and nothing else
// from ferret (no state, fields or capture packages).
package capfile
