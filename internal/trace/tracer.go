// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"io"
	"slices"
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

// Status selects calls by result (strace -e status=): StatusAll, or the
// set of results shown.
type Status uint8

// Call result filters.
const (
	StatusAll         Status = 0
	StatusOK          Status = 1 << (iota - 1) // -z: successful calls
	StatusFailed                               // -Z: failed calls
	StatusUnfinished                           // calls that never returned ("= ?")
	StatusUnavailable                          // calls whose result could not be read (none here)
	StatusDetached                             // calls running when the tracer detached (none here)
	StatusNone                                 // no call (-e status=none)
)

// Options configure a Tracer.
type Options struct {
	Out       io.Writer // lines (and the -c table)
	Follow    bool      // -f: trace children; prefix lines with [pid N]
	PIDPrefix bool      // prefix every line with "PID " (-o FILE with -f, or several -p)
	Durations bool      // -T
	Time      TimeMode  // -t, -tt, -ttt
	Summary   bool      // -c: count instead of printing calls
	// SummaryToo prints the calls and the -c table (-C).
	SummaryToo bool
	// SortBy orders the -c table (-S).
	SortBy SortBy
	// DecodeFDs shows the path behind descriptors (-y).
	DecodeFDs bool
	// FDDetails adds device numbers and socket ends (-yy; with DecodeFDs).
	FDDetails bool
	// ReadFDs and WriteFDs dump the data read from and written to these
	// descriptors in hex under the call line (-e read=, -e write=).
	ReadFDs, WriteFDs *FDSet
	// Status keeps only successful (StatusOK, -z) or failed (StatusFailed,
	// -Z) calls.
	Status Status
	// Signals lists the signals whose "--- SIG..." lines are shown
	// (-e signal=); nil shows every signal.
	Signals map[int]bool
	// Quiet suppresses the "+++ exited" and "+++ killed" lines from 2
	// (-qq).
	Quiet int
	// Relative prefixes lines with the time since the previous line (-r).
	Relative bool
	// Hex shows strings with non-printable bytes (1, -x) or all strings
	// (2, -xx) as \x escapes.
	Hex int
	// Limit stops tracing after this many calls (--syscall-limit); 0 means
	// no limit.
	Limit int
	// Separate, when set, gives the writer of each task's lines (-ff:
	// FILE.TID); Out then only receives the -c table.
	Separate func(tid int64) io.Writer
	// ConstStyle prints named constants as names, numbers or both (-X).
	ConstStyle ConstStyle
	// Raw lists the syscalls whose arguments and result are shown in hex
	// (-e raw=); nil: none.
	Raw *Set
	// Verbose lists the syscalls whose structs are decoded (-e
	// verbose=); the others show their addresses. nil: all.
	Verbose *Set
	// Abbrev lists the syscalls whose structs and arrays are abbreviated
	// (-e abbrev=; -v is abbrev=none); nil: all.
	Abbrev *Set
	// Stack prints the user call stack of each call under its line
	// (-k, stack.go).
	Stack    bool
	Set      *Set // -e trace=; nil traces everything
	StrSize  int  // -s; 0 means DefaultStrSize
	Location *time.Location
}

// thread is the per-task state of a traced task.
type thread struct {
	pid      int64 // thread group id
	enterBuf []byte
	enter    event.Event
	hasEnter bool
	// unfinished is set once "<unfinished ...>" was printed for the
	// pending call: its exit prints a "<... resumed>" line.
	unfinished bool
	// execing is set from the held command's execve until its first other
	// call: a SIGURG delivered then was raised by the helper's Go runtime
	// (its preemption signal) before the program replaced it, and is not
	// shown. Other signals are the program's: with -e trace= filtered in
	// the kernel, the first call seen may come long after.
	execing bool
	// orphan is set for a child seen before its parent's clone returned
	// (its own return from the clone came first).
	orphan bool
	// multi records whether several tasks were traced when the pending
	// call entered: strace starts its line then, "[pid N] " included.
	multi bool
}

