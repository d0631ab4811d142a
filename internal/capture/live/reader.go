// SPDX-License-Identifier: Apache-2.0

package live

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/netfs"
	"github.com/ferret-observability/ferret/internal/procfs"
)

// maxLag is how long an event may wait for a silent CPU's promise before it
// is released anyway.
const maxLag = uint64(2 * time.Second)

// The reader keeps the ring drained while it hands events out: every
// drainCheck events it looks at the clock, and drains the ring when
// drainEvery has passed since it last did. What is read but not yet handed
// out is the backlog, which grows only while the consumer falls behind the
// probe, up to backlogRings times the ring's size (Options.BufferSize);
// past that, records stay in the ring and the kernel counts what it then
// cannot write.
const (
	drainCheck   = 256
	clockEvery   = 32 // divides drainCheck
	drainEvery   = uint64(time.Millisecond)
	backlogRings = 8
)

// When few events flow, the reader asks CPUs for their partial batches and
// looks at the ring less often, so that watching a quiet system costs next
// to nothing (asking a CPU is an interrupt to it); events then arrive up to
// calmPoke late (sysdig's reader waits 30 ms on empty buffers).
const (
	calmWindow = uint64(200 * time.Millisecond)
	calmEvents = 2000 // fewer events than this in a window: calm (10 k/s)
	calmPoke   = uint64(25 * time.Millisecond)
	calmSleep  = 10 * time.Millisecond
)

// readerState is the part of Source used only by the goroutine calling Next.
type readerState struct {
	m         *merger
	offset    uint64    // CLOCK_BOOTTIME to epoch
	base      uint64    // probe time at start
	start     time.Time // wall clock (with monotonic reading) at start
	lastFlush uint64
	lastDrain uint64
	handed    uint64 // events handed out since the last drain check
	now       uint64 // probe time, as last read (see Next)
	backlog   int    // bound of the merger's queued bytes
	// mark is the latest Mark not yet caught (0 when none is pending).
	mark uint64
	// lastMark is the latest Mark, caught or not.
	lastMark uint64
	// calm is set when the last window of calmWindow saw fewer than
	// calmEvents events; winStart and winEvents describe the current one.
	calm      bool
	winStart  uint64
	winEvents uint64
	rec       ringbuf.Record
	unread    atomic.Uint64 // events left unread by Discard
	events    atomic.Uint64
	bytes     atomic.Uint64
}

