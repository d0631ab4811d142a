// SPDX-License-Identifier: Apache-2.0

package app

import (
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
)

func init() {
	openFileSource = func(paths []string) (capture.Source, error) {
		return file.Open(paths...)
	}
	openLiveSource = func(c *Config, flt engine.Filter, chisels bool) (capture.Source, error) {
		opts := live.Options{SnapLen: c.Snaplen, BufferSize: c.BufferSize}
		if f, ok := flt.(*filter.Filter); ok && !chisels && !c.Display && !c.FatFile {
			h := filter.KernelHints(f)
			opts.EventTypes = pushDownTypes(h)
			// Events of other processes are dropped in the kernel, except
			// those that keep the process and fd tables complete.
			opts.Comms, opts.CommsKeepState = h.Comms, len(h.Comms) > 0
		}
		return live.Open(opts)
	}
	checkLivePrivileges = live.CheckPrivileges
	compileFilter = func(expr string) (engine.Filter, error) {
		f, err := filter.Compile(expr, fields.Default)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
}

// pushDownTypes returns the event types a live source must deliver for a
// capture filter with hints h: the types the filter can match plus every
// type the state machine needs (fd and process life cycle), or nil for no
// restriction. Process-name restrictions are pushed down separately (the
// live source keeps every process's state-changing events); pid restrictions
// are not, as fds inherited at fork would be lost.
func pushDownTypes(h filter.Hints) []event.Type {
	if h.Any || h.Types == nil {
		return nil
	}
	keep := make(map[event.Type]bool, len(h.Types))
	for _, t := range h.Types {
		keep[t] = true
	}
	const stateFlags = event.FlagModifiesState | event.FlagCreatesFD | event.FlagDestroysFD
	for t := event.Type(0); int(t) < event.MaxType; t++ {
		if info := t.Info(); info != nil && (info.Flags&stateFlags != 0 || info.Category&event.CatInternal != 0) {
			keep[t] = true
		}
	}
	out := make([]event.Type, 0, len(keep))
	for t := event.Type(0); int(t) < event.MaxType; t++ {
		if keep[t] {
			out = append(out, t)
		}
	}
	return out
}
