// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"io"
	"strconv"
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// TimeMode selects the timestamp printed before each line.
type TimeMode uint8

// Timestamp modes (strace -t, -tt, -ttt).
const (
	TimeNone  TimeMode = iota
	TimeSec            // 15:04:05
	TimeUsec           // 15:04:05.000000
	TimeEpoch          // 1700000000.000000
)

// Options configure a Tracer.
type Options struct {
	Out       io.Writer // lines (and the -c table)
	Follow    bool      // -f: trace children; prefix lines with [pid N]
	Durations bool      // -T
	Time      TimeMode  // -t, -tt, -ttt
	Summary   bool      // -c: count instead of printing calls
	Set       *Set      // -e trace=; nil traces everything
	StrSize   int       // -s; 0 means DefaultStrSize
	Location  *time.Location
}

// thread is the per-task state of a traced task.
type thread struct {
	pid      int64 // thread group id
	enterBuf []byte
	enter    event.Event
	hasEnter bool
	// execing is set from the held command's execve until its first other
	// call: signals delivered then were raised by the helper's runtime
	// before the program replaced it, and are not shown.
	execing bool
}

// Tracer turns events of the traced tasks into strace output. Feed it every
// event of the capture with Handle; events of tasks it does not trace are
// ignored. It is not safe for concurrent use.
type Tracer struct {
	opts    Options
	threads map[int64]*thread
	root    int64 // held command waiting for its execve; 0 when armed
	rootPID int64
	sum     *Summary
	line    []byte
	exited  bool
	status  int // exit status of the root process (128+sig when killed)
	err     error
}

