// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture"
)

// missingPrivilege describes what the process lacks to load BPF programs,
// or returns "" when it may.
func missingPrivilege() string {
	if checkLivePrivileges == nil {
		return ""
	}
	if err := checkLivePrivileges(); err != nil {
		return err.Error()
	}
	return ""
}

func (s *session) runLive() error {
	if openLiveSource == nil {
		return fail(1, "live capture is not available in this build")
	}
	if checkLivePrivileges != nil {
		if err := checkLivePrivileges(); err != nil {
			return fail(1, "ferret: %s", err)
		}
	}
	// Loading the probe can take seconds (the kernel verifies it); Ctrl-C
	// during that time ends the run.
	type opened struct {
		src capture.Source
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		src, err := openLiveSource(s.cfg, s.filter, len(s.chisels) > 0)
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
	return s.loop(src, true)
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
