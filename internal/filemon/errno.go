// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"strconv"

	"golang.org/x/sys/unix"
)

func errnoName(e int64) string {
	if n := unix.ErrnoName(unix.Errno(e)); n != "" {
		return n
	}
	return "E" + strconv.FormatInt(e, 10)
}
