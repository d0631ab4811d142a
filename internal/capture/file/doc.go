// SPDX-License-Identifier: Apache-2.0

// Package file is the capture.Source over scap capture files (sysdig -r): one
// file, several files, or a rotated set, read in order with one continuous
// event numbering. Each file (and each section inside a file) restarts the
// metadata snapshot, which the Source reports through capture.SectionSource.
//
// It imports internal/event, internal/capfile and internal/capture only.
package file
