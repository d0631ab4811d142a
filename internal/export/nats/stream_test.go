// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// rec is what a test compares of an event.
type rec struct {
	ts   uint64
	tid  int64
	typ  event.Type
	raw  string
	host string
}

func trace(t *testing.T, name string) string {
	return testutil.Reference(t, "traces", name)
}

// fileEvents reads a capture file's events.
func fileEvents(t *testing.T, path string) []rec {
	t.Helper()
	src, err := file.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []rec
	for {
		ev, err := src.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec{ev.TS, ev.TID, ev.Type, string(ev.Raw), src.Snapshot().Machine.Hostname})
	}
}

// hooked calls a function before the source returns event n (counting
// from 1), to act on the server in the middle of a stream.
type hooked struct {
	capture.Source
	n    int
	at   map[int]func()
	sink *Sink
	wait map[int]bool // before event n, wait until every message was acknowledged
}

func (h *hooked) Next() (*event.Event, error) {
	h.n++
	if f := h.at[h.n]; f != nil {
		f()
	}
	if h.wait[h.n] {
		for h.sink.Pending() > 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	return h.Source.Next()
}

// stream writes a capture file to subject through the engine and Sink.
func stream(t *testing.T, o Options, path string, at map[int]func()) PublishStats {
	return streamWait(t, o, path, at, nil)
}

// streamWait is stream, waiting before the events of wait until the
// writer has no message left unacknowledged.
func streamWait(t *testing.T, o Options, path string, at map[int]func(), wait map[int]bool) PublishStats {
	t.Helper()
	src, err := file.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sink, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	var s capture.Source = src
	if at != nil || wait != nil {
		s = &hooked{Source: src, at: at, sink: sink, wait: wait}
	}
	r := engine.New(s, engine.Options{}, sink)
	if err := r.Loop(); err != nil {
		t.Fatal(err)
	}
	return sink.Stats()
}

// readBack reads a subject (or wildcard) back as the engine sees it.
func readBack(t *testing.T, url, subject string, o capnats.ReadOptions) []rec {
	t.Helper()
	tg, err := capnats.ParseURL(url + "/" + subject)
	if err != nil {
		t.Fatal(err)
	}
	src, err := capnats.Open(tg, o)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []rec
	c := &collect{out: &out}
	r := engine.New(src, engine.Options{}, c)
	if err := r.Loop(); err != nil {
		t.Fatal(err)
	}
	if bad, orphans := src.Lost(); bad+orphans > 0 {
		t.Errorf("%d malformed and %d orphaned messages", bad, orphans)
	}
	return out
}

type collect struct{ out *[]rec }

func (collect) OnCaptureStart(*engine.Run) error { return nil }
func (collect) OnCaptureEnd(*engine.Run) error   { return nil }
func (c collect) OnEvent(ctx *fields.Ctx) error {
	ev := ctx.Ev
	*c.out = append(*c.out, rec{ev.TS, ev.TID, ev.Type, string(ev.Raw), ctx.State.Machine().Hostname})
	return nil
}

func same(t *testing.T, got, want []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d events read back, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("event %d: got ts %d tid %d type %d host %q, want ts %d tid %d type %d host %q (raw equal: %v)", i+1,
				got[i].ts, got[i].tid, got[i].typ, got[i].host, want[i].ts, want[i].tid, want[i].typ, want[i].host, got[i].raw == want[i].raw)
		}
	}
}

// TestStreamRoundTrip writes a capture file to JetStream in small
// messages and reads back the same events, with state.
func TestStreamRoundTrip(t *testing.T) {
	srv := testutil.StartNATS(t)
	path := trace(t, "sample.scap")
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.one")
	st := stream(t, Options{Target: tg, BatchBytes: 2 << 10}, path, nil)
	want := fileEvents(t, path)
	if st.DroppedMessages != 0 || st.Events != uint64(len(want)) || st.Messages < 10 {
		t.Errorf("publisher stats %+v; want %d events in at least 10 messages, none dropped", st, len(want))
	}
	same(t, readBack(t, srv.URL, "ferret.one", capnats.ReadOptions{}), want)
}

