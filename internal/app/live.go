// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/filter"
	"github.com/ferret-observability/ferret/internal/state"
)

func (s *session) runLive() error {
	if err := s.cli.livePrivileges(); err != nil {
		return fail(1, "ferret: %s", err)
	}
	// Loading the probe can take seconds (the kernel verifies it); Ctrl-C
	// during that time ends the run.
	type opened struct {
		src capture.Source
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		src, err := live.Open(s.liveOptions())
		ch <- opened{src, err}
	}()
	var o opened
	select {
	case o = <-ch:
	case <-s.sig:
		go func() {
			if o := <-ch; o.src != nil {
				o.src.Close()
			}
		}()
		return fail(130, "ferret: interrupted while loading the probe")
	}
	src, err := o.src, o.err
	if err != nil {
		msg := err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 && !s.cfg.Debug {
			msg = strings.TrimSuffix(msg[:i], ":") + " (run with -D for the verifier log)"
		}
		return fail(1, "ferret: cannot start live capture: %s", msg)
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
func (s *session) liveOptions() live.Options {
	c := s.cfg
	opts := live.Options{SnapLen: c.Snaplen, BufferSize: c.BufferSize}
	pd := s.kernelPushDown()
	opts.EventTypes = pd.EventTypes
	opts.Comms, opts.CommsKeepState = pd.Comms, len(pd.Comms) > 0
	if len(pd.Containers) > 0 {
		opts.FilterCgroups, opts.Cgroups = container.NewResolver().CgroupIDs(pd.Containers)
	}
	return opts
}

// kernelPushDown is what the capture filter lets a live source drop in the
// kernel: nothing with a chisel, -d or -F, which need every event.
func (s *session) kernelPushDown() filter.PushDown {
	c := s.cfg
	if s.filter == nil || len(s.chisels) > 0 || c.Display || c.FatFile {
		return filter.PushDown{}
	}
	return filter.KernelPushDown(s.filter)
}

// unlessQuiet returns w, or nil with -q.
func unlessQuiet(w io.Writer, quiet bool) io.Writer {
	if quiet {
		return nil
	}
	return w
}

// writeDropReport prints the end-of-capture counters of a live source on
// stderr.
func (s *session) writeDropReport(src capture.Source) {
	st := src.Stats()
	fmt.Fprintf(s.stderr, "Events captured: %d\n", st.Events)
	fmt.Fprintf(s.stderr, "Events dropped: %d\n", st.TotalDrops())
	reasons := make([]string, 0, len(st.Drops))
	for r := range st.Drops {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		if st.Drops[r] > 0 {
			fmt.Fprintf(s.stderr, "  %s: %d\n", r, st.Drops[r])
		}
	}
}

// writeLookupReport says how many threads unknown to the start-up snapshot
// were read from /proc on their first event, when there were any.
func writeLookupReport(w io.Writer, c state.Counters) {
	if c.Lookups == 0 && c.LookupsSkipped == 0 {
		return
	}
	fmt.Fprintf(w, "Threads looked up in /proc: %d (%d gone, %d over the limit)\n", c.Lookups, c.LookupsFailed, c.LookupsSkipped)
}
