// SPDX-License-Identifier: Apache-2.0

package inspect

import (
	"errors"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/filter"
)

func (s *Session) runLive() error {
	if err := s.env.LivePrivileges(); err != nil {
		return Fail(1, "ferret: %s", err)
	}
	src, err := live.OpenUnless(s.liveOptions(), s.sig)
	if errors.Is(err, live.ErrInterrupted) {
		return Fail(130, "ferret: %s", err)
	}
	if err != nil {
		msg := err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 && !s.cfg.Debug {
			msg = strings.TrimSuffix(msg[:i], ":") + " (run with -D for the verifier log)"
		}
		return Fail(1, "ferret: cannot start live capture: %s", msg)
	}
	defer src.Close()
	if !s.cfg.Quiet {
		capture.AnnounceStart(s.stderr)
	}
	return s.loop(src, true)
}

// liveOptions are the live source's settings: with a capture filter (and
// no chisel, -d or -F, which need every event), the events the filter can
// never match are dropped in the kernel.
func (s *Session) liveOptions() live.Options {
	c := s.cfg
	opts := live.Options{SnapLen: c.Snaplen, BufferSize: c.BufferSize}
	pd := s.kernelPushDown()
	opts.EventTypes = pd.EventTypes
	opts.Comms, opts.CommsKeepState = pd.Comms, len(pd.Comms) > 0
	if len(pd.Containers) > 0 {
		r := container.NewResolver()
		// Taken before the running containers are listed: a container
		// starting meanwhile is kept until its name is known.
		above := r.MaxCgroupID()
		opts.FilterCgroups, opts.Cgroups = r.CgroupIDs(pd.Containers)
		if opts.FilterCgroups {
			opts.NewCgroupsAbove = above
		}
	}
	return opts
}

// kernelPushDown is what the capture filter lets a live source drop in the
// kernel: nothing with a chisel, -d or -F, which need every event.
func (s *Session) kernelPushDown() filter.PushDown {
	c := s.cfg
	if s.filter == nil || len(s.chisels) > 0 || c.Display || c.FatFile {
		return filter.PushDown{}
	}
	return filter.KernelPushDown(s.filter)
}
