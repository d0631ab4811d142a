// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gonats "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
)

// message is one batch of bytes waiting for the server's acknowledgement.
type message struct {
	subject string
	hdr     gonats.Header
	data    []byte // nil while it waits in the spool file
	size    int
	events  uint64
	file    string // spool file, "" when held in memory only
	fut     jetstream.PubAckFuture
}

// PublishStats counts what a publisher did.
type PublishStats struct {
	Messages, Bytes, Events uint64 // acknowledged by the server
	// Dropped counts the messages (and their events) that could not be
	// kept: the memory and spool bounds were full, or the run ended
	// before the server came back.
	DroppedMessages, DroppedEvents uint64
	// Spooled counts the messages that went through the spool on disk;
	// Left those still in it at the end (sent by the next run).
	Spooled, Left uint64
	Resent        uint64 // publications repeated after a failure
}

// publisher sends messages in order, asynchronously, keeping every one
// until the server acknowledged it: in memory up to memMax bytes, then in
// the spool directory up to spoolMax bytes. A message that failed (the
// connection dropped, the acknowledgement timed out) is sent again with
// the same Nats-Msg-Id, which the server deduplicates; readers put
// messages back in writer order by Ferret-Seq.
type publisher struct {
	nc *gonats.Conn
	js jetstream.JetStream

	memMax   int64
	spoolDir string
	spoolMax int64
	window   int // messages in flight

	mu         sync.Mutex
	wake       chan struct{}
	queue      []*message // not yet acknowledged, in order
	inFlight   int        // queue[:inFlight] were published
	mem        int64      // bytes held in memory
	spool      int64      // bytes held in the spool
	snapshot   bool       // the messages of a snapshot are being queued
	lastQueued uint64     // sequence of the last message queued
	lost       bool       // a message was dropped: capture messages wait for a new section
	closing    bool
	fatal      error
	st         PublishStats
	done       chan struct{}
}

func newPublisher(nc *gonats.Conn, js jetstream.JetStream, memMax int64, spoolDir string, spoolMax int64) (*publisher, error) {
	p := &publisher{nc: nc, js: js, memMax: memMax, spoolDir: spoolDir, spoolMax: spoolMax, window: 64,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	if spoolDir != "" {
		if err := os.MkdirAll(spoolDir, 0o700); err != nil {
			return nil, fmt.Errorf("spool: %v", err)
		}
		if err := p.loadSpool(); err != nil {
			return nil, err
		}
	}
	go p.run()
	return p, nil
}

// loadSpool queues what an earlier run left in the spool, first.
func (p *publisher) loadSpool() error {
	names, err := filepath.Glob(filepath.Join(p.spoolDir, "*.msg"))
	if err != nil {
		return fmt.Errorf("spool: %v", err)
	}
	sort.Strings(names)
	for _, name := range names {
		m, err := readSpoolFile(name, false)
		if err != nil {
			return fmt.Errorf("spool: %s: %v (remove it to go on)", name, err)
		}
		p.queue = append(p.queue, m)
		p.spool += int64(m.size)
		p.st.Spooled++
	}
	return nil
}

// spoolName orders files by writer, then sequence number.
func spoolName(m *message) string {
	seq, _ := strconv.ParseUint(m.hdr.Get(capnats.HdrSeq), 10, 64)
	w := strings.NewReplacer("/", "_").Replace(m.hdr.Get(capnats.HdrWriter))
	return fmt.Sprintf("%s-%020d.msg", w, seq)
}

// A spool file holds the length of a JSON header block, the block (the
// subject and the message headers), then the data.
type spoolHead struct {
	Subject string              `json:"subject"`
	Header  map[string][]string `json:"header"`
	Events  uint64              `json:"events"`
}

func writeSpoolFile(name string, m *message) error {
	head, err := json.Marshal(spoolHead{Subject: m.subject, Header: m.hdr, Events: m.events})
	if err != nil {
		return err
	}
	buf := make([]byte, 4, 4+len(head)+len(m.data))
	binary.LittleEndian.PutUint32(buf, uint32(len(head)))
	buf = append(buf, head...)
	buf = append(buf, m.data...)
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, buf, 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, name)
}

func readSpoolFile(name string, withData bool) (*message, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if len(b) < 4 {
		return nil, errors.New("truncated spool file")
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n > len(b)-4 {
		return nil, errors.New("truncated spool file")
	}
	var h spoolHead
	if err := json.Unmarshal(b[4:4+n], &h); err != nil {
		return nil, fmt.Errorf("bad spool file header: %v", err)
	}
	m := &message{subject: h.Subject, hdr: gonats.Header(h.Header), size: len(b) - 4 - n, events: h.Events, file: name}
	if withData {
		m.data = b[4+n:]
	}
	return m, nil
}

// push queues a message (its data is owned by the publisher from now on).
// It never blocks: when neither memory nor spool can hold the message, it
// is dropped and counted, and lostSince reports it.
func (p *publisher) push(m *message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m.size = len(m.data)
	seq, _ := strconv.ParseUint(m.hdr.Get(capnats.HdrSeq), 10, 64)
	section := m.hdr.Get(capnats.HdrSection) == "1"
	if p.lost && !section && m.hdr.Get(capnats.HdrFormat) == "scap" {
		// After a drop, capture blocks resume with a snapshot only.
		p.drop(m)
		return
	}
	m.hdr.Set(capnats.HdrPrev, strconv.FormatUint(p.lastQueued, 10))
	if section {
		p.snapshot = true
	}
	switch {
	case p.mem+int64(m.size) <= p.memMax || len(p.queue) == 0 || p.snapshot:
		// A snapshot is kept whole, beyond the memory bound if need be:
		// without all of it the events after it are of no use.
		p.mem += int64(m.size)
	case p.spoolDir != "" && p.spool+int64(m.size) <= p.spoolMax:
		name := filepath.Join(p.spoolDir, spoolName(m))
		if err := writeSpoolFile(name, m); err != nil {
			p.drop(m)
			if p.fatal == nil {
				p.fatal = fmt.Errorf("spool: %v", err)
			}
			return
		}
		m.file, m.data = name, nil
		p.spool += int64(m.size)
		p.st.Spooled++
	default:
		p.drop(m)
		return
	}
	p.queue = append(p.queue, m)
	p.lastQueued = seq
	if section {
		p.lost = false
	}
	if m.events > 0 {
		p.snapshot = false
	}
	p.signal()
}

func (p *publisher) drop(m *message) {
	p.st.DroppedMessages++
	p.st.DroppedEvents += m.events
	p.lost = true
}

// resume reports whether messages were dropped and there is room again
// (half the memory or spool bound free): the writer then starts a new
// section, so that a reader's state is right again after the gap. Until
// that section comes, capture messages are dropped.
func (p *publisher) resume() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lost && (p.mem <= p.memMax/2 || p.spoolDir != "" && p.spool <= p.spoolMax/2)
}

