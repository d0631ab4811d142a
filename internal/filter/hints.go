// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"sort"

	"github.com/ferret-observability/ferret/internal/event"
)

// Hints describe what an event must have to possibly match a filter, so a
// live source can drop other events early (in the kernel). Every
// dimension is a conjunct: an event can match only if it satisfies all
// non-nil ones. A nil slice means "no restriction". The analysis is
// conservative: events outside the hints can never match, events inside
// may or may not. A source must still deliver the events it needs for its
// own state (process and fd tracking) even when the hints exclude them.
type Hints struct {
	// Any is true when no dimension is restricted.
	Any bool
	// Types lists the event types (both directions) that can match.
	Types []event.Type
	// PIDs, TIDs and Comms restrict proc.pid, thread.tid and proc.name.
	// proc.name values are given in full; the kernel's comm holds at most
	// 15 bytes, so a source comparing comm must compare that prefix.
	PIDs  []int64
	TIDs  []int64
	Comms []string
	// Containers restricts container.id and container.name: each entry
	// is a container id or name (a source matches either). "host" never
	// appears: a filter that can match host processes is unrestricted.
	Containers []string
}

// hset is one analysis result: nil maps mean unrestricted.
type hset struct {
	types      map[event.Type]bool
	pids       map[int64]bool
	tids       map[int64]bool
	comms      map[string]bool
	containers map[string]bool
}

// KernelHints returns the push-down analysis of f.
func KernelHints(f *Filter) Hints {
	h := f.root.hints()
	out := Hints{}
	for t := range h.types {
		out.Types = append(out.Types, t)
	}
	sort.Slice(out.Types, func(i, j int) bool { return out.Types[i] < out.Types[j] })
	out.PIDs = sortedInts(h.pids)
	out.TIDs = sortedInts(h.tids)
	for c := range h.comms {
		out.Comms = append(out.Comms, c)
	}
	sort.Strings(out.Comms)
	for c := range h.containers {
		out.Containers = append(out.Containers, c)
	}
	sort.Strings(out.Containers)
	if h.containers != nil && out.Containers == nil {
		out.Containers = []string{}
	}
	if h.types != nil && out.Types == nil {
		out.Types = []event.Type{}
	}
	if h.comms != nil && out.Comms == nil {
		out.Comms = []string{}
	}
	out.Any = h.types == nil && h.pids == nil && h.tids == nil && h.comms == nil && h.containers == nil
	return out
}

// PushDown is the kernel push-down policy for a capture filter.
type PushDown struct {
	// EventTypes are the types a live source must deliver: those the
	// filter can match plus every type the state machine needs (fd and
	// process life cycle); nil means no restriction.
	EventTypes []event.Type
	// Comms are the process names whose events are kept; the events of
	// other processes that keep the process and fd tables complete are
	// kept too (nil: no restriction).
	Comms []string
	// Containers are the container ids and names whose processes' events
	// are kept, with the same exception (nil: no restriction).
	Containers []string
}

// KernelPushDown returns what a live source may drop in the kernel for
// capture filter f. pid restrictions are not pushed down: fds inherited at
// fork would be lost.
func KernelPushDown(f *Filter) PushDown {
	h := KernelHints(f)
	return PushDown{EventTypes: pushDownTypes(h), Comms: h.Comms, Containers: h.Containers}
}

// memoryCalls update a thread's memory sizes: their exits carry vm_size,
// vm_rss and vm_swap, which the state keeps for proc.vm* fields.
var memoryCalls = map[string]bool{"brk": true, "mmap": true, "mmap2": true, "munmap": true}

// StateType reports whether a live source must deliver events of type t
// whatever a filter says, because the state machine learns from them what
// other events' fields show: the process and fd life cycle (sysdig's
// state-changing flags), internal events, and the memory calls whose exits
// carry the process's memory sizes.
func StateType(t event.Type) bool {
	info := t.Info()
	if info == nil {
		return false
	}
	return t.ChangesState() || info.Category&event.CatInternal != 0 || memoryCalls[info.Name]
}