// Tracer turns the raw syscall records (event.RawSyscall) and the process
// exit and signal events of the traced tasks into strace output. Feed it
// every event of the capture with Handle; events of tasks it does not
// trace are ignored. It is not safe for concurrent use.
type Tracer struct {
	opts    Options
	threads map[int64]*thread
	root    int64 // held command waiting for its execve; 0 when armed
	rootPID int64
	sum     *Summary
	line    []byte
	open    int64  // task whose call line strace would have open, 0 if none
	calls   int    // calls completed (for Limit)
	lineTID int64  // task of the line being written
	lastTS  uint64 // time of the previous line (-r)
	call    rcall
	r       renderer
	// early holds children that exited before their parent's clone
	// returned (a vfork parent resumes after its child's exec, so possibly
	// after its exit): that return must not trace them again.
	early map[int64]bool
	// leaderExit holds the "+++ exited" line of a process's main thread
	// that exited before its other threads: strace reports the main thread
	// once the whole group is gone (the kernel reaps it last).
	leaderExit map[int64]taskExit
	fdt        map[int64]*fdTable // descriptors by process with -y
	stk        *stacks            // -k
	exited     bool
	status     int // exit status of the root process (128+sig when killed)
	err        error
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
	if opts.Summary || opts.SummaryToo {
		t.sum = NewSummary(opts.SortBy)
	}
	if opts.DecodeFDs {
		t.fdt = map[int64]*fdTable{}
	}
	if opts.Stack {
		t.stk = newStacks()
	}
	return t
}

// Hold tells the tracer that pid is a command started by held.Start: its
// events are ignored until it calls execve, so the helper that held it
// leaves no trace.
func (t *Tracer) Hold(pid int64) { t.root, t.rootPID = pid, pid }

// Attach traces task tid (of process pid) from now on (strace -p).
func (t *Tracer) Attach(pid, tid int64) {
	if t.rootPID == 0 {
		t.rootPID = pid
	}
	if t.fdt != nil && t.fdt[pid] == nil {
		t.loadFDs(pid, -1)
	}
	if t.threads[tid] == nil {
		t.threads[tid] = &thread{pid: pid}
	}
}

// Traced reports whether task tid is still traced.
func (t *Tracer) Traced(tid int64) bool { return t.threads[tid] != nil }

// Live returns the number of traced tasks still running.
func (t *Tracer) Live() int { return len(t.threads) }

// Exited reports whether the root process has exited, and its status.
func (t *Tracer) Exited() (status int, ok bool) { return t.status, t.exited }

var nrExecve, nrExecveat = nativeNr("execve"), nativeNr("execveat")

func nativeNr(name string) int {
	nr, ok := event.NativeNumber(name)
	if !ok {
		return -1
	}
	return nr
}

// isClone reports whether a syscall name creates a task.
func isClone(name string) bool {
	switch name {
	case "clone", "clone3", "fork", "vfork":
		return true
	}
	return false
}

// exitName names the syscall of a raw exit record by its portable code.
func exitName(ev *event.Event) string {
	c, ok := ev.Uint(0)
	if !ok {
		return ""
	}
	return event.SyscallCodeName(uint16(c))
}

func isProcExit(ty event.Type) bool { return ty == event.ProcExit1E || ty == event.EvProcexitE }

// enterNr returns the native number of a raw enter record.
func enterNr(ev *event.Event) int {
	if ev.Type != event.GenericE || ev.NParams < event.RawEnterCopies {
		return -1
	}
	nr, _ := ev.Uint(event.RawEnterNr)
	return int(nr)
}

