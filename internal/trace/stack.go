// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"io"
	"runtime"
	"slices"
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/unwind"
)

// stackWindow is the most of the user stack -k copies per call, from the
// stack pointer up: enough for the frames of everyday programs, within
// the probe's record size (what is left of its 16000 bytes bounds it).
const stackWindow = 16 << 10

// stackOnEnter names the calls whose stack is copied when they enter, as
// strace captures them: their exit has another image, or none.
var stackOnEnter = map[string]bool{"execve": true, "execveat": true, "exit": true, "exit_group": true}

// StackCopies is Copies plus, for every syscall, the copy of the user
// registers and stack that -k unwinds (the last copy of the exit record,
// or of the enter record for the calls of stackOnEnter, which also copy
// the list of loaded objects before it: the mappings of a process gone
// before its maps were read).
func StackCopies() []event.RawSyscall {
	out := Copies()
	c := event.RawCopy{Kind: event.RawUserStack, N: stackWindow}
	lm := event.RawCopy{Kind: event.RawLinkMap}
	for nr := range out {
		rs := &out[nr]
		if stackOnEnter[nameOf(nr)] {
			rs.Enter = append(slices.Clip(rs.Enter), lm, c)
		} else {
			rs.Exit = append(slices.Clip(rs.Exit), c)
		}
	}
	return out
}

// stacks is the -k state of a tracer: the unwinder (with what it read of
// each binary) and the mappings of each traced process.
//
// The mappings are read from /proc/PID/maps at the first record of the
// process that is decoded (and again when an address is in none of
// them). A process that has exited by then (most short commands) is
// resolved from the list of loaded objects its execve or exit_group
// records carry (RawLinkMap): the lines of its calls are held back, with
// every line after them, until that record is decoded. A process that
// ends without either (killed by a signal) has its stacks printed as far
// as they can be (" > unexpected_backtracing_error [0xADDR]" for the first
// frame that cannot). The same holding back applies to a stack whose
// first address is in none of the maps read: the process has run an
// execve since, and that call's record gives the objects of the image
// the stack was taken in.
type stacks struct {
	u     *unwind.Unwinder
	maps  map[int64]unwind.Maps
	gone  map[int64]bool // processes whose maps could no longer be read
	final map[int64]bool // processes whose mappings will not be learnt
	// stale marks processes whose maps, as read, do not hold the first
	// address of a stack: taken before an execve not decoded yet, whose
	// record will give the objects of that image
	stale  map[int64]bool
	pend   []pending // output held back, in order
	exited map[int64]bool
}

// pending is output held back: text, then the stack of a process whose
// mappings are not known yet (pid 0: none).
type pending struct {
	w    io.Writer
	text []byte
	pid  int64
	cp   []byte
}

func newStacks() *stacks {
	arch := unwind.AMD64
	if runtime.GOARCH == "arm64" {
		arch = unwind.ARM64
	}
	return &stacks{u: unwind.New(arch), maps: map[int64]unwind.Maps{}, gone: map[int64]bool{}, final: map[int64]bool{}, stale: map[int64]bool{}}
}

// ready reports whether the stacks of pid can be resolved now.
func (s *stacks) ready(pid int64) bool {
	if s.final[pid] {
		return true
	}
	if s.stale[pid] {
		return false
	}
	return s.maps[pid] != nil || s.reload(pid)
}

// fits reports whether the first address of stack copy cp is mapped in
// the maps known for pid (reading them again if not); if not, the maps
// are marked stale until pid's next objects are known.
func (s *stacks) fits(pid int64, cp []byte) bool {
	regs, _, ok := s.u.Split(cp)
	if !ok || s.final[pid] {
		return true
	}
	pc := regs[s.u.PC()]
	if _, ok := s.maps[pid].Find(pc); ok {
		return true
	}
	if !s.gone[pid] && s.reload(pid) {
		if _, ok := s.maps[pid].Find(pc); ok {
			return true
		}
	}
	s.stale[pid] = true
	return false
}