func open(opts Options) (*Source, error) {
	// Attach first, then read /proc: a process born while the probe loads
	// is then either in the snapshot or seen being created (or both, which
	// the state reconciles: a clone or open replayed over the snapshot
	// leaves the same tables). Threads missed by both are looked up on
	// their first event (LookupThread).
	p, err := loadProbe(opts)
	if err != nil {
		return nil, err
	}
	s := &Source{opts: opts, probe: p}
	s.r.m = newMerger(p.ncpu)
	s.r.offset = p.offset
	s.r.base = bootNow(p.offset)
	s.r.start = time.Now()
	s.r.backlog = backlogRings * opts.BufferSize
	if opts.NoSnapshot {
		s.snap = &event.Snapshot{Machine: procfs.ReadMachine()}
		return s, nil
	}
	// The probe records from here on: while /proc is read (seconds on a
	// machine with thousands of threads), a goroutine moves what it
	// writes into the merger's backlog, so that the ring does not
	// overflow before Next is first called. Only it touches the merger
	// until the scan is over.
	stop, drained := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(drained)
		tick := time.NewTicker(scanDrainEvery)
		defer tick.Stop()
		for {
			s.drain()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	snap, err := procfs.Scan(procfs.Options{})
	// The mount table is machine state too: capture files written
	// from this source carry it.
	if mounts := netfs.Default(); mounts != nil && err == nil {
		snap.Mounts = mounts.Table().Snapshot()
		snap.MountNS, _ = procfs.MountNS(procfs.Options{}, 0)
		addMountTables(snap)
	}
	close(stop)
	<-drained
	if err != nil {
		p.close()
		return nil, fmt.Errorf("live: %w", err)
	}
	s.snap = snap
	return s, nil
}

// scanDrainEvery is how often the ring is drained while /proc is scanned.
const scanDrainEvery = 2 * time.Millisecond

// maxMountTables bounds the mount namespaces whose tables the starting
// snapshot reads (the state reads the others' when it meets them, within
// its own bound).
const maxMountTables = 1024

// addMountTables reads the mount table of every namespace the snapshot's
// threads are in besides the capture's own, through the first thread
// found in it (a thread that exits meanwhile gives way to the next one).
func addMountTables(snap *event.Snapshot) {
	done := map[uint64]bool{snap.MountNS: true, 0: true}
	for i := range snap.Threads {
		t := &snap.Threads[i]
		if done[t.MntNS] || len(snap.MountTables) >= maxMountTables {
			continue
		}
		ms, err := netfs.ReadMounts("/proc/" + strconv.FormatInt(t.TID, 10) + "/mountinfo")
		if err != nil {
			continue
		}
		done[t.MntNS] = true
		snap.MountTables = append(snap.MountTables, event.MountTable{NS: t.MntNS, Mounts: ms})
	}
}

// Next returns the next event in time order. It waits up to the poll
// interval and then returns capture.ErrTimeout. The event and its bytes are
// valid until the following call.
func (s *Source) Next() (*event.Event, error) {
	if s.probe == nil || s.probe.done.Load() {
		return nil, io.EOF
	}
	r := &s.r
	var deadline time.Time
	pollNS := uint64(s.opts.PollInterval)
	for fresh := false; ; fresh = true {
		// The monotonic clock, read through the vDSO (no system call),
		// but still a tenth of the cost of handing out an event: while
		// events keep coming it is read every clockEvery events, and on
		// every pass that waits.
		now := r.now
		if fresh || now == 0 || r.handed%clockEvery == 0 {
			now = r.base + uint64(time.Since(r.start))
			r.now = now
		}
		var force uint64
		if now > maxLag {
			force = now - maxLag
		}
		if ev := r.m.next(force); ev != nil {
			r.events.Add(1)
			r.bytes.Add(uint64(len(ev.Raw)))
			// The event stays valid: its record is recycled only on
			// the following call.
			if r.handed++; r.handed >= drainCheck {
				r.handed = 0
				if now-r.lastDrain >= drainEvery {
					s.drain()
					r.lastDrain = now
				}
			}
			return ev, nil
		}
		// Ask idle CPUs for their partial batches on a timer, whether or
		// not the ring has data: a busy CPU fills the ring while events
		// wait for a quiet CPU's promise.
		if now-r.winStart >= calmWindow {
			n := r.events.Load()
			r.calm = n-r.winEvents < calmEvents
			r.winStart, r.winEvents = now, n
		}
		poke := pollNS / 2
		calm := r.calm && r.m.queued == 0 && r.mark == 0
		if (r.m.queued > 0 || r.mark != 0) && poke > uint64(time.Millisecond) {
			poke = uint64(time.Millisecond)
		} else if calm {
			poke = max(poke, calmPoke)
		}
		if now-r.lastFlush >= poke {
			s.probe.flushCPUs(r.m.offline)
			r.lastFlush = now
		}
		if s.drain() > 0 {
			continue
		}
		if s.probe.done.Load() {
			return nil, io.EOF
		}
		if r.mark != 0 && r.m.caught(r.mark) {
			// the reader waits for this: let it look now
			r.mark = 0
			return nil, capture.ErrTimeout
		}
		wall := time.Now()
		if deadline.IsZero() {
			deadline = wall.Add(s.opts.PollInterval)
		} else if !wall.Before(deadline) {
			return nil, capture.ErrTimeout
		}
		wait := deadline.Sub(wall)
		if calm {
			wait = min(wait, calmSleep)
		} else {
			wait = min(wait, 2*time.Millisecond)
		}
		time.Sleep(wait)
	}
}

// drain moves every record pending in the ring into the merger and returns
// how many it read.
func (s *Source) drain() int {
	if s.probe.done.Load() {
		return 0
	}
	r := &s.r
	rd := s.probe.rd
	rd.SetDeadline(time.Now())
	n := 0
	// Leave records in the ring once the backlog is full.
	for r.m.queuedBytes < r.backlog {
		b := r.m.buffer()
		r.rec.RawSample = b.buf
		if err := rd.ReadInto(&r.rec); err != nil {
			r.m.recycle(b)
			return n
		}
		b.buf = r.rec.RawSample
		_ = r.m.add(b)
		n++
	}
	return n
}

// Discard gives up the events the capture recorded before its last Mark
// (every event, without one) that Next has not returned, queued or still in
// the ring, and counts them as lost, "left unread at the end": a reader
// that stops before reaching them says so in Stats. Call it from the
// goroutine calling Next, once done with it.
func (s *Source) Discard() {
	if s.probe == nil || s.probe.done.Load() {
		return
	}
	r := &s.r
	until := r.lastMark
	if until == 0 {
		until = ^uint64(0)
	}
	n := uint64(0)
	count := func(b *batch) {
		for b.peek() {
			if b.ts <= until {
				n++
			}
			b.pos += int(binary.LittleEndian.Uint32(b.buf[b.pos+16:]))
		}
	}
	for si := range r.m.streams {
		st := &r.m.streams[si]
		for _, b := range st.q[st.head:] {
			count(b)
		}
	}
	r.m = newMerger(s.probe.ncpu)
	// Only what the ring held when called: the probe goes on writing.
	left := s.probe.rd.AvailableBytes()
	s.probe.rd.SetDeadline(time.Now())
	for left > 0 {
		r.rec.RawSample = r.rec.RawSample[:0]
		if err := s.probe.rd.ReadInto(&r.rec); err != nil {
			break
		}
		rec := r.rec.RawSample
		left -= len(rec) + 8 // the ring's record header
		if len(rec) < recHdrLen {
			continue
		}
		l := min(int(binary.LittleEndian.Uint32(rec[8:])), len(rec))
		count(&batch{buf: rec, pos: recHdrLen, end: l})
	}
	s.r.unread.Add(n)
}

// Counters are the probe's health counters beyond losses.
type Counters struct {
	Records   uint64 // ring records (batches) written
	Truncated uint64 // events cut short at the per-event size limit
	Faults    uint64 // user-memory reads that failed (parameter left empty)
	Malformed uint64 // records or events the reader could not decode
}

// Counters returns the probe's health counters.
func (s *Source) Counters() Counters {
	if s.probe == nil {
		return Counters{}
	}
	c := s.probe.counters()
	return Counters{Records: sum(c[drRecords]), Truncated: sum(c[drTruncated]), Faults: sum(c[drFault]),
		Malformed: s.r.m.bad.Load()}
}

func sum(v []uint64) uint64 {
	var n uint64
	for _, x := range v {
		n += x
	}
	return n
}

func (s *Source) stats() capture.Stats {
	st := capture.Stats{Events: s.r.events.Load(), Bytes: s.r.bytes.Load(), Drops: map[string]uint64{}}
	if s.probe == nil {
		return st
	}
	c := s.probe.counters()
	st.DropsByCPU = make([]uint64, s.probe.ncpu)
	for _, slot := range []int{drRingFull, drBusy, drNoDesc} {
		for cpu, v := range c[slot] {
			if cpu < len(st.DropsByCPU) {
				st.DropsByCPU[cpu] += v
			}
		}
	}
	st.ReasonByCPU = map[string][]uint64{}
	for _, r := range []struct {
		name string
		slot int
	}{{"ring buffer full", drRingFull}, {"buffer in use by interrupted writer", drBusy}, {"no event descriptor", drNoDesc}} {
		st.Drops[r.name] = sum(c[r.slot])
		st.ReasonByCPU[r.name] = c[r.slot]
	}
	st.Drops["program already running on cpu"] = s.probe.recursionMisses()
	st.Drops["left unread at the end"] = s.r.unread.Load()
	return st
}
