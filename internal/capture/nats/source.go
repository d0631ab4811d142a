// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	gonats "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
)

// ReadOptions configure a Source.
type ReadOptions struct {
	Conn ConnOptions
	// Since starts each writer at its last snapshot at or before this
	// time; events before it update the state but are not shown. Zero
	// reads everything the stream holds.
	Since time.Time
	// Follow keeps reading the messages that arrive after the start;
	// otherwise the read ends with the last message stored when it began.
	Follow bool
}

// Source reads the captures of one subject or of a wildcard back from
// JetStream, one ordered consumer per subject (a subject is one machine's
// capture, written by one ferret at a time). It implements
// capture.MachineSource.
type Source struct {
	target Target
	opts   ReadOptions
	nc     *gonats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	lastSeq uint64 // last stream sequence at the start (reads without Follow end there)
	since   uint64
	feeds   map[string]*feed // by subject
	order   []*feed          // by first appearance
	arrived chan struct{}    // a feed received a message (Follow)
	scanned time.Time        // last look for new subjects (Follow)

	cur        *feed // the feed of the last event returned
	num        uint64
	snap       *event.Snapshot
	newSection bool
	bytes      uint64
	bad        uint64 // messages left out (no Ferret headers)
	held       uint64 // messages whose predecessor never came
	err        error
}

var _ capture.MachineSource = (*Source)(nil)

// feed is the byte stream of one subject, rebuilt in its writer's order.
type feed struct {
	src     *Source
	subject string
	machine int
	it      jetstream.MessagesContext
	msgs    chan jetstream.Msg // closed at the end of a read without Follow
	start   uint64             // stream sequence of the section to start at

	writer string              // the writer being read
	old    map[string]bool     // writers that came before it
	host   string              // its machine's name
	last   uint64              // sequence of its last message appended
	held   map[uint64]*heldMsg // by Ferret-Prev, waiting for their predecessor
	chunks [][]byte
	fed    int64 // bytes appended
	rd     *capfile.Reader
	ev     event.Event
	head   bool // ev holds the next event
	done   bool
	first  bool // the next event returned is the feed's first
	ended  bool // msgs is closed and drained
	err    error
}

type heldMsg struct {
	seq  uint64
	data []byte
}