// linkMap takes the mappings of pid from the loaded objects of its
// execve or exit_group record when its maps could not be read.
func (s *stacks) linkMap(pid int64, p []byte) {
	if s.maps[pid] != nil && !s.gone[pid] && !s.stale[pid] {
		return
	}
	delete(s.stale, pid)
	if objs := unwind.ParseLinkMap(p); len(objs) > 0 {
		s.maps[pid] = s.u.ObjectMaps(objs)
	}
}

// note reads the mappings of process pid unless known: called at every
// record of a traced task, before it is decoded, so that a short-lived
// process's mappings are read while it still runs where possible.
func (s *stacks) note(pid int64) {
	if _, ok := s.maps[pid]; !ok && !s.gone[pid] {
		s.reload(pid)
	}
}

func (s *stacks) reload(pid int64) bool {
	if s.gone[pid] {
		return false
	}
	m, err := unwind.ReadMaps(int(pid))
	if err != nil || len(m) == 0 {
		// gone, or a zombie (its maps read empty)
		s.gone[pid] = true
		return false
	}
	s.maps[pid] = m
	return true
}

// forget drops the mappings of pid (its execve replaced them).
func (s *stacks) forget(pid int64) {
	delete(s.maps, pid)
	delete(s.gone, pid)
	delete(s.stale, pid)
}

// stackCopy returns the register and stack copy of call c.
func stackCopy(c *rcall) []byte {
	ev := c.exit
	if stackOnEnter[c.name] {
		ev = c.enter
	}
	if ev == nil || ev.NParams == 0 {
		return nil
	}
	return ev.Param(int(ev.NParams) - 1)
}

// appendStack appends strace -k's lines for the stack copied with c, of
// process pid: " > PATH(SYMBOL+0xOFF) [0xFILEOFF]" per frame, "PATH()"
// for a frame without a symbol. A frame in no mapping known (its process
// had exited before its maps were read, or a frame pointer led astray)
// ends the stack with " > unexpected_backtracing_error [0xADDR]", as
// strace ends it.
func (s *stacks) appendStack(b []byte, pid int64, cp []byte) []byte {
	regs, stk, ok := s.u.Split(cp)
	if !ok {
		return b
	}
	frames := s.u.Unwind(s.maps[pid], regs, stk)
	if n := len(frames); n > 0 && !frames[n-1].Mapped && !s.gone[pid] && s.reload(pid) {
		// a mapping made since the maps were read
		frames = s.u.Unwind(s.maps[pid], regs, stk)
	}
	for _, f := range frames {
		if !f.Mapped {
			b = append(b, " > unexpected_backtracing_error [0x"...)
			b = strconv.AppendUint(b, f.PC, 16)
			b = append(b, "]\n"...)
			break
		}
		b = append(b, " > "...)
		b = append(b, f.Path...)
		b = append(b, '(')
		if f.Sym != "" {
			b = append(b, f.Sym...)
			b = append(b, "+0x"...)
			b = strconv.AppendUint(b, f.SymOff, 16)
		}
		b = append(b, ") [0x"...)
		b = strconv.AppendUint(b, f.FileOff, 16)
		b = append(b, "]\n"...)
	}
	return b
}

// writeStack writes line b of a call and the stack copied with it (cp) of
// process pid, or holds them back until pid's mappings are known.
func (t *Tracer) writeStack(b []byte, pid int64, cp []byte) {
	s := t.stk
	if len(s.pend) == 0 && s.ready(pid) && s.fits(pid, cp) {
		t.write(s.appendStack(b, pid, cp))
		return
	}
	s.pend = append(s.pend, pending{w: t.writer(), text: slices.Clone(b), pid: pid, cp: slices.Clone(cp)})
	t.line = b[:0]
}

// flushStacks writes the output held back up to the first stack that
// still cannot be resolved (all of it with all).
func (t *Tracer) flushStacks(all bool) {
	s := t.stk
	for len(s.pend) > 0 {
		p := &s.pend[0]
		if p.pid != 0 {
			if !all && (!s.ready(p.pid) || !s.fits(p.pid, p.cp)) {
				return
			}
			p.text = s.appendStack(p.text, p.pid, p.cp)
		}
		t.writeTo(p.w, p.text)
		s.pend = s.pend[1:]
	}
	s.pend = nil
}
