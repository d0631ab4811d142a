// SPDX-License-Identifier: Apache-2.0

package live

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ferret-observability/ferret/internal/event"
)

// Ring record layout, shared with bpf/probe.bpf.c (struct rec_hdr):
//
//	kind u16 | cpu u16 | nevents u32 | len u32 | pad u32 | flush_ts u64 | events...
//
// A batch record carries the events one CPU gathered, in time order, and
// promises that every event of that CPU older than flush_ts has been
// written to the ring before it. A single record carries one event built
// while the CPU's batch was in use (the writer was interrupted); it promises
// nothing about time.
const (
	recHdrLen   = 24
	maxRecBytes = 1 << 16
	// maxFree bounds the record buffers kept for reuse: beyond it, the
	// buffers of a burst go back to the garbage collector.
	maxFree = 64
)

var errBadRecord = errors.New("malformed ring record")

// batch is one ring record whose events are being handed out.
type batch struct {
	buf []byte // whole record, owned until every event was returned
	pos int    // offset of the next event
	end int
	ts  uint64 // time stamp of the event at pos
}

// stream is the FIFO of batches of one CPU (even index) or of that CPU's
// single records (odd index). Events of one stream are in time order.
type stream struct {
	q    []*batch // q[head:] are pending
	head int
	cpu  uint16
	inHp bool
}

// merger orders events of all CPUs by time stamp. Events are released only
// when every CPU has promised (by a batch's flush_ts) that nothing older is
// still on its way, or when they are older than the forced limit.
type merger struct {
	streams []stream
	wm      []uint64 // per-CPU watermark: max flush_ts seen
	minWM   uint64
	wmDirty bool
	hp      []int // heap of stream indices ordered by head time stamp
	free    []*batch
	done    *batch // batch finished by the previous next call, recycled on the following one
	ev      event.Event
	num     uint64
	bad     atomic.Uint64 // records or events that failed to decode
	queued  int           // events waiting in streams
	// queuedBytes is the size of the records waiting in streams (the
	// backlog read from the ring but not yet handed out).
	queuedBytes int
}

func newMerger(ncpu int) *merger {
	m := &merger{streams: make([]stream, 2*ncpu), wm: make([]uint64, ncpu)}
	for i := range m.streams {
		m.streams[i].cpu = uint16(i / 2)
	}
	return m
}

// buffer returns an empty record buffer, a reused one when there is one.
// A new one has no room: the ring reader sizes it to the record, so the
// memory of queued records is what they hold, not the largest record's
// size each (most batches are flushed by age, a few events long, and
// thousands may wait for another CPU's watermark).
func (m *merger) buffer() *batch {
	if n := len(m.free); n > 0 {
		b := m.free[n-1]
		m.free = m.free[:n-1]
		b.buf = b.buf[:0]
		return b
	}
	return &batch{}
}

// recycle gives back a buffer that was not queued.
func (m *merger) recycle(b *batch) {
	if len(m.free) < maxFree {
		m.free = append(m.free, b)
	}
}

// add queues the record held in b (from buffer). It takes ownership of b.
func (m *merger) add(b *batch) error {
	rec := b.buf
	if len(rec) < recHdrLen {
		m.recycle(b)
		m.bad.Add(1)
		return errBadRecord
	}
	kind := binary.LittleEndian.Uint16(rec[0:])
	cpu := int(binary.LittleEndian.Uint16(rec[2:]))
	n := binary.LittleEndian.Uint32(rec[4:])
	l := int(binary.LittleEndian.Uint32(rec[8:]))
	flush := binary.LittleEndian.Uint64(rec[16:])
	if cpu >= len(m.wm) || l < recHdrLen || l > len(rec) || (kind != recBatch && kind != recSingle) {
		m.recycle(b)
		m.bad.Add(1)
		return fmt.Errorf("%w: kind %d cpu %d len %d", errBadRecord, kind, cpu, l)
	}
	if kind == recBatch && flush > m.wm[cpu] {
		m.wm[cpu] = flush
		m.wmDirty = true
	}
	if n == 0 || l == recHdrLen {
		m.recycle(b)
		return nil
	}
	b.pos, b.end = recHdrLen, l
	if !b.peek() {
		m.recycle(b)
		m.bad.Add(1)
		return errBadRecord
	}
	m.queued += int(n)
	m.queuedBytes += l
	si := 2 * cpu
	if kind == recSingle {
		si++
	}
	s := &m.streams[si]
	s.q = append(s.q, b)
	if !s.inHp {
		s.inHp = true
		m.hp = append(m.hp, si)
		m.up(len(m.hp) - 1)
	}
	return nil
}

