// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
	"github.com/ferret-observability/ferret/internal/format"
	"github.com/ferret-observability/ferret/internal/state"
)

// compileFilter compiles a chisel or command-line filter (chisel.set_filter,
// sysdig.set_filter).
func compileFilter(expr string) (engine.Filter, error) {
	f, err := filter.Compile(expr, fields.Default)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// compileThreadFilter compiles a get_thread_table filter.
func compileThreadFilter(expr string) (ThreadFilter, error) {
	f, err := filter.Compile(expr, fields.Default, filter.ThreadTable())
	if err != nil {
		return nil, err
	}
	return threadFilter{f}, nil
}

// compileFormat compiles a chisel.set_event_formatter format ("default":
// the default event line).
func compileFormat(s string) (Formatter, error) {
	if s == "default" {
		s = format.Default
	}
	return format.Compile(s, fields.Default)
}

// threadFilter evaluates a thread-table-mode filter by pointing the
// state's current-event context at one (thread, fd) pair for the duration
// of the match.
type threadFilter struct{ f *filter.Filter }

func (tf threadFilter) MatchThread(c *fields.Ctx, t *state.Thread, fd *state.FD) bool {
	cur := c.State.Cur()
	saved := *cur
	cur.Thread, cur.FD, cur.FDNum = t, fd, -1
	if fd != nil {
		cur.FDNum = fd.Num
	}
	ok := tf.f.Match(c)
	*cur = saved
	return ok
}