// New returns a tracer.
func New(opts Options) *Tracer {
	if opts.StrSize <= 0 {
		opts.StrSize = DefaultStrSize
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	t := &Tracer{opts: opts, threads: make(map[int64]*thread)}
	if opts.Summary {
		t.sum = NewSummary()
	}
	return t
}

// Hold tells the tracer that pid is a command started by StartHeld: its
// events are ignored until it calls execve, so the helper that held it
// leaves no trace.
func (t *Tracer) Hold(pid int64) { t.root, t.rootPID = pid, pid }

// Attach traces task tid (of process pid) from now on (strace -p).
func (t *Tracer) Attach(pid, tid int64) {
	if t.rootPID == 0 {
		t.rootPID = pid
	}
	if t.threads[tid] == nil {
		t.threads[tid] = &thread{pid: pid}
	}
}

// Live returns the number of traced tasks still running.
func (t *Tracer) Live() int { return len(t.threads) }

// Exited reports whether the root process has exited, and its status.
func (t *Tracer) Exited() (status int, ok bool) { return t.status, t.exited }

// Summary returns the -c counters (nil without Options.Summary).
func (t *Tracer) Summary() *Summary { return t.sum }

// Err returns the first write error.
func (t *Tracer) Err() error { return t.err }

func isCloneExit(ty event.Type) bool {
	switch ty.Name() {
	case "clone", "fork", "vfork", "clone3":
		return !ty.IsEnter()
	}
	return false
}

func isProcExit(ty event.Type) bool { return ty == event.ProcExit1E || ty == 16 }

// Handle processes one event.
func (t *Tracer) Handle(ev *event.Event) {
	th := t.threads[ev.TID]
	if th == nil {
		th = t.adopt(ev)
		if th == nil {
			return
		}
	}
	switch {
	case isProcExit(ev.Type):
		t.procExit(ev, th)
	case ev.Type == event.SignalDelivE:
		if !th.execing {
			t.signal(ev, th)
		}
	case ev.Type.IsEnter():
		if th.execing && ev.Type.Name() != "execve" {
			th.execing = false
		}
		th.enterBuf = append(th.enterBuf[:0], ev.Raw...)
		if th.enter.Decode(th.enterBuf) == nil {
			th.enter.TID = ev.TID
			th.hasEnter = true
		}
	default:
		var enter *event.Event
		if th.hasEnter && (th.enter.Type+1 == ev.Type) {
			enter = &th.enter
		}
		th.hasEnter = false
		t.complete(th, enter, ev)
		if t.opts.Follow && isCloneExit(ev.Type) {
			if child, ok := ev.Int(0); ok && child > 0 && t.threads[child] == nil {
				pid := child
				if isThreadClone(ev) {
					pid = th.pid
				}
				t.threads[child] = &thread{pid: pid}
			}
		}
	}
}

// isThreadClone reports whether a clone exit created a thread.
func isThreadClone(ev *event.Event) bool {
	i := ev.ParamIndex("flags")
	if i < 0 {
		return false
	}
	f, _ := ev.Uint(i)
	for _, n := range ev.Info().Params[i].Flags {
		if n.Name == "CLONE_THREAD" {
			return f&uint64(n.Value) != 0
		}
	}
	return false
}

// adopt decides whether an event of an unknown task starts tracing it.
func (t *Tracer) adopt(ev *event.Event) *thread {
	if t.root != 0 && ev.TID == t.root && ev.Type.IsEnter() && ev.Type.Name() == "execve" {
		th := &thread{pid: t.root, execing: true}
		t.threads[ev.TID] = th
		t.root = 0
		return th
	}
	if t.opts.Follow && isCloneExit(ev.Type) {
		if res, ok := ev.Int(0); ok && res == 0 {
			ptid, pid := int64(-1), ev.TID
			if i := ev.ParamIndex("ptid"); i >= 0 {
				ptid, _ = ev.Int(i)
			}
			if i := ev.ParamIndex("pid"); i >= 0 {
				pid, _ = ev.Int(i)
			}
			if _, ok := t.threads[ptid]; ok {
				th := &thread{pid: pid}
				t.threads[ev.TID] = th
				return th
			}
		}
	}
	return nil
}

// complete handles a finished call.
func (t *Tracer) complete(th *thread, enter, exit *event.Event) {
	c := call{enter: enter, exit: exit}
	c.name = syscallName(enter, exit)
	if !t.opts.Set.Has(c.name) {
		return
	}
	var lat uint64
	if enter != nil && exit.TS >= enter.TS {
		lat = exit.TS - enter.TS
	}
	if t.sum != nil {
		v, _, ok := c.res()
		t.sum.Add(c.name, lat, ok && v < 0 && v >= -4095)
		return
	}
	if isCloneExit(exit.Type) && enter == nil {
		// The child's side of fork/clone: strace shows only the parent's.
		if v, _, ok := c.res(); ok && v == 0 {
			return
		}
	}
	ts := exit.TS
	if enter != nil {
		ts = enter.TS
	}
	b := t.prefix(exit.TID, ts)
	b = append(b, c.name...)
	b = append(b, '(')
	r := renderer{b: b, strSize: t.opts.StrSize}
	r.args(&c)
	b = append(r.b, ')')
	b = pad(b)
	b = append(b, "= "...)
	b = appendResult(b, &c)
	if t.opts.Durations && enter != nil {
		b = appendDuration(b, lat)
	}
	t.write(append(b, '\n'))
}

// pad aligns the " = " of a call line at column 40, as strace does; the
// column counts the whole line.
func pad(b []byte) []byte {
	for col := len(b); col < 39; col++ {
		b = append(b, ' ')
	}
	return append(b, ' ')
}

func appendDuration(b []byte, ns uint64) []byte {
	b = append(b, " <"...)
	b = strconv.AppendUint(b, ns/1e9, 10)
	b = append(b, '.')
	us := (ns % 1e9) / 1e3
	s := strconv.FormatUint(us, 10)
	for i := len(s); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, s...)
	return append(b, '>')
}