// pushDownTypes returns the event types to deliver for hints h, or nil for
// no restriction.
func pushDownTypes(h Hints) []event.Type {
	if h.Any || h.Types == nil {
		return nil
	}
	keep := make(map[event.Type]bool, len(h.Types))
	for _, t := range h.Types {
		keep[t] = true
	}
	for t := event.Type(0); int(t) < event.MaxType; t++ {
		if StateType(t) {
			keep[t] = true
		}
	}
	out := make([]event.Type, 0, len(keep))
	for t := event.Type(0); int(t) < event.MaxType; t++ {
		if keep[t] {
			out = append(out, t)
		}
	}
	return out
}

func sortedInts(m map[int64]bool) []int64 {
	if m == nil {
		return nil
	}
	out := make([]int64, 0, len(m))
	for v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (n *node) hints() hset {
	if n.chk != nil {
		return n.chk.hints()
	}
	var h hset
	for j := range n.kids {
		k := &n.kids[j]
		if j == 0 {
			if k.op == OpNone {
				h = k.hints()
			}
			continue
		}
		switch k.op {
		case OpOr:
			h = orHints(h, k.hints())
		case OpOrNot:
			h = hset{}
		case OpAnd:
			h = andHints(h, k.hints())
		}
	}
	return h
}

func (k *check) hints() hset {
	var h hset
	if k.op != CmpEq && k.op != CmpIn {
		return h
	}
	switch k.name {
	case "evt.type", "syscall.type":
		if k.arg != "" {
			return h
		}
		h.types = map[event.Type]bool{}
		for _, l := range k.lits {
			for _, t := range event.ByName(l.s) {
				h.types[t] = true
			}
			if isSyscallName(l.s) {
				h.types[event.GenericE] = true
				h.types[event.GenericX] = true
			}
		}
	case "proc.pid":
		h.pids = map[int64]bool{}
		for _, l := range k.lits {
			h.pids[l.i] = true
		}
	case "thread.tid":
		h.tids = map[int64]bool{}
		for _, l := range k.lits {
			h.tids[l.i] = true
		}
	case "proc.name":
		h.comms = map[string]bool{}
		for _, l := range k.lits {
			h.comms[l.s] = true
		}
	case "container.id", "container.name":
		h.containers = map[string]bool{}
		for _, l := range k.lits {
			if l.s == "host" {
				h.containers = nil
				break
			}
			h.containers[l.s] = true
		}
	}
	return h
}

// isSyscallName reports whether name is a syscall that the x86-64 routing
// records as a generic syscall event (whose evt.type is the syscall name).
func isSyscallName(name string) bool {
	for _, r := range event.Routes() {
		if r.Enter == event.GenericE && r.Code != 0 && event.SyscallCodeName(r.Code) == name {
			return true
		}
	}
	return false
}

func andHints(a, b hset) hset {
	return hset{
		types: andSet(a.types, b.types),
		pids:  andSet(a.pids, b.pids),
		tids:  andSet(a.tids, b.tids),
		comms: andSet(a.comms, b.comms),

		// Ids and names mix in one set, so an intersection could wrongly
		// be empty; either side alone is a sound restriction.
		containers: firstSet(a.containers, b.containers),
	}
}

func orHints(a, b hset) hset {
	return hset{
		types: orSet(a.types, b.types),
		pids:  orSet(a.pids, b.pids),
		tids:  orSet(a.tids, b.tids),
		comms: orSet(a.comms, b.comms),

		containers: orSet(a.containers, b.containers),
	}
}

func andSet[K comparable](a, b map[K]bool) map[K]bool {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	out := map[K]bool{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}

func firstSet[K comparable](a, b map[K]bool) map[K]bool {
	if a != nil {
		return a
	}
	return b
}

func orSet[K comparable](a, b map[K]bool) map[K]bool {
	if a == nil || b == nil {
		return nil
	}
	out := map[K]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Fields returns the field tokens the filter uses, in order of appearance
// (duplicates removed), e.g. ["evt.type", "fd.name", "proc.aname[1]"].
func (f *Filter) Fields() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range f.checks {
		tok := k.name
		if k.arg != "" {
			tok += "[" + k.arg + "]"
		}
		if !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	return out
}

// UsesOnly reports whether every field of the filter belongs to one of the
// given field classes (registry class names such as "process", "fd",
// "user", "group", "container", "evt").
func (f *Filter) UsesOnly(classes ...string) bool {
	for _, k := range f.checks {
		ok := false
		for _, c := range classes {
			if k.class == c {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
