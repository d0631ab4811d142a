// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	gonats "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ferret-observability/ferret/internal/capfile"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// Options configure a stream writer.
type Options struct {
	Target capnats.Target // the subject "" means ferret.<hostname>
	Conn   capnats.ConnOptions
	// Stream is the stream created when none holds the subject (default
	// FERRET, over <first token>.>). MaxAge and MaxBytes are its limits
	// (0 = none); given for an existing stream they update it.
	Stream   string
	MaxAge   time.Duration
	MaxBytes int64
	// Spool is the directory that holds what the server has not
	// acknowledged beyond MemMax bytes (default 16 MiB), up to SpoolMax
	// bytes (default 1 GiB). Without it, up to MemMax bytes are kept.
	Spool    string
	SpoolMax int64
	MemMax   int64
	// Seconds (-G) and SizeMB (-C) start a new section (a state snapshot)
	// every Seconds of events or SizeMB million bytes; with neither, every
	// DefaultSection.
	Seconds int
	SizeMB  int
	// Fat (-F) also sends the state-changing events the filter rejected.
	Fat bool
	// BatchBytes and BatchDelay bound one message (default 60 KiB of
	// blocks, 100 ms).
	BatchBytes int
	BatchDelay time.Duration
	// DrainWait bounds the wait for the last acknowledgements at the end
	// (default 10 s).
	DrainWait time.Duration
	// Report, when not nil, receives the end-of-run line about drops.
	Report io.Writer
}

// DefaultSection is the snapshot period when neither -G nor -C is given.
const DefaultSection = 5 * time.Minute

// Sink is the engine consumer that streams a run's events to JetStream as
// capture blocks: the same section header, metadata and event blocks as a
// capture file, cut into messages of whole blocks (a block larger than a
// message is split across consecutive ones).
type Sink struct {
	opts Options
	*conn
	out outlet

	run        *engine.Run
	w          *capfile.Writer
	section    bool   // the next message starts a section
	firstTS    uint64 // first event of the batch being built
	lastTS     uint64
	secStart   uint64 // event time the section started at
	secBytes   int64  // Written() when it started
	events     uint64 // w.Events() at the last message
	containers int
	tick       atomic.Bool
	stopTick   chan struct{}
	tmp        event.Event
	finished   bool
}

// Open connects, makes sure a stream holds the subject and starts the
// publisher. Nothing is sent before the capture starts.
func Open(o Options) (*Sink, error) {
	if o.BatchBytes <= 0 {
		o.BatchBytes = 60 << 10
	}
	if o.BatchDelay <= 0 {
		o.BatchDelay = 100 * time.Millisecond
	}
	c, err := openConn(&o)
	if err != nil {
		return nil, err
	}
	return &Sink{opts: o, conn: c}, nil
}

// conn is a writer's connection, stream and publisher.
type conn struct {
	nc      *gonats.Conn
	js      jetstream.JetStream
	pub     *publisher
	subject string
	stream  string
	report  io.Writer
	drain   time.Duration
}

// openConn connects for o (filling its defaults), makes sure a stream holds
// the subject and starts the publisher.
func openConn(o *Options) (*conn, error) {
	if o.Target.Subject == "" {
		o.Target.Subject = capnats.DefaultSubject()
	}
	if capnats.HasWildcard(o.Target.Subject) {
		return nil, fmt.Errorf("cannot write to NATS subject %s: a writer needs a subject without wildcards", o.Target.Subject)
	}
	if o.Stream == "" {
		o.Stream = capnats.DefaultStream
	}
	if o.MemMax <= 0 {
		o.MemMax = 16 << 20
	}
	if o.SpoolMax <= 0 {
		o.SpoolMax = 1 << 30
	}
	if o.DrainWait <= 0 {
		o.DrainWait = 10 * time.Second
	}
	s := &conn{subject: o.Target.Subject, report: o.Report, drain: o.DrainWait}
	co := o.Conn
	co.Extra = append(co.Extra,
		gonats.MaxReconnects(-1),
		gonats.ReconnectWait(250*time.Millisecond),
		// Messages wait in the publisher's queue (and spool), not in
		// the client's reconnect buffer.
		gonats.ReconnectBufSize(-1),
		gonats.NoCallbacksAfterClientClose(),
	)
	if co.Name == "" {
		co.Name = "ferret " + s.subject
	}
	nc, js, err := capnats.Connect(o.Target, co)
	if err != nil {
		return nil, err
	}
	// Acknowledgements that do not come (the server died with the message)
	// fail after this, and the message is sent again.
	js, err = jetstream.New(nc, jetstream.WithPublishAsyncTimeout(5*time.Second), jetstream.WithPublishAsyncMaxPending(256))
	if err != nil {
		nc.Close()
		return nil, err
	}
	s.nc, s.js = nc, js
	defer func() {
		if s.pub == nil {
			nc.Close()
		}
	}()
	if s.stream, err = EnsureStream(js, o.Target.Subject, o.Stream, o.MaxAge, o.MaxBytes, co.Timeout); err != nil {
		nc.Close()
		return nil, err
	}
	s.pub, err = newPublisher(nc, js, o.MemMax, o.Spool, o.SpoolMax)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return s, nil
}

