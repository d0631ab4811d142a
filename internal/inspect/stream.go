// SPDX-License-Identifier: Apache-2.0

package inspect

import (
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	natsexp "github.com/ferret-observability/ferret/internal/export/nats"
)

// natsConn are the connection options of the command line.
func (c *Config) natsConn() capnats.ConnOptions {
	n := &c.NATS
	return capnats.ConnOptions{Creds: n.Creds, TLSCA: n.TLSCA, TLSCert: n.TLSCert, TLSKey: n.TLSKey}
}

// openStreamWriter connects the -w nats://... writer before the capture
// starts, so that a bad address or credentials fail first.
func (s *Session) openStreamWriter() error {
	cfg := s.cfg
	t, err := capnats.ParseURL(cfg.Write)
	if err != nil {
		return Fail(1, "ferret: %s", err)
	}
	n := &cfg.NATS
	o := natsexp.Options{
		Target: t, Conn: cfg.natsConn(), Stream: n.Stream, MaxAge: n.MaxAge, MaxBytes: n.MaxBytes,
		Spool: n.Spool, SpoolMax: n.SpoolMax, Seconds: int(cfg.Seconds), SizeMB: int(cfg.FileSize),
		Fat: cfg.FatFile, Report: s.stderr,
	}
	if cfg.JSON {
		// -j: one JSON event per message, for consumers other than ferret
		sink, err := natsexp.OpenJSON(o, s.format, cfg.Debug)
		if err != nil {
			return Fail(1, "ferret: %s", err)
		}
		s.streamSink = sink
		return nil
	}
	sink, err := natsexp.Open(o)
	if err != nil {
		return Fail(1, "ferret: %s", err)
	}
	s.streamSink = sink
	return nil
}

// runStream reads a capture back from a stream (-r nats://...).
func (s *Session) runStream(addr string) error {
	cfg := s.cfg
	t, err := capnats.ParseURL(addr)
	if err != nil {
		return Fail(1, "ferret: %s", err)
	}
	src, err := capnats.Open(t, capnats.ReadOptions{Conn: cfg.natsConn(), Since: cfg.NATS.Since, Follow: cfg.NATS.Follow})
	if err != nil {
		return Fail(1, "ferret: %s", err)
	}
	defer src.Close()
	err = s.loop(src, false)
	if n, first := src.Malformed(); n > 0 {
		s.warnf("%d malformed event(s) skipped; the first: %v", n, first)
	}
	if bad, orphans := src.Lost(); bad+orphans > 0 {
		s.warnf("%d message(s) of the stream left out (%d without Ferret headers, %d whose predecessor is missing)", bad+orphans, bad, orphans)
	}
	return err
}
