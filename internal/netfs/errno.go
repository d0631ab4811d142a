// SPDX-License-Identifier: Apache-2.0

package netfs

import "golang.org/x/sys/unix"

func errnoName(e int64) string {
	if n := unix.ErrnoName(unix.Errno(e)); n != "" {
		return n
	}
	return "E?"
}