// close waits for the last acknowledgements, closes the connection and
// reports what could not be delivered.
func (c *conn) close() (PublishStats, error) {
	st := c.pub.close(c.drain)
	c.nc.Close()
	if c.report != nil {
		writeReport(c.report, c.subject, st)
	}
	return st, c.pub.err()
}

// Stats returns the publisher's counters.
func (c *conn) Stats() PublishStats { return c.pub.stats() }

// Pending returns the number of messages not yet acknowledged.
func (c *conn) Pending() int { return c.pub.pending() }

// outlet numbers the messages of one writer and sets their headers.
type outlet struct {
	pub     *publisher
	subject string
	writer  string // Ferret-Writer: host, boot time, start time
	host    string
	seq     uint64
}

func newOutlet(c *conn, m event.Machine) outlet {
	return outlet{pub: c.pub, subject: c.subject, host: m.Hostname,
		writer: fmt.Sprintf("%s.%d.%d", m.Hostname, m.BootTime, time.Now().UnixNano())}
}

// send queues data as the writer's next message.
func (o *outlet) send(data []byte, format string, events, ts uint64, section bool) error {
	if err := o.pub.err(); err != nil {
		return err
	}
	o.seq++
	seq := strconv.FormatUint(o.seq, 10)
	h := gonats.Header{}
	h.Set(gonats.MsgIdHdr, o.writer+"."+seq)
	h.Set(capnats.HdrWriter, o.writer)
	h.Set(capnats.HdrSeq, seq)
	h.Set(capnats.HdrHost, o.host)
	h.Set(capnats.HdrFormat, format)
	h.Set(capnats.HdrEvents, strconv.FormatUint(events, 10))
	h.Set(capnats.HdrTime, strconv.FormatUint(ts, 10))
	if section {
		h.Set(capnats.HdrSection, "1")
	}
	o.pub.push(&message{subject: o.subject, hdr: h, data: data, events: events})
	return nil
}

// Subject returns the subject written to.
func (s *Sink) Subject() string { return s.subject }

// Stream returns the name of the stream that holds the subject.
func (s *Sink) Stream() string { return s.stream }

// EnsureStream returns the stream that holds subject, creating it (named
// name, over the subject's first token followed by >) when none does.
// maxAge and maxBytes, when set, are the stream's limits.
func EnsureStream(js jetstream.JetStream, subject, name string, maxAge time.Duration, maxBytes int64, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	found, err := capnats.FindStream(ctx, js, subject)
	if err != nil {
		return "", err
	}
	if found != "" {
		if maxAge == 0 && maxBytes == 0 {
			return found, nil
		}
		st, err := js.Stream(ctx, found)
		if err != nil {
			return "", fmt.Errorf("NATS stream %s: %v", found, capnats.Explain(js.Conn(), err))
		}
		cfg := st.CachedInfo().Config
		if maxAge != 0 {
			cfg.MaxAge = maxAge
		}
		if maxBytes != 0 {
			cfg.MaxBytes = maxBytes
		}
		if _, err := js.UpdateStream(ctx, cfg); err != nil {
			return "", fmt.Errorf("cannot update the limits of NATS stream %s: %v", found, capnats.Explain(js.Conn(), err))
		}
		return found, nil
	}
	subj := subject
	if i := indexByte(subject, '.'); i > 0 {
		subj = subject[:i] + ".>"
	}
	cfg := jetstream.StreamConfig{
		Name:       name,
		Subjects:   []string{subj},
		Storage:    jetstream.FileStorage,
		MaxAge:     maxAge,
		MaxBytes:   maxBytes,
		Duplicates: 2 * time.Minute,
		Discard:    jetstream.DiscardOld,
	}
	if maxBytes == 0 {
		cfg.MaxBytes = -1
	}
	if _, err := js.CreateStream(ctx, cfg); err != nil {
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return "", fmt.Errorf("NATS stream %s exists but does not hold subject %s (choose another subject or --nats-stream)", name, subject)
		}
		return "", fmt.Errorf("cannot create NATS stream %s for %s: %v", name, subj, capnats.Explain(js.Conn(), err))
	}
	return name, nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// OnCaptureStart publishes the section header and the source's snapshot.
func (s *Sink) OnCaptureStart(r *engine.Run) error {
	s.run = r
	snap := r.Source.Snapshot()
	s.out = newOutlet(s.conn, snap.Machine)
	if err := s.newSection(snap, uint64(time.Now().UnixNano())); err != nil {
		return err
	}
	s.stopTick = make(chan struct{})
	go func() {
		t := time.NewTicker(s.opts.BatchDelay)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.tick.Store(true)
			case <-s.stopTick:
				return
			}
		}
	}()
	return nil
}