// TestStreamMerge reads two machines' captures written to two subjects
// back merged by time, each event with its machine's name and state.
func TestStreamMerge(t *testing.T) {
	srv := testutil.StartNATS(t)
	a, b := trace(t, "sample.scap"), trace(t, "curl_google.scap")
	for subj, p := range map[string]string{"ferret.a": a, "ferret.b": b} {
		tg, _ := capnats.ParseURL(srv.URL + "/" + subj)
		stream(t, Options{Target: tg, BatchBytes: 4 << 10}, p, nil)
	}
	want := append(fileEvents(t, a), fileEvents(t, b)...)
	sortRecs(want)
	got := readBack(t, srv.URL, "ferret.>", capnats.ReadOptions{})
	same(t, got, want)
}

func sortRecs(r []rec) {
	// stable by time: equal times keep file order
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j].ts < r[j-1].ts; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

// TestStreamServerRestart kills the server in the middle of a stream and
// starts it again later: the writer keeps the messages (in memory, then in
// the spool), sends them again, and the reader gets every event once.
func TestStreamServerRestart(t *testing.T) {
	srv := testutil.StartNATS(t)
	path := trace(t, "sample.scap")
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.restart")
	spool := t.TempDir()
	o := Options{Target: tg, BatchBytes: 2 << 10, MemMax: 8 << 10, Spool: spool, DrainWait: time.Minute}
	// Before event 150 the server dies; before event 300 it is back.
	st := stream(t, o, path, map[int]func(){150: srv.Kill, 300: srv.Start})
	want := fileEvents(t, path)
	if st.DroppedMessages != 0 || st.Left != 0 {
		t.Errorf("dropped or left messages: %+v", st)
	}
	if st.Spooled == 0 {
		t.Errorf("nothing went through the spool: %+v", st)
	}
	if left, _ := filepath.Glob(filepath.Join(spool, "*")); len(left) > 0 {
		t.Errorf("spool not empty: %v", left)
	}
	same(t, readBack(t, srv.URL, "ferret.restart", capnats.ReadOptions{}), want)
}

// TestStreamDropsCounted: with the server down to the end and small
// bounds, what could not be kept is counted and reported.
func TestStreamDropsCounted(t *testing.T) {
	srv := testutil.StartNATS(t)
	path := trace(t, "sample.scap")
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.drops")
	var report bytes.Buffer
	o := Options{Target: tg, BatchBytes: 2 << 10, MemMax: 4 << 10, DrainWait: time.Millisecond, Report: &report}
	st := stream(t, o, path, map[int]func(){10: srv.Kill})
	if st.DroppedMessages == 0 || st.DroppedEvents == 0 || st.Events+st.DroppedEvents < uint64(len(fileEvents(t, path)))-10 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(report.String(), "dropped") {
		t.Errorf("report %q", report.String())
	}
}

// TestStreamSince starts each writer at its last snapshot before --since:
// the events before it feed the state only.
func TestStreamSince(t *testing.T) {
	srv := testutil.StartNATS(t)
	path := trace(t, "curl_google.scap")
	want := fileEvents(t, path)
	// A section every second of events.
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.since")
	stream(t, Options{Target: tg, BatchBytes: 2 << 10, Seconds: 1}, path, nil)
	mid := want[len(want)/2].ts
	got := readBack(t, srv.URL, "ferret.since", capnats.ReadOptions{Since: time.Unix(0, int64(mid))})
	var tail []rec
	for _, r := range want {
		if r.ts >= mid {
			tail = append(tail, r)
		}
	}
	same(t, got, tail)
}

// TestStreamErrors: every bad setting names the problem.
func TestStreamErrors(t *testing.T) {
	srv := testutil.StartNATS(t, "--user", "ferret", "--pass", "secret")
	host := strings.TrimPrefix(srv.URL, "nats://")
	for _, tc := range []struct{ url, want string }{
		{"nats://ferret:wrong@" + host + "/ferret.x", "authorization"},
		{"nats://" + host + "/ferret.x", "authorization"},
		{"http://" + host + "/x", "scheme"},
		{"nats:///x", "no host"},
		{"nats://ferret:secret@" + host + "/ferret.*", "wildcards"},
	} {
		tg, err := capnats.ParseURL(tc.url)
		if err == nil {
			_, err = Open(Options{Target: tg})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.url, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "wrong") {
			t.Errorf("%s: the password shows in %v", tc.url, err)
		}
	}
	// unreachable: a port nothing listens on any more
	srv.Stop()
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.x")
	if _, err := Open(Options{Target: tg}); err == nil || !strings.Contains(err.Error(), "no server reachable") {
		t.Errorf("unreachable server: %v", err)
	}
	if _, err := capnats.Open(tg, capnats.ReadOptions{}); err == nil || !strings.Contains(err.Error(), "no server reachable") {
		t.Errorf("unreachable server, reading: %v", err)
	}
	// a missing credentials file
	if _, err := Open(Options{Target: tg, Conn: capnats.ConnOptions{Creds: filepath.Join(t.TempDir(), "none.creds")}}); err == nil || !errors.Is(err, os.ErrNotExist) && !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing credentials file: %v", err)
	}
}