// Open connects and positions a consumer on each subject matching t
// (wildcards allowed; none means ferret.>) in the stream that holds them.
func Open(t Target, o ReadOptions) (*Source, error) {
	if t.Subject == "" {
		t.Subject = "ferret.>"
	}
	if o.Conn.Name == "" {
		o.Conn.Name = "ferret reader " + t.Subject
	}
	nc, js, err := Connect(t, o.Conn)
	if err != nil {
		return nil, err
	}
	s := &Source{target: t, opts: o, nc: nc, js: js, feeds: map[string]*feed{}, snap: &event.Snapshot{},
		arrived: make(chan struct{}, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if !o.Since.IsZero() {
		s.since = uint64(o.Since.UnixNano())
	}
	if err := s.open(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Source) open() error {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Conn.timeout())
	defer cancel()
	name, err := FindStream(ctx, s.js, s.target.Subject)
	if err != nil {
		return err
	}
	if name == "" {
		return fmt.Errorf("no NATS stream holds subject %s on %s", s.target.Subject, redact(s.target.Server))
	}
	s.name = name
	if s.stream, err = s.js.Stream(ctx, name); err != nil {
		return fmt.Errorf("NATS stream %s: %v", name, Explain(s.nc, err))
	}
	s.lastSeq = s.stream.CachedInfo().State.LastSeq
	if err := s.scan(); err != nil {
		return err
	}
	if !s.opts.Follow {
		if len(s.order) == 0 {
			return fmt.Errorf("NATS stream %s holds no capture for subject %s", name, s.target.Subject)
		}
		// The first capture's snapshot is the state before the first event
		// (subjects of JSON messages hold none).
		for _, f := range s.order {
			if err := f.begin(); err != nil {
				return err
			}
			if f.rd != nil {
				s.snap = f.rd.Snapshot()
				return nil
			}
		}
		return fmt.Errorf("NATS stream %s holds no capture for subject %s (only JSON messages)", name, s.target.Subject)
	}
	return nil
}

// scan opens a feed for every matching subject not yet read.
func (s *Source) scan() error {
	s.scanned = time.Now()
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Conn.timeout())
	defer cancel()
	info, err := s.stream.Info(ctx, jetstream.WithSubjectFilter(s.target.Subject))
	if err != nil {
		return fmt.Errorf("NATS stream %s: %v", s.name, Explain(s.nc, err))
	}
	var subjects []string
	for subj := range info.State.Subjects {
		if s.feeds[subj] == nil {
			subjects = append(subjects, subj)
		}
	}
	sort.Strings(subjects)
	for _, subj := range subjects {
		if err := s.openFeed(subj); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) openFeed(subject string) error {
	f := &feed{src: s, subject: subject, machine: len(s.order), old: map[string]bool{}, held: map[uint64]*heldMsg{},
		first: true, msgs: make(chan jetstream.Msg, 64)}
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Conn.timeout())
	defer cancel()
	if s.since > 0 {
		start, err := s.findStart(ctx, subject)
		if err != nil {
			return err
		}
		f.start = start
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}, DeliverPolicy: jetstream.DeliverAllPolicy}
	if f.start > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.start
	}
	cons, err := s.js.OrderedConsumer(ctx, s.name, cfg)
	if err != nil {
		return fmt.Errorf("cannot read NATS stream %s: %v", s.name, Explain(s.nc, err))
	}
	if !s.opts.Follow && cons.CachedInfo().NumPending == 0 {
		return nil
	}
	if f.it, err = cons.Messages(jetstream.PullMaxMessages(256)); err != nil {
		return fmt.Errorf("cannot read NATS stream %s: %v", s.name, Explain(s.nc, err))
	}
	s.feeds[subject] = f
	s.order = append(s.order, f)
	go f.receive()
	return nil
}

// receive passes the subject's messages to the feed; without Follow it
// stops after the last one stored when the read began.
func (f *feed) receive() {
	s := f.src
	defer close(f.msgs)
	for {
		m, err := f.it.Next()
		if err != nil {
			if s.ctx.Err() == nil && !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				f.err = fmt.Errorf("reading NATS subject %s: %v", f.subject, err)
			}
			return
		}
		md, err := m.Metadata()
		if err != nil {
			f.err = fmt.Errorf("reading NATS subject %s: %v", f.subject, err)
			return
		}
		select {
		case f.msgs <- m:
		case <-s.ctx.Done():
			return
		}
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		if !s.opts.Follow && (md.NumPending == 0 || md.Sequence.Stream >= s.lastSeq) {
			return
		}
	}
}

// findStart reads the headers only, to find the subject's last section
// at or before Since (or its first one).
func (s *Source) findStart(ctx context.Context, subject string) (uint64, error) {
	cons, err := s.js.OrderedConsumer(ctx, s.name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject}, HeadersOnly: true, DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return 0, fmt.Errorf("cannot read NATS stream %s: %v", s.name, Explain(s.nc, err))
	}
	if cons.CachedInfo().NumPending == 0 {
		return 0, nil
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return 0, fmt.Errorf("cannot read NATS stream %s: %v", s.name, Explain(s.nc, err))
	}
	defer it.Stop()
	var start uint64
	for {
		m, err := it.Next(jetstream.NextMaxWait(30 * time.Second))
		if err != nil {
			return 0, fmt.Errorf("reading NATS subject %s: %v", subject, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return 0, err
		}
		h := m.Headers()
		if h.Get(HdrSection) == "1" {
			ts, _ := strconv.ParseUint(h.Get(HdrTime), 10, 64)
			if start == 0 || ts <= s.since {
				start = md.Sequence.Stream
			}
			if ts > s.since {
				break
			}
		}
		if md.NumPending == 0 || md.Sequence.Stream >= s.lastSeq {
			break
		}
	}
	return start, nil
}