// Handle processes one event.
func (t *Tracer) Handle(ev *event.Event) {
	th := t.threads[ev.TID]
	if th == nil {
		th = t.adopt(ev)
		if th == nil {
			return
		}
	}
	if t.stk != nil && (ev.Type == event.GenericE || ev.Type == event.GenericX) {
		t.stk.note(th.pid)
	}
	switch {
	case isProcExit(ev.Type):
		t.procExit(ev, th)
	case ev.Type == event.SignalDelivE:
		if sig, _ := ev.Uint(2); !th.execing || sig != 23 { // SIGURG
			t.signal(ev, th)
		}
	case ev.Type == event.GenericE:
		nr := enterNr(ev)
		if nr < 0 {
			return
		}
		if th.execing && nr != nrExecve {
			th.execing = false
		}
		th.enterBuf = append(th.enterBuf[:0], ev.Raw...)
		if th.enter.Decode(th.enterBuf) != nil {
			th.hasEnter = false
			return
		}
		th.enter.TID = ev.TID
		th.hasEnter, th.unfinished = true, false
		if t.stk != nil && stackOnEnter[nameOf(nr)] && th.enter.NParams >= 2 {
			t.stk.linkMap(th.pid, th.enter.Param(int(th.enter.NParams)-2))
			t.flushStacks(false)
		}
		th.multi = len(t.threads) > 1
		if !t.opts.Summary && t.opts.Status == StatusAll && t.opts.Set.Has(nameOf(nr)) {
			// strace prints the call now: whatever line was open is left
			// unfinished
			t.interrupt(ev.TID)
			t.open = ev.TID
		}
	case ev.Type == event.GenericX:
		c := &t.call
		if th.hasEnter {
			c.load(&th.enter, ev)
		} else {
			c.load(nil, ev)
			c.name = exitName(ev)
		}
		th.hasEnter = false
		t.complete(th, c)
		if t.stk != nil && (c.nr == nrExecve || c.nr == nrExecveat) && c.succeeded() {
			t.stk.forget(th.pid) // a new image
		}
		if t.fdt != nil && !c.fdsDone && c.enter != nil {
			t.updateFDs(th.pid, c) // a call not shown
		}
		if t.opts.Follow && c.enter != nil && isClone(c.name) && c.ret > 0 {
			t.child(th, c)
		}
	}
}

// nameOf names syscall nr.
func nameOf(nr int) string {
	if s := spec(nr); s != nil {
		return s.name
	}
	if n := event.NativeName(nr); n != "" {
		return n
	}
	return "syscall_" + strconv.Itoa(nr)
}

// child records the task a clone-like call created.
func (t *Tracer) child(parent *thread, c *rcall) {
	var flags uint64
	switch c.name {
	case "clone":
		flags = c.args[0]
	case "clone3":
		if p, ok := c.in(0); ok {
			flags = u64(p, 0)
		}
	}
	pid := c.ret
	if flags&0x10000 != 0 { // CLONE_THREAD
		pid = parent.pid
	}
	if pid != parent.pid && t.fdt != nil {
		if own := t.fdt[c.ret]; own != nil {
			// the child ran first: what it did comes on top
			f := t.fdsOf(parent.pid).clone()
			for k, v := range own.fds {
				f.fds[k] = v
			}
			t.fdt[c.ret] = f
		} else {
			t.forkFDs(parent.pid, c.ret)
		}
	}
	if th := t.threads[c.ret]; th != nil {
		th.pid = pid // the child ran first
		th.orphan = false
		return
	}
	if t.early[c.ret] {
		delete(t.early, c.ret) // ran first and has already exited
		return
	}
	t.threads[c.ret] = &thread{pid: pid}
}

// adopt decides whether an event of an unknown task starts tracing it.
func (t *Tracer) adopt(ev *event.Event) *thread {
	if t.root != 0 && ev.TID == t.root && enterNr(ev) == nrExecve {
		th := &thread{pid: t.root, execing: true}
		t.threads[ev.TID] = th
		t.root = 0
		return th
	}
	// A child's first event is its return from the clone that created it;
	// the kernel only sends those of children of traced processes.
	if t.opts.Follow && t.root == 0 && ev.Type == event.GenericX && isClone(exitName(ev)) {
		if res, ok := ev.Int(event.RawExitRet); ok && res == 0 {
			th := &thread{pid: ev.TID, orphan: true}
			t.threads[ev.TID] = th
			if t.fdt != nil {
				t.orphanFDs(ev.TID)
			}
			return th
		}
	}
	return nil
}

// interrupt ends the open line of another task with "<unfinished ...>"
// before a line of task tid is printed.
func (t *Tracer) interrupt(tid int64) {
	if t.open == 0 || t.open == tid {
		return
	}
	open := t.open
	t.open = 0
	th := t.threads[open]
	if th == nil || !th.hasEnter || th.unfinished {
		return
	}
	var c rcall
	c.load(&th.enter, nil)
	b := t.prefixAt(open, th.enter.TS, th.multi)
	b = append(b, c.name...)
	b = append(b, '(')
	b = t.enterArgs(b, &c)
	th.unfinished = true
	t.write(append(b, " <unfinished ...>\n"...))
}