func (p *publisher) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fatal
}

func (p *publisher) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run publishes queued messages while connected, keeping up to window of
// them in flight, and retires them in order as they are acknowledged.
func (p *publisher) run() {
	defer close(p.done)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		p.mu.Lock()
		if p.closing && (len(p.queue) == 0 || p.fatal != nil) {
			p.mu.Unlock()
			return
		}
		// publish what the window allows
		for p.fatal == nil && p.nc.IsConnected() && p.inFlight < len(p.queue) && p.inFlight < p.window {
			m := p.queue[p.inFlight]
			if err := p.send(m); err != nil {
				break
			}
			p.inFlight++
		}
		var okc <-chan *jetstream.PubAck
		var errc <-chan error
		if p.inFlight > 0 {
			okc, errc = p.queue[0].fut.Ok(), p.queue[0].fut.Err()
		}
		p.mu.Unlock()
		select {
		case ack := <-okc:
			p.mu.Lock()
			if p.inFlight > 0 && len(p.queue) > 0 && p.queue[0].fut != nil && p.queue[0].fut.Ok() == okc {
				p.retire(p.queue[0], ack)
			}
			p.mu.Unlock()
		case err := <-errc:
			p.mu.Lock()
			if p.inFlight > 0 && len(p.queue) > 0 {
				p.failed(err)
			}
			p.mu.Unlock()
		case <-p.wake:
		case <-tick.C:
		}
	}
}

// send publishes m (loading it from the spool if needed).
func (p *publisher) send(m *message) error {
	data := m.data
	if data == nil && m.file != "" {
		f, err := readSpoolFile(m.file, true)
		if err != nil {
			if p.fatal == nil {
				p.fatal = fmt.Errorf("spool: %v", err)
			}
			return err
		}
		data = f.data
	}
	msg := &gonats.Msg{Subject: m.subject, Header: m.hdr, Data: data}
	fut, err := p.js.PublishMsgAsync(msg, jetstream.WithMsgID(m.hdr.Get(gonats.MsgIdHdr)))
	if err != nil {
		if errors.Is(err, gonats.ErrMaxPayload) && p.fatal == nil {
			// Sending it again cannot help: say so rather than wait.
			p.fatal = fmt.Errorf("NATS refused a message of %d bytes: the server's max_payload is %d", len(data), p.nc.MaxPayload())
		}
		return err
	}
	if m.fut != nil {
		p.st.Resent++
	}
	m.fut = fut
	return nil
}

func (p *publisher) retire(m *message, ack *jetstream.PubAck) {
	p.queue[0] = nil
	p.queue = p.queue[1:]
	p.inFlight--
	if m.file != "" {
		os.Remove(m.file)
		p.spool -= int64(m.size)
	} else {
		p.mem -= int64(m.size)
	}
	p.st.Messages++
	p.st.Bytes += uint64(m.size)
	p.st.Events += m.events
	_ = ack
}

// failed handles a failed publication of the oldest message: permission
// and limit errors of the stream stop the writer; anything else (the
// connection dropped, the acknowledgement timed out) sends every message
// in flight again, in order, once connected.
func (p *publisher) failed(err error) {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.Code != 503 {
		if p.fatal == nil {
			p.fatal = fmt.Errorf("NATS refused the capture: %v", err)
		}
	}
	if perm := capnats.Refused(p.nc); perm != nil && p.fatal == nil {
		p.fatal = fmt.Errorf("NATS refused the capture: %v", perm)
	}
	// Everything in flight is published again: the server deduplicates what
	// it had stored, readers reorder by sequence.
	p.inFlight = 0
}

// close waits up to wait for the queue to empty, then stops. What is left
// stays in the spool for the next run (as far as the spool bound allows);
// the rest is counted as dropped.
func (p *publisher) close(wait time.Duration) PublishStats {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	p.signal()
	select {
	case <-p.done:
	case <-time.After(wait):
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.queue {
		if m.file == "" && p.spoolDir != "" && p.fatal == nil && p.spool+int64(m.size) <= p.spoolMax {
			// Kept for the next run, in order after what is there.
			name := filepath.Join(p.spoolDir, spoolName(m))
			if err := writeSpoolFile(name, m); err == nil {
				m.file, m.data = name, nil
				p.spool += int64(m.size)
			}
		}
		if m.file != "" {
			p.st.Left++
			continue
		}
		p.drop(m)
	}
	p.queue = nil
	p.closing = true
	return p.st
}

// pending returns the number of messages not yet acknowledged.
func (p *publisher) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue)
}

func (p *publisher) stats() PublishStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}
