// SPDX-License-Identifier: Apache-2.0

package zabbix

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// DefaultPort is the Zabbix trapper port.
const DefaultPort = "10051"

// DefaultMaxQueue bounds the values kept while the server is unreachable.
const DefaultMaxQueue = 100000

// maxBatch is how many values go in one request.
const maxBatch = 1000

// Sender queues values and delivers them to one server. Flush sends the
// queue in batches; a batch the server did not answer stays queued and is
// sent again by the next Flush. Safe for concurrent use.
type Sender struct {
	addr     string
	timeout  time.Duration
	maxQueue int
	now      func() time.Time

	mu      sync.Mutex
	queue   []Item
	buf     []byte
	stats   SenderStats
	lastErr error
}

// SenderStats counts what happened to values.
type SenderStats struct {
	Sent      uint64 // values in requests the server answered
	Processed uint64 // values the server accepted
	Failed    uint64 // values the server rejected
	Dropped   uint64 // values dropped because the queue was full
	Errors    uint64 // failed deliveries (connect, write, read, bad answer)
	Queued    int    // values waiting
	Last      Response
}

// NewSender sends to server ("host" or "host:port"); maxQueue <= 0 means
// DefaultMaxQueue.
func NewSender(server string, timeout time.Duration, maxQueue int) *Sender {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, DefaultPort)
	}
	if maxQueue <= 0 {
		maxQueue = DefaultMaxQueue
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &Sender{addr: server, timeout: timeout, maxQueue: maxQueue, now: time.Now}
}

// Addr is the server address values go to.
func (s *Sender) Addr() string { return s.addr }

// Enqueue adds values; when the queue is full the oldest values are
// dropped and counted.
func (s *Sender) Enqueue(items ...Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, items...)
	if over := len(s.queue) - s.maxQueue; over > 0 {
		s.stats.Dropped += uint64(over)
		s.queue = append(s.queue[:0], s.queue[over:]...)
	}
}

// Stats returns the counters.
func (s *Sender) Stats() SenderStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Queued = len(s.queue)
	return st
}

// Flush sends every queued value and returns the combined answer. On error
// the values not yet answered stay queued.
func (s *Sender) Flush() (Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var total Response
	for len(s.queue) > 0 {
		n := min(len(s.queue), maxBatch)
		r, err := s.send(s.queue[:n])
		if err != nil && r.Response == "" {
			// not answered: keep the values for the next flush
			s.stats.Errors++
			s.lastErr = err
			return total, err
		}
		if err != nil {
			// answered with a refusal: resending the same batch would
			// be refused again, so it counts as failed
			s.stats.Errors++
			s.stats.Failed += uint64(n)
			s.queue = append(s.queue[:0], s.queue[n:]...)
			s.lastErr = err
			return total, err
		}
		s.queue = append(s.queue[:0], s.queue[n:]...)
		s.stats.Sent += uint64(n)
		s.stats.Processed += uint64(r.Processed)
		s.stats.Failed += uint64(r.Failed)
		s.stats.Last = r
		total.Response = r.Response
		total.Info = r.Info
		total.Processed += r.Processed
		total.Failed += r.Failed
		total.Total += r.Total
		total.Seconds += r.Seconds
	}
	s.lastErr = nil
	return total, nil
}

func (s *Sender) send(items []Item) (Response, error) {
	conn, err := net.DialTimeout("tcp", s.addr, s.timeout)
	if err != nil {
		return Response{}, fmt.Errorf("zabbix: connect %s: %w", s.addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(s.now().Add(s.timeout)); err != nil {
		return Response{}, fmt.Errorf("zabbix: %w", err)
	}
	s.buf = AppendRequest(s.buf[:0], items, s.now())
	if _, err := conn.Write(s.buf); err != nil {
		return Response{}, fmt.Errorf("zabbix: send to %s: %w", s.addr, err)
	}
	r, err := ReadResponse(conn)
	if err != nil {
		return r, fmt.Errorf("%w (from %s)", err, s.addr)
	}
	return r, nil
}