// errTimeout is what a wait for the next message returns when none came.
var errTimeout = gonats.ErrTimeout

// take hands one received message to the feed. It reports false when the
// feed's messages have ended.
func (f *feed) take(wait bool) bool {
	if f.ended {
		return false
	}
	var m jetstream.Msg
	var ok bool
	if wait {
		select {
		case m, ok = <-f.msgs:
		case <-f.src.ctx.Done():
			return false
		}
	} else {
		select {
		case m, ok = <-f.msgs:
		default:
			return true
		}
	}
	if !ok {
		f.ended = true
		return false
	}
	f.dispatch(m.Headers(), m.Data())
	return true
}

// dispatch takes one message of the subject by its headers: other formats
// are left out, one without valid Ferret headers is counted as malformed.
func (f *feed) dispatch(h gonats.Header, data []byte) {
	s := f.src
	if h.Get(HdrFormat) != "scap" {
		return // JSON events and tables are for other consumers
	}
	w := h.Get(HdrWriter)
	seq, err1 := strconv.ParseUint(h.Get(HdrSeq), 10, 64)
	prev, err2 := strconv.ParseUint(h.Get(HdrPrev), 10, 64)
	if w == "" || err1 != nil || err2 != nil || seq == 0 {
		s.bad++
		return
	}
	if w != f.writer {
		if f.old[w] || h.Get(HdrSection) != "1" {
			return // a writer already replaced, or joined between sections
		}
		// A new writer (a new run of ferret on the machine) starts with
		// its snapshot; the capture reader sees a new section.
		if f.writer != "" {
			f.old[f.writer] = true
			s.held += uint64(len(f.held))
			clear(f.held)
		}
		f.writer, f.host, f.last = w, h.Get(HdrHost), prev
	}
	f.add(seq, prev, data)
}

// add appends a message in writer order: a duplicate is left out, a
// message whose predecessor has not come yet is held.
func (f *feed) add(seq, prev uint64, data []byte) {
	if seq <= f.last {
		return
	}
	if prev != f.last {
		if _, ok := f.held[prev]; !ok {
			f.held[prev] = &heldMsg{seq: seq, data: data}
		}
		return
	}
	f.appendData(seq, data)
	for {
		m, ok := f.held[f.last]
		if !ok {
			break
		}
		delete(f.held, f.last)
		f.appendData(m.seq, m.data)
	}
}

func (f *feed) appendData(seq uint64, data []byte) {
	f.chunks = append(f.chunks, data)
	f.fed += int64(len(data))
	f.last = seq
	f.src.bytes += uint64(len(data))
}

// Read hands the feed's bytes to its capture reader, waiting for messages
// when none are queued: io.EOF at the end of a read without Follow.
func (f *feed) Read(p []byte) (int, error) {
	for len(f.chunks) == 0 {
		if !f.take(true) {
			if f.err != nil {
				return 0, f.err
			}
			if f.src.ctx.Err() != nil {
				return 0, errors.New("source closed")
			}
			f.src.held += uint64(len(f.held))
			clear(f.held)
			return 0, io.EOF
		}
	}
	n := copy(p, f.chunks[0])
	if n == len(f.chunks[0]) {
		f.chunks[0] = nil
		f.chunks = f.chunks[1:]
	} else {
		f.chunks[0] = f.chunks[0][n:]
	}
	return n, nil
}

// avail is the number of bytes appended that the reader did not consume.
func (f *feed) avail() int64 {
	if f.rd == nil {
		return f.fed
	}
	return f.fed - f.rd.Offset()
}

func (f *feed) begin() error {
	if f.rd != nil {
		return nil
	}
	rd, err := capfile.NewReader(f)
	if err != nil {
		if err == io.EOF || f.fed == 0 {
			f.done = true
			return nil
		}
		return fmt.Errorf("capture on NATS subject %s: %w", f.subject, err)
	}
	f.rd = rd
	return nil
}

