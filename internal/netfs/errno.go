// SPDX-License-Identifier: Apache-2.0

package netfs

import "github.com/ferret-observability/ferret/internal/event"

func errnoName(e int64) string {
	if n := event.ErrnoName(e); n != "" {
		return n
	}
	return "E?"
}
