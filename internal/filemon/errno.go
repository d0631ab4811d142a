// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

func errnoName(e int64) string {
	if n := event.ErrnoName(e); n != "" {
		return n
	}
	return "E" + strconv.FormatInt(e, 10)
}
