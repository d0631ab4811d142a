// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
)

func init() {
	Register(&Class{Name: "evt", Qualifier: "All event types", Order: 10,
		Desc: "Fields available for every event.",
		Fields: []Field{
			simple("evt.num", "UINT64", "sequence number of the event.", func(c *Ctx, v *Value) bool { return setUint(v, KindUint64, c.Ev.Num) }),
			timeField("evt.time", "CHARBUF", "time of the event as a clock string with nanoseconds.", func(c *Ctx, b []byte, ts uint64) []byte { return c.appendClock(b, ts, true) }, true),
			timeField("evt.time.s", "CHARBUF", "time of the event as a clock string without nanoseconds.", func(c *Ctx, b []byte, ts uint64) []byte { return c.appendClock(b, ts, false) }, false),
			timeField("evt.time.iso8601", "CHARBUF", "time of the event in ISO 8601 form with nanoseconds and zone (UTC).", func(c *Ctx, b []byte, ts uint64) []byte {
				// always UTC, with the zone written as sysdig writes it
				t := c.clock(ts).UTC()
				b = t.AppendFormat(b, "2006-01-02T15:04:05.")
				b = append9(b, ts%1e9)
				return append(b, "+0000"...)
			}, false),
			timeField("evt.datetime", "CHARBUF", "date and time of the event with nanoseconds.", func(c *Ctx, b []byte, ts uint64) []byte {
				b = c.appendDate(b, ts)
				b = append(b, ' ')
				return c.appendClock(b, ts, true)
			}, false),
			timeField("evt.datetime.s", "CHARBUF", "date and time of the event without nanoseconds.", func(c *Ctx, b []byte, ts uint64) []byte {
				b = c.appendDate(b, ts)
				b = append(b, ' ')
				return c.appendClock(b, ts, false)
			}, false),
			simple("evt.rawtime", "ABSTIME", "time of the event in nanoseconds since the epoch.", func(c *Ctx, v *Value) bool { return setUint(v, KindAbsTime, c.Ev.TS) }),
			simple("evt.rawtime.s", "ABSTIME", "whole seconds of the event's epoch time.", func(c *Ctx, v *Value) bool { return setUint(v, KindAbsTime, c.Ev.TS/1e9) }),
			simplePadded("evt.rawtime.ns", "ABSTIME", "nanosecond part of the event's epoch time.", func(c *Ctx, v *Value) bool { return setUint(v, KindAbsTime, c.Ev.TS%1e9) }),
			simplePadded("evt.reltime", "RELTIME", "nanoseconds elapsed since the first event of the capture.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.rel()) }),
			simple("evt.reltime.s", "RELTIME", "whole seconds elapsed since the first event of the capture.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.rel()/1e9) }),
			simplePadded("evt.reltime.ns", "RELTIME", "nanosecond part of the time elapsed since the first event.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.rel()%1e9) }),
			none("evt.pluginname", "CHARBUF", "name of the plugin that produced the event (plugin events only)."),
			none("evt.plugininfo", "CHARBUF", "plugin-provided summary of the event (plugin events only)."),
			outputTimeField(),
		}})
	Register(&Class{Name: "evt", Qualifier: "Syscall events only", Order: 20,
		Desc: "Fields of system call events. Individual syscall arguments are reachable through evt.arg, e.g. evt.arg.fd.",
		Fields: []Field{
			simple("evt.latency", "RELTIME", "time between the exit event and its enter event, in nanoseconds.", func(c *Ctx, v *Value) bool {
				return !c.noLatency() && setUint(v, KindRelTime, c.latency())
			}),
			simple("evt.latency.s", "RELTIME", "whole seconds of the latency.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.latency()/1e9) }),
			simplePadded("evt.latency.ns", "RELTIME", "nanosecond part of the latency.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.latency()%1e9) }),
			strField("evt.latency.human", "CHARBUF", "latency in a readable unit (e.g. 10.3ms).", func(c *Ctx, b []byte) ([]byte, bool) { return appendLatencyHuman(b, c.latency()), true }),
			simple("evt.deltatime", "RELTIME", "time since the previous event, in nanoseconds.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.delta()) }),
			simple("evt.deltatime.s", "RELTIME", "whole seconds since the previous event.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.delta()/1e9) }),
			simplePadded("evt.deltatime.ns", "RELTIME", "nanosecond part of the time since the previous event.", func(c *Ctx, v *Value) bool { return setUint(v, KindRelTime, c.delta()%1e9) }),
			simple("evt.dir", "CHARBUF", "direction: '>' for enter events, '<' for exit events.", func(c *Ctx, v *Value) bool { return setStr(v, c.Ev.Type.Dir()) }),
			simple("evt.type", "CHARBUF", "name of the event, e.g. 'open'.", func(c *Ctx, v *Value) bool { return setStr(v, EventTypeName(c.Ev)) }),
			withNew("evt.type.is", "UINT32", "1 when the event is of the type given as argument (evt.type.is.open), 0 otherwise.", FlagArgRequired|FlagArgKey, newTypeIs),
			simple("syscall.type", "CHARBUF", "name of the system call for syscall events; no value for other events (scheduler, internal).", func(c *Ctx, v *Value) bool {
				// As in sysdig: every event but the scheduler switch and
				// events flagged to skip the parser reset (procinfo, ...).
				if c.Ev.Type == event.SchedSwitch || c.info().Flags&event.FlagSkipParseReset != 0 {
					return false
				}
				return setStr(v, EventTypeName(c.Ev))
			}),
			simple("evt.category", "CHARBUF", "category of the event: file, net, memory, process, wait, ...; for I/O events the kind of descriptor (file, net, ipc, unknown).", func(c *Ctx, v *Value) bool { return setStr(v, c.category()) }),
			simple("evt.cpu", "INT16", "CPU the event happened on.", func(c *Ctx, v *Value) bool { return setInt(v, int64(c.Ev.CPU)) }),
			strField("evt.args", "CHARBUF", "every argument of the event in one string.", func(c *Ctx, b []byte) ([]byte, bool) { return c.AppendArgs(b), true }),
			withNew("evt.arg", "CHARBUF", "one argument of the event, by name (evt.arg.fd) or position (evt.arg[0]), rendered as text (fds, errors and flags resolved).", FlagArgRequired|FlagArgKey|FlagArgIndex, newArg),
			withNew("evt.rawarg", "DYNAMIC", "one argument of the event by name, as its raw typed value (evt.rawarg.res).", FlagArgRequired|FlagArgKey, newRawArg),
			strField("evt.info", "CHARBUF", "same as evt.args for most events; decoded information where ferret knows more (e.g. writes to syslog).", func(c *Ctx, b []byte) ([]byte, bool) { return c.AppendInfo(b), true }),
			bufferField(),
			simple("evt.buflen", "UINT64", "size of the data buffer of I/O events.", func(c *Ctx, v *Value) bool {
				n, ok := c.buflen()
				return ok && setUint(v, KindUint64, n)
			}),
			buflenField("evt.buflen.in", 'r', 0),
			buflenField("evt.buflen.out", 'w', 0),
			buflenField("evt.buflen.file", 0, 'f'),
			buflenField("evt.buflen.file.in", 'r', 'f'),
			buflenField("evt.buflen.file.out", 'w', 'f'),
			buflenField("evt.buflen.net", 0, 'n'),
			buflenField("evt.buflen.net.in", 'r', 'n'),
			buflenField("evt.buflen.net.out", 'w', 'n'),
			strField("evt.res", "CHARBUF", "return value as text: SUCCESS, or the error name (e.g. ENOENT).", func(c *Ctx, b []byte) ([]byte, bool) {
				r, ok := c.res()
				if !ok {
					return b, false
				}
				if r < 0 {
					if n := event.ErrnoName(-r); n != "" {
						return append(b, n...), true
					}
					return strconv.AppendInt(b, r, 10), true
				}
				return append(b, "SUCCESS"...), true
			}),
			simple("evt.rawres", "INT64", "return value as a number (e.g. -2).", func(c *Ctx, v *Value) bool {
				r, ok := c.res()
				return ok && setInt(v, r)
			}),
			simple("evt.failed", "BOOL", "true for events that returned an error.", func(c *Ctx, v *Value) bool {
				r, ok := c.res()
				return setBool(v, ok && r < 0)
			}),
			simple("evt.is_io", "BOOL", "true for events that read or write data (read, send, ...).", func(c *Ctx, v *Value) bool {
				return setBool(v, c.info().Flags&(event.FlagReadsFromFD|event.FlagWritesToFD) != 0)
			}),
			simple("evt.is_io_read", "BOOL", "true for events that read data.", func(c *Ctx, v *Value) bool {
				return setBool(v, c.info().Flags&event.FlagReadsFromFD != 0)
			}),
			simple("evt.is_io_write", "BOOL", "true for events that write data.", func(c *Ctx, v *Value) bool {
				return setBool(v, c.info().Flags&event.FlagWritesToFD != 0)
			}),
			simple("evt.io_dir", "CHARBUF", "'read' for events that read from an fd, 'write' for those that write to one, no value otherwise.", func(c *Ctx, v *Value) bool {
				f := c.info().Flags
				switch {
				case f&event.FlagReadsFromFD != 0:
					return setStr(v, "read")
				case f&event.FlagWritesToFD != 0:
					return setStr(v, "write")
				}
				return false
			}),
			simple("evt.is_wait", "BOOL", "true for events that make the thread wait (sleep, select, poll, ...).", func(c *Ctx, v *Value) bool {
				return setBool(v, c.info().Flags&event.FlagWaits != 0)
			}),
			simple("evt.wait_latency", "RELTIME", "for waiting events, the time spent waiting (the latency), in nanoseconds.", func(c *Ctx, v *Value) bool {
				if c.info().Flags&event.FlagWaits == 0 || c.Ev.Type.IsEnter() {
					return false
				}
				return setUint(v, KindRelTime, c.latency())
			}),
			simple("evt.is_syslog", "BOOL", "true for writes to /dev/log.", func(c *Ctx, v *Value) bool {
				return setBool(v, c.isSyslog())
			}),
			hidden(simple("evt.latency.quantized", "UINT64", "10-base log of the latency of the thread's last system call, scaled to the screen width of a spectrogram (1 without a screen).", func(c *Ctx, v *Value) bool {
				if c.info().Category&event.CatInternal != 0 || c.Thread() == nil {
					return false
				}
				lat := c.Cur().Latency
				if lat == 0 {
					return false
				}
				l := math.Log10(float64(lat))
				if l > 11 {
					l = 11
				}
				q := l * float64(c.ScreenWidth) / 11
				if c.ScreenWidth <= 0 {
					// Like sysdig without a screen (width -1): every latency
					// under 100 s lands in the first bucket.
					q = -l / 11
				}
				return setUint(v, KindUint64, uint64(int64(q))+1)
			})),
			countField("evt.count", "1 for every event; useful to count events in chisels and views.", func(c *Ctx) bool { return true }),
			countField("evt.count.error", "1 for events that returned an error.", func(c *Ctx) bool { r, ok := c.res(); return ok && r < 0 }),
			countField("evt.count.error.file", "1 for file events that returned an error.", func(c *Ctx) bool { return c.errKind() == 'f' }),
			countField("evt.count.error.net", "1 for network events that returned an error.", func(c *Ctx) bool { return c.errKind() == 'n' }),
			countField("evt.count.error.memory", "1 for memory events that returned an error.", func(c *Ctx) bool { return c.errCat(event.CatMemory) }),
			countField("evt.count.error.other", "1 for events of other categories that returned an error.", func(c *Ctx) bool { return c.errKind() == 'o' }),
			countField("evt.count.exit", "1 for exit events.", func(c *Ctx) bool { return !c.Ev.Type.IsEnter() }),
			hidden(countField("evt.count.procinfo", "1 for procinfo events of main threads.", func(c *Ctx) bool {
				t := c.Thread()
				return c.Ev.Type == event.ProcInfoE && t != nil && t.IsMain()
			})),
			hidden(countField("evt.count.threadinfo", "1 for procinfo events.", func(c *Ctx) bool { return c.Ev.Type == event.ProcInfoE })),
			withNew("evt.around", "UINT64", "filter-only: accepts events within a time window around a timestamp, evt.around[T]=D (D in ms).", FlagFilterOnly|FlagArgKey|FlagArgRequired, func(name, arg string) (Extractor, error) {
				// filters compare the event's time themselves; in formats,
				// which accept the field, it has no value (as in sysdig)
				return noValue{}, nil
			}),
			strField("evt.abspath", "CHARBUF", "absolute path of the first path argument of the *at system calls (openat, mkdirat, unlinkat, renameat, linkat, symlinkat, fchmodat), resolved against their dirfd and the cwd.", func(c *Ctx, b []byte) ([]byte, bool) { return c.appendAbsPath(b) }),
			simple("evt.is_open_read", "BOOL", "true for open events whose flags include read access.", func(c *Ctx, v *Value) bool { return c.openFlags(v, 1) }),
			simple("evt.is_open_write", "BOOL", "true for open events whose flags include write access.", func(c *Ctx, v *Value) bool { return c.openFlags(v, 2) }),
			simple("evt.is_open_exec", "BOOL", "true for open events that create executable files.", func(c *Ctx, v *Value) bool { return c.openFlags(v, 4) }),
			strField("evt.hostname", "CHARBUF", "name of the machine the event was captured on (from the capture's machine information; in a stream of several machines read with -r nats://, each event's own).", func(c *Ctx, b []byte) ([]byte, bool) {
				h := c.State.Machine().Hostname
				return append(b, h...), h != ""
			}),
		}})
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// EventTypeName returns evt.type of ev: the event name, or for generic
// syscall events the name of the portable syscall code they carry.
func EventTypeName(ev *event.Event) string {
	if ev.Type == event.GenericE || ev.Type == event.GenericX {
		if id, ok := ev.Uint(0); ok {
			return event.SyscallCodeName(uint16(id))
		}
	}
	return ev.Type.Name()
}

// category is evt.category: the event type's category (for a generic event
// its syscall's); an I/O category is named by the kind of descriptor the
// event acts on, as sysdig does: files and directories "file", IP sockets
// "net", pipes, unix sockets, eventfd, signalfd and inotify "ipc", any other
// or no descriptor "unknown".
func (c *Ctx) category() string {
	cat := c.info().Category
	if c.Ev.Type == event.GenericE || c.Ev.Type == event.GenericX {
		id, _ := c.Ev.Uint(0)
		cat = event.SyscallCodeCategory(uint16(id))
		if cat&event.CatIORead != 0 {
			return "unknown" // no descriptor is looked up for generic events
		}
	}
	if cat&event.CatIORead == 0 { // the I/O categories share this bit
		return cat.String()
	}
	fd := c.Cur().OwnFD()
	if fd == nil {
		return "unknown"
	}
	switch fd.Type {
	case event.FDFile, event.FDFileV2, event.FDDirectory:
		return "file"
	case event.FDIPv4Sock, event.FDIPv6Sock, event.FDIPv4ServSock, event.FDIPv6ServSock:
		return "net"
	case event.FDFIFO, event.FDUnixSock, event.FDEvent, event.FDSignalFD, event.FDInotify:
		return "ipc"
	}
	return "unknown"
}

func (c *Ctx) rel() uint64 {
	if c.Ev.TS < c.FirstTS {
		return 0
	}
	return c.Ev.TS - c.FirstTS
}

func (c *Ctx) latency() uint64 {
	return c.Cur().Latency
}

// noLatency reports whether evt.latency has no value: as in sysdig,
// internal events (procinfo, ...) have none.
func (c *Ctx) noLatency() bool { return c.info().Category&event.CatInternal != 0 }

func (c *Ctx) delta() uint64 {
	p := c.PrevTS
	if p == 0 {
		p = c.Cur().PrevTS
	}
	if p == 0 || c.Ev.TS < p {
		return 0
	}
	return c.Ev.TS - p
}

// res returns the return value of exit events (first parameter of type
// ERRNO, FD or PID named res/fd).
func (c *Ctx) res() (int64, bool) {
	ev := c.Ev
	if ev.Type.IsEnter() || ev.NParams == 0 {
		return 0, false
	}
	info := c.info()
	if len(info.Params) == 0 {
		return 0, false
	}
	switch info.Params[0].Type {
	case event.PTErrno, event.PTFD, event.PTPID:
	case event.PTUint64, event.PTInt64:
		if info.Params[0].Name != "res" {
			return 0, false
		}
	default:
		return 0, false
	}
	return ev.Int(0)
}

func (c *Ctx) errCat(cat event.Category) bool {
	r, ok := c.res()
	return ok && r < 0 && c.info().Category == cat
}

// errKind classifies a failed event as sysdig's error counters do: by the
// type of its fd (files and directories 'f', sockets 'n', others 'o'),
// or without an fd by the syscall (open family 'f', accept and connect
// 'n', memory events 'm', others 'o'); 0 when the event did not fail.
func (c *Ctx) errKind() byte {
	r, ok := c.res()
	if !ok || r >= 0 {
		return 0
	}
	if f := c.Cur().OwnFD(); f != nil {
		switch f.Type {
		case event.FDFile, event.FDFileV2, event.FDDirectory:
			return 'f'
		case event.FDIPv4Sock, event.FDIPv6Sock, event.FDIPv4ServSock, event.FDIPv6ServSock, event.FDUnixSock:
			return 'n'
		}
		return 'o'
	}
	switch c.Ev.Type.Name() {
	case "open", "creat", "openat", "openat2", "open_by_handle_at":
		return 'f'
	case "accept", "accept4", "connect":
		return 'n'
	}
	if c.info().Category == event.CatMemory {
		return 'm'
	}
	return 'o'
}

func (c *Ctx) isSyslog() bool {
	if c.info().Flags&event.FlagWritesToFD == 0 {
		return false
	}
	f := c.Cur().OwnFD()
	return f != nil && (f.Name == "/dev/log" || strings.HasSuffix(f.Name, "/dev/log"))
}

// openFlags reports whether an open-like exit has the given access bit
// (1 read, 2 write, 4 exec-creation).
func (c *Ctx) openFlags(v *Value, bit uint64) bool {
	ev := c.Ev
	if ev.Type.IsEnter() || c.info().Flags&event.FlagCreatesFD == 0 {
		return setBool(v, false)
	}
	fi := ev.ParamIndex("flags")
	if fi < 0 || ev.ParamIndex("name") < 0 {
		return setBool(v, false)
	}
	fl, _ := ev.Uint(fi)
	switch bit {
	case 1:
		return setBool(v, fl&1 != 0)
	case 2:
		return setBool(v, fl&2 != 0)
	}
	if mi := ev.ParamIndex("mode"); mi >= 0 && fl&4 != 0 {
		m, _ := ev.Uint(mi)
		return setBool(v, m&0o111 != 0)
	}
	return setBool(v, false)
}

// appendAbsPath renders evt.abspath as sysdig does: only for the events of
// the *at system calls, from their first path resolved against the
// descriptor it is relative to (and the thread's cwd for AT_FDCWD). An
// exit event qualifies by a relative-path parameter tied to a dirfd
// (openat, openat2, mkdirat, unlinkat, linkat, renameat, renameat2,
// symlinkat, fchmodat); an enter event only in the old layouts that carry
// the path as a plain string right after a directory descriptor (openat,
// linkat, unlinkat). The newer enter events (openat, openat2, execveat)
// and the calls without a dirfd (open, mkdir, unlink...) have none.
func (c *Ctx) appendAbsPath(b []byte) ([]byte, bool) {
	ev := c.Ev
	info := c.info()
	enter := ev.Type.IsEnter()
	for i := range info.Params {
		p := &info.Params[i]
		d := -1
		switch {
		case !enter && p.Type == event.PTFSRelPath:
			d = p.DirFD
		case enter && p.Type == event.PTCharBuf && i > 0 && info.Params[i-1].Type == event.PTFD &&
			strings.Contains(info.Params[i-1].Name, "dir"):
			d = i - 1
		}
		if d < 0 || !ev.HasParam(i) {
			continue
		}
		s, _ := ev.Str(i)
		dirfd, _ := ev.Int(d)
		return append(b, c.State.ResolvePath(c.Cur().Thread, dirfd, s)...), true
	}
	return b, false
}

// strField builds a string field rendered into a per-extractor buffer.
func strField(name, typ, desc string, f func(c *Ctx, b []byte) ([]byte, bool)) Field {
	return Field{Name: name, Type: typ, Kind: KindString, Desc: desc, New: func(string, string) (Extractor, error) {
		sb := &strBuf{}
		return exFunc(func(c *Ctx, v *Value) bool {
			var ok bool
			sb.b, ok = f(c, sb.b[:0])
			if !ok {
				return false
			}
			return setStr(v, sb.str())
		}), nil
	}}
}

// timeField builds a time field: its value is the timestamp (so JSON gets
// integer nanoseconds when asNumber) and its text the rendering of f.
func timeField(name, typ, desc string, f func(c *Ctx, b []byte, ts uint64) []byte, asNumber bool) Field {
	if !asNumber {
		return strField(name, typ, desc, func(c *Ctx, b []byte) ([]byte, bool) { return f(c, b, c.Ev.TS), true })
	}
	return Field{Name: name, Type: typ, Kind: KindAbsTime, Desc: desc, New: func(string, string) (Extractor, error) {
		return textExt{
			ex: func(c *Ctx, v *Value) bool { return setUint(v, KindAbsTime, c.Ev.TS) },
			tx: func(c *Ctx, v *Value, b []byte) []byte { return f(c, b, v.Uint) },
		}, nil
	}}
}

func outputTimeField() Field {
	f := Field{Name: "evt.outputtime", Type: "ABSTIME", Kind: KindAbsTime, Flags: FlagHidden,
		Desc: "time of the event as -t selects it (clock, absolute, relative, latency or delta)."}
	f.New = func(string, string) (Extractor, error) {
		return textExt{
			ex: func(c *Ctx, v *Value) bool { return setUint(v, KindAbsTime, c.Ev.TS) },
			tx: func(c *Ctx, v *Value, b []byte) []byte {
				ts := c.Ev.TS
				switch c.Time {
				case TimeAbsolute:
					return appendSecNS(b, ts)
				case TimeRelative:
					return appendSecNS(b, c.rel())
				case TimeLatency:
					return appendSecNS(b, c.latency())
				case TimeDelta:
					if c.PrevPrintedTS == 0 || ts < c.PrevPrintedTS {
						return appendSecNS(b, 0)
					}
					return appendSecNS(b, ts-c.PrevPrintedTS)
				}
				return c.appendClock(b, ts, true)
			},
		}, nil
	}
	return f
}

func countField(name, desc string, f func(c *Ctx) bool) Field {
	// 1 when the event counts; otherwise no value (as in sysdig), so
	// sums and filters skip it
	return simple(name, "UINT32", desc, func(c *Ctx, v *Value) bool {
		return f(c) && setUint(v, KindUint64, 1)
	})
}

func newTypeIs(name, arg string) (Extractor, error) {
	if arg == "" {
		return nil, fmt.Errorf("filter syntax error: %s requires an event type", name)
	}
	if id, err := strconv.ParseUint(arg, 10, 16); err == nil {
		// A number is an event type id (evt.type.is.3: open exits).
		return exFunc(func(c *Ctx, v *Value) bool {
			return setUint(v, KindUint64, b2u(uint64(c.Ev.Type) == id))
		}), nil
	}
	return exFunc(func(c *Ctx, v *Value) bool {
		if EventTypeName(c.Ev) == arg {
			return setUint(v, KindUint64, 1)
		}
		return setUint(v, KindUint64, 0)
	}), nil
}

// argExt is evt.arg.NAME / evt.arg[N].
type argExt struct {
	name  string
	index int
	sb    strBuf
}

func newArg(name, arg string) (Extractor, error) {
	if arg == "" {
		return nil, fmt.Errorf("%s needs an argument name or index", name)
	}
	e := &argExt{name: arg, index: -1}
	if n, ok := ParseNumber(arg); ok {
		// a position; one out of range names no parameter
		e.name = ""
		if n >= 0 && n < event.MaxParams {
			e.index = int(n)
		}
	}
	return e, nil
}

func (e *argExt) Extract(c *Ctx, v *Value) bool {
	i := e.index
	if e.name != "" {
		i = c.Ev.ParamIndex(e.name)
	}
	plain, res, ok := c.argText(c.Ev, i)
	if !ok {
		return false
	}
	if len(res) > 0 {
		e.sb.b = append(e.sb.b[:0], res...)
	} else {
		e.sb.b = append(e.sb.b[:0], plain...)
	}
	return setStr(v, e.sb.str())
}

// rawArgExt is evt.rawarg.NAME: the typed value.
type rawArgExt struct {
	name string
	typ  event.ParamType // of the table's first parameter of that name
	sb   strBuf
}

func newRawArg(name, arg string) (Extractor, error) {
	if arg == "" {
		return nil, fmt.Errorf("evt.arg fields must be expressed explicitly")
	}
	if _, err := strconv.Atoi(arg); err == nil {
		return nil, fmt.Errorf("evt.arg fields must be expressed explicitly")
	}
	e := &rawArgExt{name: arg}
	for t := event.Type(0); t.Known() && e.typ == 0; t++ {
		for _, p := range t.Info().Params {
			if p.Name == arg {
				e.typ = p.Type
				break
			}
		}
	}
	return e, nil
}

// Print renders evt.rawarg.NAME as sysdig prints a raw value: through the
// type of the table's first parameter of that name, in no print format.
// Integers of that kind have no printed value then, except 64-bit signed
// ones (read as 8 bytes whatever the event's parameter is); strings,
// buffers, booleans and addresses print; other types stop sysdig with
// "wrong event type N". In JSON, 64-bit signed values are strings and
// unsigned 64-bit ones, errnos and doubles have no rendering either.
func (e *rawArgExt) Print(c *Ctx, v *Value, json bool) (bool, error) {
	i := c.Ev.ParamIndex(e.name)
	if i < 0 {
		return false, nil
	}
	b := c.Ev.Param(i)
	switch e.typ {
	case event.PTInt8, event.PTInt16, event.PTInt32, event.PTUint8, event.PTUint16, event.PTUint32,
		event.PTL4Proto, event.PTPort, event.PTSockAddr, event.PTSockFamily:
		return false, nil
	case event.PTUint64, event.PTRelTime, event.PTAbsTime:
		return false, nil
	case event.PTInt64, event.PTPID, event.PTErrno:
		if json && e.typ == event.PTErrno {
			break
		}
		n := int64(binary.LittleEndian.Uint64(read8(b)))
		if json {
			e.sb.b = strconv.AppendInt(e.sb.b[:0], n, 10)
			return setStr(v, e.sb.str()), nil
		}
		return setInt(v, n), nil
	case event.PTBool:
		w := read8(b)
		return setBool(v, binary.LittleEndian.Uint32(w) != 0), nil
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath, event.PTByteBuf:
		// the parameter's bytes as they are (a dynamic one's with its
		// index byte), printed up to a NUL
		v.Kind, v.Bytes = KindBytes, b
		return true, nil
	case event.PTIPv4Addr, event.PTIPv6Addr, event.PTIPAddr:
		return true, nil // as extracted
	case event.PTDouble:
		if json {
			break
		}
		e.sb.b = strconv.AppendFloat(e.sb.b[:0], math.Float64frombits(binary.LittleEndian.Uint64(read8(b))), 'f', 1, 64)
		return setStr(v, e.sb.str()), nil
	}
	return false, fmt.Errorf("wrong event type %d", e.typ)
}

// read8 returns the 8 bytes at the start of a parameter as sysdig reads a
// 64-bit value: past a shorter parameter into the bytes that follow it in
// the record, zeros past its end.
func read8(b []byte) []byte {
	if cap(b) >= 8 {
		return b[:8:8]
	}
	var w [8]byte
	copy(w[:], b[:cap(b)])
	return w[:]
}

func (e *rawArgExt) Extract(c *Ctx, v *Value) bool {
	ev := c.Ev
	i := ev.ParamIndex(e.name)
	if i < 0 || !ev.HasParam(i) {
		return false
	}
	return rawValue(c, ev, &ev.Info().Params[i], ev.Param(i), v, &e.sb)
}

// rawValue converts a parameter to its typed value.
func rawValue(c *Ctx, ev *event.Event, pi *event.ParamInfo, b []byte, v *Value, sb *strBuf) bool {
	switch pi.Type {
	case event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64, event.PTErrno, event.PTFD, event.PTPID:
		return setInt(v, sint(b))
	case event.PTUint8, event.PTUint16, event.PTUint32, event.PTUint64, event.PTFlags8, event.PTFlags16,
		event.PTFlags32, event.PTUID, event.PTGID, event.PTMode, event.PTSyscallID, event.PTSigType,
		event.PTSigSet, event.PTSockFamily, event.PTBool:
		return setUint(v, KindUint64, puint(b))
	case event.PTRelTime:
		return setUint(v, KindRelTime, puint(b))
	case event.PTAbsTime:
		return setUint(v, KindAbsTime, puint(b))
	case event.PTPort:
		return setUint(v, KindPort, puint(b))
	case event.PTL4Proto:
		return setUint(v, KindL4Proto, puint(b))
	case event.PTIPv4Addr, event.PTIPv6Addr, event.PTIPAddr:
		v.Kind = KindIPAddr
		v.Bytes = b
		return true
	case event.PTDyn:
		if len(b) >= 1 && int(b[0]) < len(pi.Dyn) {
			return rawValue(c, ev, &pi.Dyn[b[0]], b[1:], v, sb)
		}
		return false
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		sb.b = append(sb.b[:0], trimNul(b)...)
		return setStr(v, sb.str())
	case event.PTByteBuf:
		// A buffer is all its bytes (chisels see them all); text output
		// stops at a NUL like every value.
		sb.b = append(sb.b[:0], b...)
		return setStr(v, sb.str())
	}
	var r []byte
	sb.b, r = c.renderParam(ev, pi, b, sb.b[:0], nil)
	_ = r
	return setStr(v, sb.str())
}

// bufferField is evt.buffer: the data buffer, rendered with the buffer
// format in text and JSON.
func bufferField() Field {
	return Field{Name: "evt.buffer", Type: "BYTEBUF", Kind: KindBytes,
		Desc: "the data buffer of I/O events (read, recvfrom, ...); use it with 'contains' to search the data.",
		New: func(string, string) (Extractor, error) {
			return textExt{
				ex: func(c *Ctx, v *Value) bool {
					ev := c.Ev
					info := c.info()
					for i := 0; i < ev.NParams && i < len(info.Params); i++ {
						if info.Params[i].Type == event.PTByteBuf && info.Params[i].Name == "data" {
							v.Kind = KindBytes
							v.Bytes = ev.Param(i)
							return true
						}
					}
					return false
				},
				tx: func(c *Ctx, v *Value, b []byte) []byte { return c.appendBuffer(b, v.Bytes) },
			}, nil
		}}
}

// AppendInfo appends evt.info: evt.args, except for events ferret decodes
// further.
func (c *Ctx) AppendInfo(b []byte) []byte {
	return c.AppendArgs(b)
}

func hidden(f Field) Field {
	f.Flags |= FlagHidden
	return f
}

// buflen is the byte count of an I/O exit event: its non-negative return
// value when the event has an fd. Outside display-filter mode sysdig only
// reports it for I/O events that also change state (sendto, recvfrom,
// close, ...), which is reproduced here.
func (c *Ctx) buflen() (uint64, bool) {
	ev := c.Ev
	info := c.info()
	if ev.Type.IsEnter() || info.Category&event.CatIORead == 0 || c.Cur().OwnFD() == nil {
		return 0, false
	}
	r, ok := ev.Int(0)
	if !ok || r < 0 {
		return 0, false
	}
	return uint64(r), true
}

// buflenField builds the hidden evt.buflen.{in,out,file,net...} fields:
// dir 'r'/'w' selects reads or writes (0 both), kind 'f' files and 'n'
// network sockets (0 any fd).
func buflenField(name string, dir, kind byte) Field {
	return hidden(simple(name, "UINT64", "buffer length of I/O events restricted by direction and fd kind.", func(c *Ctx, v *Value) bool {
		n, ok := c.buflen()
		if !ok {
			return false
		}
		fl := c.info().Flags
		switch dir {
		case 'r':
			if fl&event.FlagReadsFromFD == 0 {
				return false
			}
		case 'w':
			if fl&event.FlagWritesToFD == 0 {
				return false
			}
		}
		fd := c.Cur().OwnFD()
		switch kind {
		case 'f':
			if fd.Type != event.FDFile && fd.Type != event.FDFileV2 && fd.Type != event.FDDirectory {
				return false
			}
		case 'n':
			if !fd.IsSocket() {
				return false
			}
		}
		return setUint(v, KindUint64, n)
	}))
}
