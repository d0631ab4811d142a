// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// tri is a three-valued truth: a check whose outcome the event type alone
// does not decide is unknown.
type tri uint8

const (
	unknown tri = iota
	yes
	no
)

func not3(a tri) tri {
	switch a {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

func and3(a, b tri) tri {
	switch {
	case a == no || b == no:
		return no
	case a == yes && b == yes:
		return yes
	}
	return unknown
}

func or3(a, b tri) tri {
	switch {
	case a == yes || b == yes:
		return yes
	case a == no && b == no:
		return no
	}
	return unknown
}

// typeOnlyFields are the fields whose value is a function of the event
// type (and direction) alone.
var typeOnlyFields = map[string]bool{
	"evt.dir": true, "evt.is_io": true, "evt.is_io_read": true, "evt.is_io_write": true,
	"evt.io_dir": true, "evt.is_wait": true,
	"evt.type": true, // except for generic events, named by their syscall
}

// typeVerdicts returns, per event type, whether the filter fails (no) or
// holds (yes) on every event of that type, decided from the checks of
// fields that depend on the type alone (evt.type=open, evt.is_io=true,
// ...), so that Match decides those events without extracting anything.
// Skipping an evaluation must not be visible, so this is done only when
// every check of the filter has no side effect: none of its fields
// remembers values (FlagStateful) and no comparison can end the run with
// an error when first made. It returns nil when the type decides nothing.
func (f *Filter) typeVerdicts() []tri {
	known := false
	for _, k := range f.checks {
		if k.stateful || k.mayFail() {
			return nil
		}
		if k.typeOnly() {
			known = true
		}
	}
	if !known {
		return nil
	}
	out := make([]tri, event.MaxType)
	any := false
	var ev event.Event
	c := &fields.Ctx{Ev: &ev}
	for t := 0; t < event.MaxType; t++ {
		ev = event.Event{Type: event.Type(t)}
		if out[t] = f.root.verdict(c); out[t] != unknown {
			any = true
		}
	}
	if !any {
		return nil
	}
	return out
}

// verdict evaluates n as eval does, on an event of which only the type is
// known (c.Ev), in three-valued logic.
func (n *node) verdict(c *fields.Ctx) tri {
	if n.chk != nil {
		return n.chk.verdict(c)
	}
	res := yes
	for j := range n.kids {
		k := &n.kids[j]
		if j == 0 {
			switch k.op {
			case OpNone:
				res = k.verdict(c)
			case OpNot:
				res = not3(k.verdict(c))
			}
			continue
		}
		switch k.op {
		case OpOr:
			res = or3(res, k.verdict(c))
		case OpAnd:
			res = and3(res, k.verdict(c))
		case OpOrNot:
			res = or3(res, not3(k.verdict(c)))
		case OpAndNot:
			res = and3(res, not3(k.verdict(c)))
		}
	}
	return res
}

// verdict is the outcome of k on every event of type c.Ev.Type, or unknown.
func (k *check) verdict(c *fields.Ctx) tri {
	if k.ext == nil {
		return no
	}
	if !k.typeOnly() {
		return unknown
	}
	if k.name == "evt.type" && (c.Ev.Type == event.GenericE || c.Ev.Type == event.GenericX) {
		return unknown
	}
	if k.match(c) {
		return yes
	}
	return no
}

// typeOnly reports whether k's outcome depends on the event type alone.
func (k *check) typeOnly() bool {
	return k.arg == "" && k.multi == nil && !k.around && !k.bothEnds && typeOnlyFields[k.name]
}

// mayFail reports whether evaluating k can set the filter's error (the
// comparisons sysdig rejects only when a value is first compared).
func (k *check) mayFail() bool {
	switch k.op {
	case CmpEq, CmpNe, CmpIn, CmpIntersects, CmpExists:
		return false
	}
	if k.ipName {
		return true
	}
	switch k.typ {
	case tStr, tBytes:
		return false
	case tInt, tUint, tBool, tFloat, tPort:
		switch k.op {
		case CmpLt, CmpLe, CmpGt, CmpGe:
			return false
		}
	}
	return true
}

// SameAcross reports whether f gives an event of any of the types ts the
// outcome it gives an event of any other of them from the same thread in
// the same state: each check either is decided by the event type alone,
// the same way for all of ts, or compares a field that thread(name)
// accepts as a value of the thread's state alone. A check of a field that
// remembers values (FlagStateful) fails it. Counters kept per thread can
// then stand for the events of ts: the filter treats them as it treats
// each of those events.
func (f *Filter) SameAcross(ts []event.Type, thread func(name string) bool) bool {
	if f == nil {
		return true
	}
	var ev event.Event
	c := &fields.Ctx{Ev: &ev}
	for _, k := range f.checks {
		if k.stateful {
			return false
		}
		if !k.typeOnly() {
			if k.ext == nil || k.around || !thread(k.name) {
				return false
			}
			continue
		}
		first := unknown
		for i, t := range ts {
			ev = event.Event{Type: t}
			v := k.verdict(c)
			if v == unknown || (i > 0 && v != first) {
				return false
			}
			first = v
		}
	}
	return true
}
