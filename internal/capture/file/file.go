// SPDX-License-Identifier: Apache-2.0

package file

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
)

// Source reads capture files in order. It implements capture.SectionSource.
type Source struct {
	paths  []string
	cur    int // index of the open file in paths
	f      *os.File
	rd     *capfile.Reader
	ev     event.Event
	num    uint64
	base   uint64 // events read from the files already finished
	bytes  uint64 // bytes of files already finished
	bad    uint64 // malformed events left out in finished files
	badErr error
	snap   *event.Snapshot

	newSection bool
	err        error
}

var _ capture.SectionSource = (*Source)(nil)

// Open opens the capture files (at least one) and reads the metadata of the
// first. A path that does not exist but names a rotated set (path0, path1,
// ... as written with -C/-W/-e) is expanded to that set.
func Open(paths ...string) (*Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("no capture file given")
	}
	var all []string
	for _, p := range paths {
		set, err := expand(p)
		if err != nil {
			return nil, err
		}
		all = append(all, set...)
	}
	s := &Source{paths: all, cur: -1}
	if err := s.openNext(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Source) openNext() error {
	if s.rd != nil {
		s.base += s.rd.Events()
		n, err := s.rd.Malformed()
		if s.badErr == nil && err != nil {
			s.badErr = fmt.Errorf("%s: %w", s.paths[s.cur], err)
		}
		s.bad += n
		s.bytes += uint64(s.rd.Offset())
		s.rd.Close()
		s.f.Close()
		s.rd, s.f = nil, nil
	}
	s.cur++
	if s.cur >= len(s.paths) {
		return io.EOF
	}
	p := s.paths[s.cur]
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("opening capture file: %w", err)
	}
	rd, err := capfile.NewReader(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", p, err)
	}
	if s.cur == 0 && rd.AtEnd() {
		// sysdig refuses a capture without events as it opens it
		rd.Close()
		f.Close()
		return fmt.Errorf("%s: no events in file", p)
	}
	s.f, s.rd = f, rd
	if s.snap == nil {
		s.snap = rd.Snapshot()
	}
	return nil
}

// Snapshot returns the metadata of the section the last event belongs to
// (before the first Next: the first file's).
func (s *Source) Snapshot() *event.Snapshot { return s.snap }

// NewSection reports whether the event returned by the last Next starts a
// new section (a further file or a concatenated section): the consumer must
// reload Snapshot before handling it. The first section is not reported.
func (s *Source) NewSection() bool { return s.newSection }

// Path returns the file currently being read.
func (s *Source) Path() string {
	if s.cur >= 0 && s.cur < len(s.paths) {
		return s.paths[s.cur]
	}
	return ""
}

// Next returns the next event. Its Num continues across files.
func (s *Source) Next() (*event.Event, error) {
	s.newSection = false
	if s.err != nil {
		return nil, s.err
	}
	for {
		err := s.rd.Next(&s.ev)
		if err == nil {
			if cur := s.rd.Snapshot(); cur != s.snap {
				s.snap = cur
				s.newSection = true
			}
			// Numbers count the malformed events left out, as sysdig's do.
			s.num = s.base + s.ev.Num
			s.ev.Num = s.num
			return &s.ev, nil
		}
		if err != io.EOF {
			s.err = fmt.Errorf("%s: %w", s.paths[s.cur], err)
			return nil, s.err
		}
		if err := s.openNext(); err != nil {
			s.err = err
			return nil, err
		}
	}
}

// Malformed returns how many events could not be decoded and were left
// out (the read goes on after them, as sysdig's does) and the error of the
// first.
func (s *Source) Malformed() (uint64, error) {
	n, err := s.bad, s.badErr
	if s.rd != nil {
		m, e := s.rd.Malformed()
		n += m
		if err == nil && e != nil {
			err = fmt.Errorf("%s: %w", s.Path(), e)
		}
	}
	return n, err
}

// Stats reports the events delivered and the bytes read (uncompressed).
func (s *Source) Stats() capture.Stats {
	b := s.bytes
	if s.rd != nil {
		b += uint64(s.rd.Offset())
	}
	return capture.Stats{Events: s.num, Bytes: b}
}

// Close closes the open file.
func (s *Source) Close() error {
	if s.rd != nil {
		s.rd.Close()
		err := s.f.Close()
		s.rd, s.f = nil, nil
		return err
	}
	return nil
}