// until collects events and stops the run once it has n of them.
type until struct {
	n   int
	out []rec
}

func (*until) OnCaptureStart(*engine.Run) error { return nil }
func (*until) OnCaptureEnd(*engine.Run) error   { return nil }
func (u *until) OnEvent(ctx *fields.Ctx) error {
	ev := ctx.Ev
	u.out = append(u.out, rec{ev.TS, ev.TID, ev.Type, string(ev.Raw), ctx.State.Machine().Hostname})
	if len(u.out) == u.n {
		return engine.ErrStop
	}
	return nil
}

// TestStreamFollow: with Follow, the reader keeps going and picks up the
// messages and subjects that arrive after it started.
func TestStreamFollow(t *testing.T) {
	srv := testutil.StartNATS(t)
	a, b := trace(t, "sample.scap"), trace(t, "curl_google.scap")
	tga, _ := capnats.ParseURL(srv.URL + "/ferret.f1")
	stream(t, Options{Target: tga, BatchBytes: 4 << 10}, a, nil)
	wa, wb := fileEvents(t, a), fileEvents(t, b)
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.>")
	src, err := capnats.Open(tg, capnats.ReadOptions{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	u := &until{n: len(wa) + len(wb)}
	done := make(chan error, 1)
	go func() { done <- engine.New(src, engine.Options{}, u).Loop() }()
	tgb, _ := capnats.ParseURL(srv.URL + "/ferret.f2")
	stream(t, Options{Target: tgb, BatchBytes: 4 << 10}, b, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var ga, gb []rec
	for _, r := range u.out {
		if r.host == wa[0].host {
			ga = append(ga, r)
		} else {
			gb = append(gb, r)
		}
	}
	same(t, ga, wa)
	same(t, gb, wb)
}

// TestStreamResumeAfterDrops: when the bounds overflowed while the server
// was down, the writer resumes with a new snapshot once there is room, and
// the stream reads back as a subsequence of the capture that ends with its
// last events, each with its state.
func TestStreamResumeAfterDrops(t *testing.T) {
	srv := testutil.StartNATS(t)
	path := trace(t, "sample.scap")
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.resume")
	o := Options{Target: tg, BatchBytes: 1 << 10, MemMax: 8 << 10, DrainWait: time.Minute}
	// The first snapshot is delivered, the server dies before event 20
	// and comes back before event 200, where the writer catches up; it
	// resumes with a new snapshot (larger than the memory bound, kept
	// whole), delivered before event 202; from then on the source waits
	// for the acknowledgements every 10 events, as a slower capture would.
	wait := map[int]bool{2: true, 200: true, 202: true}
	for i := 210; i < 1000; i += 10 {
		wait[i] = true
	}
	st := streamWait(t, o, path, map[int]func(){20: srv.Kill, 200: srv.Start}, wait)
	if st.DroppedMessages == 0 {
		t.Fatalf("nothing dropped: %+v", st)
	}
	want := fileEvents(t, path)
	got := readBack(t, srv.URL, "ferret.resume", capnats.ReadOptions{})
	if len(got) == 0 || len(got) >= len(want) || got[len(got)-1] != want[len(want)-1] {
		t.Fatalf("read back %d of %d events; writer %+v", len(got), len(want), st)
	}
	j := 0
	for i, r := range got {
		for j < len(want) && want[j] != r {
			j++
		}
		if j == len(want) {
			t.Fatalf("event %d read back is not in the capture (or out of order)", i+1)
		}
		j++
	}
}

// TestStreamPermissions: what the server's permissions refuse (the
// JetStream API, creating the stream, publishing to the subject) is named
// in the error.
func TestStreamPermissions(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "auth.conf")
	os.WriteFile(conf, []byte(`accounts: {
  A: {
    jetstream: enabled
    users: [
      {user: admin, password: a}
      {user: nojs, password: x, permissions: {publish: {deny: ["$JS.API.>"]}, subscribe: {allow: ["_INBOX.>"]}}}
      {user: nocreate, password: x, permissions: {publish: {allow: ["$JS.API.INFO", "$JS.API.STREAM.NAMES", "ferret.>"]}, subscribe: {allow: ["_INBOX.>"]}}}
      {user: nopub, password: x, permissions: {publish: {allow: ["$JS.API.>"], deny: ["ferret.>"]}, subscribe: {allow: ["_INBOX.>"]}}}
    ]
  }
}
`), 0o600)
	srv := testutil.StartNATS(t, "-c", conf)
	host := strings.TrimPrefix(srv.URL, "nats://")
	path := trace(t, "sample.scap")
	for _, tc := range []struct{ user, subject, want string }{
		{"nojs", "ferret.x", `Permissions Violation for Publish to "$JS.API.INFO"`},
		{"nocreate", "ferret.x", `Permissions Violation for Publish to "$JS.API.STREAM.CREATE.FERRET"`},
	} {
		tg, _ := capnats.ParseURL("nats://" + tc.user + ":x@" + host + "/" + tc.subject)
		if _, err := Open(Options{Target: tg, Conn: capnats.ConnOptions{Timeout: time.Second}}); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: %v, want an error naming %s", tc.user, err, tc.want)
		}
	}
	// The stream exists (made by admin) but nopub may not publish to it.
	tg, _ := capnats.ParseURL("nats://admin:a@" + host + "/ferret.x")
	stream(t, Options{Target: tg}, path, nil)
	tg, _ = capnats.ParseURL("nats://nopub:x@" + host + "/ferret.x")
	sink, err := Open(Options{Target: tg, BatchBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := file.Open(path)
	defer src.Close()
	err = engine.New(src, engine.Options{}, sink).Loop()
	if err == nil || !strings.Contains(err.Error(), `Permissions Violation for Publish to "ferret.x"`) {
		t.Errorf("publishing refused: %v", err)
	}
	if st := sink.Stats(); st.DroppedEvents == 0 {
		t.Errorf("refused events not counted as dropped: %+v", st)
	}
}

// TestStreamSpoolNextRun: what the server did not acknowledge before the
// end stays in the spool and the next run with the same spool sends it
// first; the subject reads back as both captures, whole, one after the
// other.
func TestStreamSpoolNextRun(t *testing.T) {
	srv := testutil.StartNATS(t)
	a, b := trace(t, "sample.scap"), trace(t, "curl_google.scap")
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.host")
	spool := t.TempDir()
	o := Options{Target: tg, BatchBytes: 2 << 10, MemMax: 8 << 10, Spool: spool, DrainWait: time.Millisecond}
	st := stream(t, o, a, map[int]func(){50: srv.Kill})
	if st.DroppedMessages != 0 || st.Left == 0 {
		t.Fatalf("first run: %+v, want messages left in the spool and none dropped", st)
	}
	srv.Start()
	o.DrainWait = time.Minute
	st = stream(t, o, b, nil)
	if st.DroppedMessages != 0 || st.Left != 0 {
		t.Fatalf("second run: %+v", st)
	}
	if left, _ := filepath.Glob(filepath.Join(spool, "*")); len(left) > 0 {
		t.Errorf("spool not empty: %v", left)
	}
	same(t, readBack(t, srv.URL, "ferret.host", capnats.ReadOptions{}), append(fileEvents(t, a), fileEvents(t, b)...))
}

// TestStreamMessagesWithinMaxPayload writes to a server whose max_payload
// is smaller than the section's snapshot and than a batch: blocks are split
// across messages the server accepts, and the subject reads back whole.
func TestStreamMessagesWithinMaxPayload(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "small.conf")
	if err := os.WriteFile(conf, []byte("max_payload: 16384\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testutil.StartNATS(t, "-c", conf)
	path := trace(t, "sample.scap")
	tg, _ := capnats.ParseURL(srv.URL + "/ferret.small")
	st := stream(t, Options{Target: tg}, path, nil)
	want := fileEvents(t, path)
	if st.DroppedMessages != 0 || st.Events != uint64(len(want)) {
		t.Errorf("publisher stats %+v; want %d events, none dropped", st, len(want))
	}
	if fi, err := os.Stat(path); err == nil && st.Messages < uint64(fi.Size()/16384) {
		t.Errorf("%d messages for a %d-byte capture: larger than max_payload?", st.Messages, fi.Size())
	}
	same(t, readBack(t, srv.URL, "ferret.small", capnats.ReadOptions{}), want)
}
