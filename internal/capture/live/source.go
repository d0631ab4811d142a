// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"
	"os"
	"strconv"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/netfs"
	"github.com/ferret-observability/ferret/internal/procfs"
)

// Source is a running live capture. It implements capture.Source. Next must
// be called from one goroutine; AddPID, Stats, Counters and Close may be
// called from any goroutine.
type Source struct {
	opts  Options
	snap  *event.Snapshot
	probe *probe
	r     readerState
}

var (
	_ capture.Source  = (*Source)(nil)
	_ capture.Lagging = (*Source)(nil)
)

// Open checks privileges, scans /proc for the starting snapshot, loads and
// attaches the probe and starts capturing.
func Open(opts Options) (*Source, error) {
	opts = opts.withDefaults()
	if err := CheckPrivileges(); err != nil {
		return nil, err
	}
	return open(opts)
}

// ErrInterrupted is returned by OpenUnless when it was stopped before the
// probe was loaded.
var ErrInterrupted = errors.New("interrupted while loading the probe")

// OpenUnless is Open given up when stop receives first: loading the probe
// can take seconds (the kernel verifies it), and a signal during that time
// ends the wait. A source that opens after that is closed.
func OpenUnless(opts Options, stop <-chan os.Signal) (*Source, error) {
	type opened struct {
		src *Source
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		src, err := Open(opts)
		ch <- opened{src, err}
	}()
	select {
	case o := <-ch:
		return o.src, o.err
	case <-stop:
		go func() {
			if o := <-ch; o.src != nil {
				o.src.Close()
			}
		}()
		return nil, ErrInterrupted
	}
}

// Mark returns the present time in the probe's time base (see
// capture.Lagging). Until the mark is caught, Next asks every CPU for its
// partial batch at once and then every millisecond, and returns
// capture.ErrTimeout as soon as the mark is caught.
func (s *Source) Mark() uint64 {
	r := &s.r
	m := bootNow(r.offset)
	r.mark = max(r.mark, m)
	r.lastMark = max(r.lastMark, m)
	r.lastFlush = 0
	return m
}

// Caught reports whether every CPU has promised that nothing older than
// mark is still on its way and no queued event older than mark waits for
// release: Next has returned every event that happened before mark.
func (s *Source) Caught(mark uint64) bool {
	if s.probe == nil || s.probe.done.Load() {
		return true
	}
	return s.r.m.caught(mark)
}

// SetEventTypes replaces the EventTypes filter of a running capture (nil:
// every type): the kernel's routing table is rewritten in place, so the
// events kept change at once, without reloading the probe. Context
// switches stay as they were opened.
func (s *Source) SetEventTypes(types []event.Type) error {
	return s.probe.setEventTypes(s, types)
}

// EventTypes returns the EventTypes filter in force (nil: every type).
func (s *Source) EventTypes() []event.Type {
	s.probe.mu.Lock()
	defer s.probe.mu.Unlock()
	return s.opts.EventTypes
}

// Snapshot returns the state the capture started from.
func (s *Source) Snapshot() *event.Snapshot { return s.snap }

// AddPID adds a process (thread group id) to the traced set at run time. When
// the capture was opened without PIDs this switches it from "every process"
// to "only traced processes".
func (s *Source) AddPID(pid int) error { return s.probe.addPID(pid) }

// AddCgroup keeps the tasks of one more v2 cgroup (and those nested in it)
// when the capture was opened with FilterCgroups; id 0 keeps every task.
func (s *Source) AddCgroup(id uint64) error { return s.probe.addCgroup(id) }

// RejectCgroup drops the tasks of a v2 cgroup made after the capture
// started (see Options.NewCgroupsAbove), which are kept until decided.
func (s *Source) RejectCgroup(id uint64) error { return s.probe.rejectCgroup(id) }

// LookupThread reads a thread its snapshot does not hold from /proc (see
// capture.ThreadLookup). With NoSnapshot it finds nothing.
func (s *Source) LookupThread(tid int64) ([]event.Thread, bool) {
	if s.opts.NoSnapshot {
		return nil, false
	}
	return procfs.ReadThread(procfs.Options{}, tid)
}

// ThreadAlive tells whether a thread exists (see capture.ThreadLookup).
// With NoSnapshot every thread counts as alive: nothing is swept.
func (s *Source) ThreadAlive(tid int64) bool {
	return s.opts.NoSnapshot || procfs.Alive(procfs.Options{}, tid)
}

// MountNS tells the mount namespace of a live thread (see
// capture.MountNSLookup).
func (s *Source) MountNS(tid int64) (uint64, bool) {
	if s.opts.NoSnapshot {
		return 0, false
	}
	return procfs.MountNS(procfs.Options{}, tid)
}

// MountTable reads the mount table of a live thread's mount namespace
// (see capture.MountNSLookup).
func (s *Source) MountTable(tid int64) ([]event.Mount, bool) {
	if s.opts.NoSnapshot {
		return nil, false
	}
	ms, err := netfs.ReadMounts("/proc/" + strconv.FormatInt(tid, 10) + "/mountinfo")
	return ms, err == nil
}

// Stats returns delivered events and losses by reason and CPU.
func (s *Source) Stats() capture.Stats { return s.stats() }

// Close detaches the probe and frees its resources. It may be called while
// another goroutine is in Next, which then returns io.EOF.
func (s *Source) Close() error {
	if s.probe == nil {
		return nil
	}
	return s.probe.close()
}