// newSection ends the current section and starts one from snap.
func (s *Sink) newSection(snap *event.Snapshot, ts uint64) error {
	if s.w != nil {
		if err := s.w.Close(); err != nil {
			return err
		}
		s.w = nil
	}
	s.section = true
	s.firstTS = ts
	s.secStart = ts
	s.events = 0
	w, err := capfile.NewWriter(batchWriter{s}, snap, capfile.WriterOptions{BufferSize: s.opts.BatchBytes})
	if err != nil {
		return err
	}
	s.w = w
	s.secBytes = w.Written()
	s.containers = len(s.run.State.ContainerLog())
	return nil
}

// batchWriter turns each buffer the capture writer flushes (whole blocks)
// into one message, or into consecutive messages when it is larger than
// one may be: a section's snapshot of a busy machine is megabytes, beyond
// the server's max_payload (1 MiB by default), which refuses the message.
// Readers join a writer's messages in sequence into one byte stream, so a
// block may span messages; the first carries the section mark and the
// events.
type batchWriter struct{ s *Sink }

// msgHeadroom is left under the server's max_payload for the headers.
const msgHeadroom = 4 << 10

func (b batchWriter) Write(p []byte) (int, error) {
	s := b.s
	var n uint64
	if s.w != nil {
		n = s.w.Events() - s.events
		s.events = s.w.Events()
	}
	ts := s.firstTS
	if ts == 0 {
		ts = s.lastTS
	}
	section := s.section
	s.section = false
	s.firstTS = 0
	limit := max(s.opts.BatchBytes, 1<<10)
	if mp := int(s.nc.MaxPayload()) - msgHeadroom; mp > 0 && mp < limit {
		limit = mp
	}
	for off := 0; off < len(p); {
		end := min(off+limit, len(p))
		if err := s.out.send(append([]byte(nil), p[off:end]...), "scap", n, ts, section); err != nil {
			return off, err
		}
		n, section, off = 0, false, end
	}
	return len(p), nil
}

// syncContainers queues the containers the state met since the last event.
func (s *Sink) syncContainers(st *state.State) {
	log := st.ContainerLog()
	if len(log) < s.containers {
		s.containers = 0
	}
	for _, c := range log[s.containers:] {
		s.w.AddContainer(state.ContainerJSON(c))
	}
	s.containers = len(log)
}

func (s *Sink) write(c *fields.Ctx, ev *event.Event) error {
	if s.needSection(ev) {
		if err := s.newSection(c.State.Snapshot(), ev.TS); err != nil {
			return err
		}
	}
	s.syncContainers(c.State)
	if s.firstTS == 0 {
		s.firstTS = ev.TS
	}
	s.lastTS = ev.TS
	if err := s.w.WriteEvent(ev); err != nil {
		return err
	}
	return s.flushDue()
}

func (s *Sink) needSection(ev *event.Event) bool {
	if s.pub.resume() {
		return true
	}
	o := &s.opts
	switch {
	case o.Seconds > 0:
		if ev.TS >= s.secStart+uint64(o.Seconds)*1e9 {
			return true
		}
	case o.SizeMB == 0:
		if ev.TS >= s.secStart+uint64(DefaultSection) {
			return true
		}
	}
	return o.SizeMB > 0 && s.w.Written()-s.secBytes > int64(o.SizeMB)*1000000
}

// flushDue sends the batch once BatchDelay has passed since the last.
func (s *Sink) flushDue() error {
	if s.tick.Load() {
		s.tick.Store(false)
		return s.w.Flush()
	}
	return nil
}

// OnEvent streams an accepted event.
func (s *Sink) OnEvent(c *fields.Ctx) error { return s.write(c, c.Ev) }

// OnRejected streams, with Fat, the state-changing events the filter
// rejected, flagged so that readers use them for state only.
func (s *Sink) OnRejected(c *fields.Ctx) error {
	if !s.opts.Fat {
		return nil
	}
	if !engine.StateOnlyCopy(c.Ev, &s.tmp) {
		return nil
	}
	return s.write(c, &s.tmp)
}

// OnIdle sends the batch when the source has nothing ready.
func (s *Sink) OnIdle(*engine.Run) error {
	if err := s.pub.err(); err != nil {
		return err
	}
	return s.flushDue()
}

// OnCaptureEnd sends the last batch, waits for the acknowledgements and
// reports what could not be delivered.
func (s *Sink) OnCaptureEnd(*engine.Run) error {
	if s.finished {
		return nil
	}
	s.finished = true
	var err error
	if s.w != nil {
		err = s.w.Close()
		close(s.stopTick)
	}
	if _, cerr := s.conn.close(); err == nil {
		err = cerr
	}
	return err
}

func writeReport(w io.Writer, subject string, st PublishStats) {
	if st.DroppedMessages > 0 {
		fmt.Fprintf(w, "ferret: NATS %s: %d event(s) in %d message(s) dropped (the server was unreachable and the memory/spool bounds were full, or it did not come back before the end)\n",
			subject, st.DroppedEvents, st.DroppedMessages)
	}
	if st.Left > 0 {
		fmt.Fprintf(w, "ferret: NATS %s: %d message(s) left in the spool, sent at the next start with the same spool\n", subject, st.Left)
	}
}