// peek loads the time stamp of the event at b.pos; false when none is left
// or the record is malformed.
func (b *batch) peek() bool {
	if b.end-b.pos < event.HeaderLen {
		return false
	}
	l := int(binary.LittleEndian.Uint32(b.buf[b.pos+16:]))
	if l < event.HeaderLen || b.pos+l > b.end {
		return false
	}
	b.ts = binary.LittleEndian.Uint64(b.buf[b.pos:])
	return true
}

// offline marks a CPU that produces no events: it no longer holds back the
// watermark.
func (m *merger) offline(cpu int) {
	if cpu < len(m.wm) && m.wm[cpu] != ^uint64(0) {
		m.wm[cpu] = ^uint64(0)
		m.wmDirty = true
	}
}

func (m *merger) watermark() uint64 {
	if m.wmDirty {
		min := m.wm[0]
		for _, w := range m.wm[1:] {
			if w < min {
				min = w
			}
		}
		m.minWM = min
		m.wmDirty = false
	}
	return m.minWM
}

// caught reports whether every event with a time stamp up to ts has been
// returned: every CPU promised nothing older is on its way, and none older
// is queued.
func (m *merger) caught(ts uint64) bool {
	if m.watermark() < ts {
		return false
	}
	return len(m.hp) == 0 || m.headTS(m.hp[0]) > ts
}

func (m *merger) headTS(si int) uint64 {
	s := &m.streams[si]
	return s.q[s.head].ts
}

// next returns the oldest queued event if it may be released: its time
// stamp is at most the minimum watermark, or at most force. The event is
// valid until the following call.
func (m *merger) next(force uint64) *event.Event {
	if m.done != nil {
		m.recycle(m.done)
		m.done = nil
	}
	for len(m.hp) > 0 {
		si := m.hp[0]
		s := &m.streams[si]
		b := s.q[s.head]
		limit := m.watermark()
		if force > limit {
			limit = force
		}
		if b.ts > limit {
			return nil
		}
		l := int(binary.LittleEndian.Uint32(b.buf[b.pos+16:]))
		err := m.ev.Decode(b.buf[b.pos : b.pos+l])
		b.pos += l
		m.queued--
		if !b.peek() {
			m.queuedBytes -= b.end
			s.q[s.head] = nil
			s.head++
			if s.head == len(s.q) {
				s.q, s.head = s.q[:0], 0
			}
			m.done = b
			if len(s.q) == 0 {
				s.inHp = false
				m.pop()
			} else {
				m.down(0)
			}
		} else {
			m.down(0)
		}
		if err != nil {
			m.bad.Add(1)
			continue
		}
		m.num++
		m.ev.Num = m.num
		m.ev.CPU = s.cpu
		return &m.ev
	}
	return nil
}

func (m *merger) less(i, j int) bool { return m.headTS(m.hp[i]) < m.headTS(m.hp[j]) }

func (m *merger) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !m.less(i, p) {
			break
		}
		m.hp[i], m.hp[p] = m.hp[p], m.hp[i]
		i = p
	}
}

func (m *merger) down(i int) {
	n := len(m.hp)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && m.less(r, l) {
			c = r
		}
		if !m.less(c, i) {
			return
		}
		m.hp[i], m.hp[c] = m.hp[c], m.hp[i]
		i = c
	}
}

func (m *merger) pop() {
	n := len(m.hp) - 1
	m.hp[0] = m.hp[n]
	m.hp = m.hp[:n]
	if n > 0 {
		m.down(0)
	}
}
