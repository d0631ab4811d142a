// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/state"
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
	announceCapture(s.stderr, s.cfg.Quiet)
	return s.loop(src, true)
}

// CaptureStarted is the line every live mode prints on stderr once its probe
// is attached and events are being recorded (unless -q).
const CaptureStarted = "ferret: capture started"

func announceCapture(w io.Writer, quiet bool) {
	if !quiet {
		fmt.Fprintln(w, CaptureStarted)
	}
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
