// SPDX-License-Identifier: Apache-2.0

package capture

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

// ErrTimeout is returned by Next when a live source has no event ready yet; the
// caller may do periodic work and call Next again.
var ErrTimeout = errors.New("no event ready")

// Source produces events in timestamp order.
//
// Next returns the next event, io.EOF at the end of a finite source, ErrTimeout
// when a live source has nothing ready, or another error that names what went
// wrong (all events before it have been returned). The returned event and the
// bytes it refers to are valid until the following call to Next.
type Source interface {
	// Snapshot returns the state the capture starts from (process, fd, user,
	// interface tables). It is available before the first call to Next.
	Snapshot() *event.Snapshot
	Next() (*event.Event, error)
	Stats() Stats
	Close() error
}

// Stats counts what a source produced and lost.
type Stats struct {
	Events uint64 // events delivered
	// Drops counts lost events by reason (e.g. "ring buffer full",
	// "payload read failed"); DropsByCPU the same total by CPU, and
	// ReasonByCPU each reason's count by CPU (when the source knows it).
	Drops       map[string]uint64
	DropsByCPU  []uint64
	ReasonByCPU map[string][]uint64
	// Bytes read from a file source, or delivered by a live source.
	Bytes uint64
}

// TotalDrops is the sum of Drops.
func (s Stats) TotalDrops() uint64 {
	var n uint64
	for _, v := range s.Drops {
		n += v
	}
	return n
}

// SectionSource is implemented by sources whose state can restart mid-stream
// (concatenated capture files): when NewSection reports true after Next, the
// consumer must reload Snapshot before handling the returned event.
type SectionSource interface {
	Source
	NewSection() bool
}

// MachineSource is implemented by sources that merge the captures of
// several machines (a stream of a whole fleet): each machine has its own
// tables, so the consumer keeps one state per machine. Machine returns the
// index (0, 1, ... in order of first appearance) of the machine the event
// returned by the last Next comes from; NewSection is reported on the
// first event of each machine and Snapshot then holds that machine's
// tables.
type MachineSource interface {
	SectionSource
	Machine() int
}

// ThreadLookup is implemented by sources that can describe a thread their
// snapshot does not hold, on its first event (a live source reads /proc for
// threads born while the capture was starting). It returns the thread and,
// first, the main thread of its process, or false when the thread is gone.
// ThreadAlive tells whether a thread still exists, cheaply (the state drops
// threads whose exit was lost).
type ThreadLookup interface {
	LookupThread(tid int64) ([]event.Thread, bool)
	ThreadAlive(tid int64) bool
}

// MountNSLookup is implemented by sources that watch the machine itself
// (a live source): MountNS tells the mount namespace of a thread (the
// inode of /proc/<tid>/ns/mnt), MountTable reads the mount table of that
// namespace as the thread sees it (/proc/<tid>/mountinfo).
type MountNSLookup interface {
	MountNS(tid int64) (uint64, bool)
	MountTable(tid int64) ([]event.Mount, bool)
}

// Lagging is implemented by sources whose events reach Next some time after
// they happened (a live source gathers them in per-CPU buffers and releases
// them in time order). Mark returns the source's present time; Caught
// reports whether Next has returned every event that happened before mark,
// so that a reader stopping at a known moment (a traced command exited) can
// stop once everything up to it was read, and not after a guessed delay.
// Both are called from the goroutine calling Next.
type Lagging interface {
	Mark() uint64
	Caught(mark uint64) bool
}

// StartedLine is what every live mode prints on standard error once its
// probe is attached and events are being recorded (not with -q): from then
// on nothing is missed.
const StartedLine = "ferret: capture started"

// AnnounceStart writes StartedLine to w, unless w is nil.
func AnnounceStart(w io.Writer) {
	if w != nil {
		io.WriteString(w, StartedLine+"\n")
	}
}

// WriteLost tells w, when the source lost events, how many: "prog: N
// events lost", so that a tool's output is not taken for complete. w may
// be nil.
func (s Stats) WriteLost(w io.Writer, prog string) {
	if n := s.TotalDrops(); n > 0 && w != nil {
		fmt.Fprintf(w, "%s: %d events lost\n", prog, n)
	}
}

// WriteReport writes the end-of-capture counters as ferret prints them on
// standard error: events captured, dropped, and the drops by reason.
func (s Stats) WriteReport(w io.Writer) {
	fmt.Fprintf(w, "Events captured: %d\n", s.Events)
	fmt.Fprintf(w, "Events dropped: %d\n", s.TotalDrops())
	reasons := make([]string, 0, len(s.Drops))
	for r := range s.Drops {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		if s.Drops[r] > 0 {
			fmt.Fprintf(w, "  %s: %d%s\n", r, s.Drops[r], s.byCPU(r))
		}
	}
}

// byCPU describes how the drops of a reason spread over CPUs: " (cpu 0:
// 12, cpu 3: 4)", or "" when the source does not tell.
func (s Stats) byCPU(reason string) string {
	v := s.ReasonByCPU[reason]
	var b strings.Builder
	for cpu, n := range v {
		if n == 0 {
			continue
		}
		if b.Len() == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "cpu %d: %d", cpu, n)
	}
	if b.Len() > 0 {
		b.WriteString(")")
	}
	return b.String()
}