// prefix starts a line: "[pid N] " when following several tasks, then the
// timestamp.
func (t *Tracer) prefix(tid int64, ts uint64) []byte {
	b := t.line[:0]
	if t.opts.Follow && len(t.threads) > 1 {
		b = append(b, "[pid "...)
		s := strconv.FormatInt(tid, 10)
		for i := len(s); i < 5; i++ {
			b = append(b, ' ')
		}
		b = append(b, s...)
		b = append(b, "] "...)
	}
	if t.opts.Time != TimeNone {
		tm := time.Unix(0, int64(ts)).In(t.opts.Location)
		switch t.opts.Time {
		case TimeSec:
			b = tm.AppendFormat(b, "15:04:05")
		case TimeUsec:
			b = tm.AppendFormat(b, "15:04:05.000000")
		case TimeEpoch:
			b = strconv.AppendInt(b, int64(ts/1e9), 10)
			b = append(b, '.')
			us := strconv.FormatUint((ts%1e9)/1e3, 10)
			for i := len(us); i < 6; i++ {
				b = append(b, '0')
			}
			b = append(b, us...)
		}
		b = append(b, ' ')
	}
	return b
}

func (t *Tracer) write(b []byte) {
	t.line = b[:0]
	if t.err != nil {
		return
	}
	if _, err := t.opts.Out.Write(b); err != nil {
		t.err = err
	}
}

// procExit prints the unfinished exit call and "+++ exited with N +++".
func (t *Tracer) procExit(ev *event.Event, th *thread) {
	code, sig, core := int64(0), uint64(0), false
	if ev.NParams >= 3 {
		code, _ = ev.Int(1)
		sig, _ = ev.Uint(2)
		if c, ok := ev.Uint(3); ok {
			core = c != 0
		}
	} else if st, ok := ev.Int(0); ok {
		code, sig = (st>>8)&0xff, uint64(st&0x7f)
	}
	leader := ev.TID == th.pid
	if t.sum == nil {
		if th.hasEnter {
			c := call{enter: &th.enter}
			c.name = syscallName(&th.enter, nil)
			if (c.name == "exit_group" || c.name == "exit") && t.opts.Set.Has(c.name) {
				b := t.prefix(ev.TID, th.enter.TS)
				b = append(b, c.name...)
				b = append(b, '(')
				b = strconv.AppendInt(b, code, 10)
				b = append(b, ')')
				b = pad(b)
				t.write(append(b, "= ?\n"...))
			}
		}
		if leader {
			b := t.prefix(ev.TID, ev.TS)
			if sig != 0 {
				b = append(b, "+++ killed by "...)
				b = append(b, signalName(sig)...)
				if core {
					b = append(b, " (core dumped)"...)
				}
				b = append(b, " +++\n"...)
			} else {
				b = append(b, "+++ exited with "...)
				b = strconv.AppendInt(b, code, 10)
				b = append(b, " +++\n"...)
			}
			t.write(b)
		}
	}
	if leader && th.pid == t.rootPID {
		t.exited = true
		if sig != 0 {
			t.status = 128 + int(sig)
		} else {
			t.status = int(code)
		}
	}
	delete(t.threads, ev.TID)
}

// signal prints "--- SIGCHLD {si_signo=SIGCHLD} ---" for a delivered signal.
func (t *Tracer) signal(ev *event.Event, th *thread) {
	if t.sum != nil {
		return
	}
	sig, ok := ev.Uint(2)
	if !ok || sig == 0 {
		return
	}
	b := t.prefix(ev.TID, ev.TS)
	name := signalName(sig)
	b = append(b, "--- "...)
	b = append(b, name...)
	b = append(b, " {si_signo="...)
	b = append(b, name...)
	if spid, ok := ev.Int(0); ok && spid > 0 {
		b = append(b, ", si_pid="...)
		b = strconv.AppendInt(b, spid, 10)
	}
	b = append(b, "} ---\n"...)
	t.write(b)
}

// Finish writes the -c table (when counting) and returns the first write
// error.
func (t *Tracer) Finish() error {
	if t.sum != nil && t.err == nil {
		if _, err := t.sum.WriteTo(t.opts.Out); err != nil {
			t.err = err
		}
	}
	return t.err
}