// advance decodes the feed's next event into f.ev.
func (f *feed) advance() error {
	if err := f.begin(); err != nil || f.done {
		return err
	}
	err := f.rd.Next(&f.ev)
	if err == io.EOF {
		f.done = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("capture on NATS subject %s: %w", f.subject, err)
	}
	f.head = true
	return nil
}

// Snapshot returns the metadata of the section the last event belongs to
// (before the first Next: the first writer's).
func (s *Source) Snapshot() *event.Snapshot { return s.snap }

// NewSection reports whether the last event starts a section of its
// machine (its first, or a later snapshot): the consumer reloads that
// machine's state from Snapshot.
func (s *Source) NewSection() bool { return s.newSection }

// Machine returns the index of the writer the last event comes from, in
// order of first appearance.
func (s *Source) Machine() int {
	if s.cur == nil {
		return 0
	}
	return s.cur.machine
}

// Host returns the hostname of the machine the last event comes from.
func (s *Source) Host() string {
	if s.cur == nil {
		return ""
	}
	return s.cur.host
}

// Next returns the earliest event among the writers' next ones. Without
// Follow, every writer's next event is known before one is chosen, so the
// merge is exact; with Follow, the writers that have nothing queued are
// not waited for.
func (s *Source) Next() (*event.Event, error) {
	s.newSection = false
	if s.err != nil {
		return nil, s.err
	}
	ev, err := s.next()
	if err != nil && err != capture.ErrTimeout {
		s.err = err
	}
	return ev, err
}

func (s *Source) next() (*event.Event, error) {
	if s.opts.Follow {
		if time.Since(s.scanned) > 2*time.Second {
			if err := s.scan(); err != nil {
				return nil, err
			}
		}
		// take what has arrived
		for _, f := range s.order {
			for len(f.msgs) > 0 && f.take(false) {
			}
		}
	}
	var best *feed
	for i := 0; i < len(s.order); i++ {
		f := s.order[i]
		if !f.head && !f.done && (!s.opts.Follow || f.avail() > 0) {
			if err := f.advance(); err != nil {
				return nil, err
			}
		}
		if f.head && (best == nil || f.ev.TS < best.ev.TS) {
			best = f
		}
	}
	if best == nil {
		for _, f := range s.order {
			if f.err != nil {
				return nil, f.err
			}
		}
		if s.opts.Follow {
			select {
			case <-s.arrived:
			case <-time.After(200 * time.Millisecond):
			}
			return nil, capture.ErrTimeout
		}
		return nil, io.EOF
	}
	best.head = false
	s.cur = best
	if best.first || best.rd.NewSection() {
		best.first = false
		s.snap = best.rd.Snapshot()
		s.newSection = true
	}
	ev := &best.ev
	s.num++
	ev.Num = s.num
	if s.since > 0 && ev.TS < s.since {
		ev.DumpFlags |= event.DumpStateOnly
	}
	return ev, nil
}

// Lost reports the messages left out: malformed ones, and those whose
// predecessor in their writer's order never came.
func (s *Source) Lost() (malformed, orphaned uint64) { return s.bad, s.held }

// Malformed returns how many events could not be decoded, over all writers.
func (s *Source) Malformed() (uint64, error) {
	var n uint64
	var first error
	for _, f := range s.order {
		if f.rd != nil {
			m, err := f.rd.Malformed()
			n += m
			if first == nil && err != nil {
				first = fmt.Errorf("%s: %w", f.subject, err)
			}
		}
	}
	return n, first
}

// Stats reports the events delivered and the capture bytes received.
func (s *Source) Stats() capture.Stats {
	return capture.Stats{Events: s.num, Bytes: s.bytes}
}

// Close stops the consumer and closes the connection.
func (s *Source) Close() error {
	s.cancel()
	for _, f := range s.order {
		f.it.Stop()
		if f.rd != nil {
			f.rd.Close()
		}
	}
	if s.nc != nil {
		s.nc.Close()
	}
	return nil
}