// renderer returns the tracer's renderer, reset to append to b (one
// renderer for every line: the decoders' indirect calls would make a
// local one escape).
func (t *Tracer) renderer(b []byte) *renderer {
	t.r = renderer{b: b, strSize: t.opts.StrSize, hex: t.opts.Hex, style: t.opts.ConstStyle, raw: t.opts.Raw, verbose: t.opts.Verbose,
		abbrev: t.opts.Abbrev, loc: t.opts.Location}
	if t.fdt != nil {
		if th := t.threads[t.lineTID]; th != nil {
			t.r.fds = t.fdsOf(th.pid)
		}
	}
	return &t.r
}

// enterArgs appends the arguments strace prints when c enters.
func (t *Tracer) enterArgs(b []byte, c *rcall) []byte {
	r := t.renderer(b)
	r.args(c)
	switch {
	case r.split < 0:
	case r.split <= len(r.b):
		r.b = r.b[:r.split]
	default:
		r.b = append(r.b, ", "...)
	}
	return r.b
}

// complete handles a finished call.
func (t *Tracer) complete(th *thread, c *rcall) {
	if c.name == "" || !t.opts.Set.Has(c.name) || t.LimitReached() {
		return
	}
	if st := t.opts.Status; st != StatusAll && (c.failed() && st&StatusFailed == 0 || !c.failed() && st&StatusOK == 0) {
		return
	}
	var lat uint64
	if c.enter != nil && c.exit.TS >= c.enter.TS {
		lat = c.exit.TS - c.enter.TS
	}
	if c.enter == nil {
		// The child's side of fork/clone, or a call already running when
		// tracing started: strace neither shows nor counts them.
		return
	}
	t.calls++
	if t.sum != nil {
		t.sum.Add(c.name, lat, c.failed())
		if t.opts.Summary {
			return
		}
	}
	t.interrupt(c.exit.TID)
	if t.open == c.exit.TID {
		t.open = 0
	}
	if t.fdt != nil && (c.name == "pipe" || c.name == "pipe2" || c.name == "socketpair") {
		// the new descriptors are shown in the arguments, named
		t.updateFDs(th.pid, c)
		c.fdsDone = true
	}
	var b []byte
	t.lineTID = c.exit.TID
	r := t.renderer(nil)
	if th.unfinished {
		b = t.prefix(c.exit.TID, c.exit.TS)
		b = append(b, "<... "...)
		b = append(b, c.name...)
		b = append(b, " resumed>"...)
		start := len(b)
		r.b = b
		r.args(c)
		split := r.split
		if split < start || split > len(r.b) {
			split = len(r.b)
		}
		b = append(r.b[:start], r.b[split:]...)
		th.unfinished = false
	} else {
		b = t.prefixAt(c.exit.TID, c.enter.TS, th.multi)
		b = append(b, c.name...)
		b = append(b, '(')
		r.b = b
		r.args(c)
		b = r.b
	}
	b = append(b, ')')
	b = pad(b)
	b = append(b, "= "...)
	b = appendResult(b, c, t.opts.Raw != nil && t.opts.Raw.Has(c.name), t.opts.ConstStyle)
	if t.fdt != nil {
		if !c.fdsDone {
			t.updateFDs(th.pid, c)
		}
		c.fdsDone = true
		if c.succeeded() && fdResult(c.name, c) {
			b = appendFDPath(b, t.fdsOf(th.pid), c.ret)
		}
	}
	if t.opts.Durations {
		b = appendDuration(b, lat)
	}
	b = append(b, '\n')
	if t.opts.ReadFDs != nil || t.opts.WriteFDs != nil {
		b = t.appendDump(b, c)
	}
	if t.stk != nil {
		t.writeStack(b, th.pid, stackCopy(c))
		return
	}
	t.write(b)
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

// prefix starts a line: "PID " with Options.PIDPrefix, else "[pid N] "
// when following several tasks; then the timestamp.
func (t *Tracer) prefix(tid int64, ts uint64) []byte {
	return t.prefixAt(tid, ts, len(t.threads) > 1)
}

// prefixAt is prefix for a line strace started when multi told whether
// several tasks were traced.
func (t *Tracer) prefixAt(tid int64, ts uint64, multi bool) []byte {
	t.lineTID = tid
	b := t.line[:0]
	if t.opts.PIDPrefix && t.opts.Separate == nil {
		s := strconv.FormatInt(tid, 10)
		b = append(b, s...)
		for i := len(s); i < 5; i++ {
			b = append(b, ' ')
		}
		b = append(b, ' ')
	} else if t.opts.Follow && multi && t.opts.Separate == nil {
		b = append(b, "[pid "...)
		s := strconv.FormatInt(tid, 10)
		for i := len(s); i < 5; i++ {
			b = append(b, ' ')
		}
		b = append(b, s...)
		b = append(b, "] "...)
	}
	if t.opts.Relative {
		var d uint64
		if t.lastTS != 0 && ts > t.lastTS {
			d = ts - t.lastTS
		}
		t.lastTS = ts
		sec := strconv.FormatUint(d/1e9, 10)
		for i := len(sec); i < 6; i++ {
			b = append(b, ' ')
		}
		b = append(b, sec...)
		b = append(b, '.')
		us := strconv.FormatUint((d%1e9)/1e3, 10)
		for i := len(us); i < 6; i++ {
			b = append(b, '0')
		}
		b = append(b, us...)
		b = append(b, ' ')
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

// write writes a line begun by prefix.
func (t *Tracer) write(b []byte) {
	t.line = b[:0]
	if t.stk != nil && len(t.stk.pend) > 0 {
		// after a line held back (-k)
		t.stk.pend = append(t.stk.pend, pending{w: t.writer(), text: slices.Clone(b)})
		return
	}
	t.writeTo(t.writer(), b)
}

// writer returns the writer of the line being written.
func (t *Tracer) writer() io.Writer {
	if t.opts.Separate != nil {
		return t.opts.Separate(t.lineTID)
	}
	return t.opts.Out
}

func (t *Tracer) writeTo(w io.Writer, b []byte) {
	if t.err != nil {
		return
	}
	if _, err := w.Write(b); err != nil {
		t.err = err
	}
}

// LimitReached reports whether Options.Limit calls have been traced.
func (t *Tracer) LimitReached() bool { return t.opts.Limit > 0 && t.calls >= t.opts.Limit }

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
	if !t.opts.Summary && !t.LimitReached() {
		if th.hasEnter {
			var c rcall
			c.load(&th.enter, nil)
			// a call that never returned is neither successful nor failed
			if t.opts.Set.Has(c.name) && (t.opts.Status == StatusAll || t.opts.Status&StatusUnfinished != 0) {
				t.interrupt(ev.TID)
				var b []byte
				switch {
				case th.unfinished:
					b = t.prefix(ev.TID, ev.TS)
					b = append(b, "<... "...)
					b = append(b, c.name...)
					b = append(b, " resumed>"...)
					// strace marks a call it would have decoded further on
					// its return
					r := t.renderer(nil)
					if r.args(&c); r.split >= 0 {
						b = append(b, " <unfinished ...>"...)
					}
				case c.name == "exit_group" || c.name == "exit":
					b = t.prefixAt(ev.TID, th.enter.TS, th.multi)
					b = append(b, c.name...)
					b = append(b, '(')
					r := t.renderer(b)
					r.args(&c)
					b = r.b
				default:
					b = t.prefixAt(ev.TID, th.enter.TS, th.multi)
					b = append(b, c.name...)
					b = append(b, '(')
					b = t.enterArgs(b, &c)
					if t.r.split >= 0 {
						b = append(b, " <unfinished ...>"...)
					}
				}
				if t.open == ev.TID {
					t.open = 0
				}
				b = append(b, ')')
				b = pad(b)
				b = append(b, "= ?\n"...)
				if t.stk != nil {
					t.writeStack(b, th.pid, stackCopy(&c))
				} else {
					t.write(b)
				}
			}
			th.hasEnter = false
		}
		// strace leaves out "+++ killed by" for a signal outside -e signal=,
		// and with -qq "+++ exited with" (only)
		if sig == 0 && t.opts.Quiet < 2 || sig != 0 && (t.opts.Signals == nil || t.opts.Signals[int(sig)]) {
			x := taskExit{tid: ev.TID, ts: ev.TS, code: code, sig: sig, core: core}
			if leader && t.groupLives(th.pid, ev.TID) {
				if t.leaderExit == nil {
					t.leaderExit = map[int64]taskExit{}
				}
				t.leaderExit[th.pid] = x
			} else {
				t.exitLine(x)
			}
		}
	}
	if x, ok := t.leaderExit[th.pid]; ok && !leader && !t.groupLives(th.pid, ev.TID) {
		delete(t.leaderExit, th.pid)
		delete(t.threads, ev.TID)
		t.exitLine(x)
	}
	if leader && t.stk != nil {
		// no more records will tell its mappings
		t.stk.final[th.pid] = true
		t.flushStacks(false)
	}
	if leader && th.pid == t.rootPID {
		t.exited = true
		if sig != 0 {
			t.status = 128 + int(sig)
		} else {
			t.status = int(code)
		}
	}
	if th.orphan {
		if t.early == nil {
			t.early = map[int64]bool{}
		}
		t.early[ev.TID] = true
	}
	delete(t.threads, ev.TID)
}

// taskExit is how a task ended.
type taskExit struct {
	tid, code int64
	ts        uint64
	sig       uint64
	core      bool
}

// exitLine prints "+++ exited with N +++" or "+++ killed by SIG... +++".
func (t *Tracer) exitLine(x taskExit) {
	t.interrupt(x.tid)
	b := t.prefix(x.tid, x.ts)
	if x.sig != 0 {
		b = append(b, "+++ killed by "...)
		b = append(b, signalName(x.sig)...)
		if x.core {
			b = append(b, " (core dumped)"...)
		}
		b = append(b, " +++\n"...)
	} else {
		b = append(b, "+++ exited with "...)
		b = strconv.AppendInt(b, x.code, 10)
		b = append(b, " +++\n"...)
	}
	t.write(b)
}

// groupLives reports whether a traced thread of process pid other than tid
// has not exited yet.
func (t *Tracer) groupLives(pid, tid int64) bool {
	for id, o := range t.threads {
		if id != tid && o.pid == pid {
			return true
		}
	}
	return false
}

// signal prints "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---"
// for a delivered signal.
func (t *Tracer) signal(ev *event.Event, th *thread) {
	if t.opts.Summary || t.LimitReached() {
		return
	}
	sig, ok := ev.Uint(2)
	// SIGKILL never stops a task for its tracer: strace has no line for it
	if !ok || sig == 0 || sig == 9 || t.opts.Signals != nil && !t.opts.Signals[int(sig)] {
		return
	}
	t.interrupt(ev.TID)
	b := t.prefix(ev.TID, ev.TS)
	name := sigLong(int(sig))
	b = append(b, "--- "...)
	b = append(b, name...)
	b = append(b, " {"...)
	b = appendSiginfo(b, ev, int(sig), t.opts.ConstStyle)
	b = append(b, "} ---\n"...)
	if t.stk != nil && int(ev.NParams) > event.SignalStackParam {
		// the stack where the signal interrupted the task (-k)
		t.writeStack(b, th.pid, ev.Param(event.SignalStackParam))
		return
	}
	t.write(b)
}

var (
	siCodes   = []nv{{0, "SI_USER"}, {0x80, "SI_KERNEL"}, {^uint64(0), "SI_QUEUE"}, {^uint64(1), "SI_TIMER"}, {^uint64(2), "SI_MESGQ"}, {^uint64(3), "SI_ASYNCIO"}, {^uint64(4), "SI_SIGIO"}, {^uint64(5), "SI_TKILL"}, {^uint64(6), "SI_DETHREAD"}, {^uint64(7), "SI_ASYNCNL"}}
	chldCodes = []nv{{1, "CLD_EXITED"}, {2, "CLD_KILLED"}, {3, "CLD_DUMPED"}, {4, "CLD_TRAPPED"}, {5, "CLD_STOPPED"}, {6, "CLD_CONTINUED"}}
	faultCode = map[int][]nv{
		11: {{1, "SEGV_MAPERR"}, {2, "SEGV_ACCERR"}, {3, "SEGV_BNDERR"}, {4, "SEGV_PKUERR"}},
		7:  {{1, "BUS_ADRALN"}, {2, "BUS_ADRERR"}, {3, "BUS_OBJERR"}, {4, "BUS_MCEERR_AR"}, {5, "BUS_MCEERR_AO"}},
		4:  {{1, "ILL_ILLOPC"}, {2, "ILL_ILLOPN"}, {3, "ILL_ILLADR"}, {4, "ILL_ILLTRP"}, {5, "ILL_PRVOPC"}, {6, "ILL_PRVREG"}, {7, "ILL_COPROC"}, {8, "ILL_BADSTK"}},
		8:  {{1, "FPE_INTDIV"}, {2, "FPE_INTOVF"}, {3, "FPE_FLTDIV"}, {4, "FPE_FLTOVF"}, {5, "FPE_FLTUND"}, {6, "FPE_FLTRES"}, {7, "FPE_FLTINV"}, {8, "FPE_FLTSUB"}},
		5:  {{1, "TRAP_BRKPT"}, {2, "TRAP_TRACE"}, {3, "TRAP_BRANCH"}, {4, "TRAP_HWBKPT"}},
	}
)

// appendSiginfo renders the fields strace shows for a siginfo, chosen by
// si_code and the signal as the kernel fills them.
func appendSiginfo(b []byte, ev *event.Event, sig int, s ConstStyle) []byte {
	b = append(b, "si_signo="...)
	b = appendSigX(b, sig, s)
	if ev.NParams < 8 {
		if spid, ok := ev.Int(0); ok && spid > 0 {
			b = append(b, ", si_pid="...)
			b = strconv.AppendInt(b, spid, 10)
		}
		return b
	}
	code, _ := ev.Int(3)
	w0, _ := ev.Uint(4)
	w1, _ := ev.Uint(5)
	w2, _ := ev.Uint(6)
	w3, _ := ev.Uint(7)
	pid, uid := int64(int32(uint32(w0))), w0>>32
	b = append(b, ", si_code="...)
	switch {
	case code > 0 && code != 0x80 && sig == 17:
		b = appendEnumX(b, uint64(code), chldCodes, "", s)
		b = append(b, ", si_pid="...)
		b = strconv.AppendInt(b, pid, 10)
		b = append(b, ", si_uid="...)
		b = strconv.AppendUint(b, uid, 10)
		b = append(b, ", si_status="...)
		st := int(int32(uint32(w1)))
		if code == 1 {
			b = strconv.AppendInt(b, int64(st), 10)
		} else {
			b = appendSigX(b, st, s)
		}
		b = append(b, ", si_utime="...)
		b = strconv.AppendUint(b, w2, 10)
		b = append(b, ", si_stime="...)
		return strconv.AppendUint(b, w3, 10)
	case code > 0 && code != 0x80 && faultCode[sig] != nil:
		b = appendEnumX(b, uint64(code), faultCode[sig], "", s)
		b = append(b, ", si_addr="...)
		return appendPtr(b, w0)
	}
	// the number as the kernel's int (0xfffffffe for SI_TIMER)
	b = styled(b, s, hexNum(uint64(uint32(code))), func(b []byte) []byte { return appendEnum(b, uint64(code), siCodes, "") })
	switch code {
	case 0, -6: // SI_USER, SI_TKILL
		b = append(b, ", si_pid="...)
		b = strconv.AppendInt(b, pid, 10)
		b = append(b, ", si_uid="...)
		b = strconv.AppendUint(b, uid, 10)
	case -1: // SI_QUEUE
		b = append(b, ", si_pid="...)
		b = strconv.AppendInt(b, pid, 10)
		b = append(b, ", si_uid="...)
		b = strconv.AppendUint(b, uid, 10)
		b = append(b, ", si_int="...)
		b = strconv.AppendInt(b, int64(int32(uint32(w1))), 10)
		b = append(b, ", si_ptr="...)
		b = appendPtr(b, w1)
	case -2: // SI_TIMER: the POSIX timer, its overrun count and sigev_value
		b = append(b, ", si_timerid="...)
		b = appendHex0(b, uint64(uint32(w0)))
		b = append(b, ", si_overrun="...)
		b = strconv.AppendInt(b, int64(int32(uint32(w0>>32))), 10)
		b = append(b, ", si_int="...)
		b = strconv.AppendInt(b, int64(int32(uint32(w1))), 10)
		b = append(b, ", si_ptr="...)
		b = appendPtr(b, w1)
	case 0x80:
		if faultCode[sig] != nil {
			b = append(b, ", si_addr="...)
			b = appendPtr(b, w0)
		}
	}
	return b
}

// Finish writes the -c table (when counting) and returns the first write
// error.
func (t *Tracer) Finish() error {
	if t.stk != nil {
		t.flushStacks(true)
	}
	if t.sum != nil && t.err == nil {
		if t.opts.SummaryToo {
			t.opts.Out.Write([]byte{'\n'})
		}
		if _, err := t.sum.WriteTo(t.opts.Out); err != nil {
			t.err = err
		}
	}
	return t.err
}
