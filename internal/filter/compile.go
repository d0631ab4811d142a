// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter/syntax"
)

// vtype is how a check parses its values and compares.
type vtype uint8

const (
	tStr   vtype = iota // CHARBUF and other text: string operators
	tBytes              // BYTEBUF: string operators on raw bytes
	tInt                // INT8..INT64, ERRNO, FD, PID
	tUint               // UINT8..UINT64, times, flags
	tFloat              // DOUBLE
	tBool               // BOOL: true/false, compared as 1/0
	tPort               // PORT: number or service name
	tIP                 // IPADDR
	tNet                // IPNET
)

// Option changes how a filter is compiled.
type Option func(*options)

type options struct {
	threadTable bool
}

// ThreadTable compiles the filter for thread-table mode (get_thread_table
// in chisels): only process, thread, fd, user, group and container fields
// and a few absolute time fields are accepted, as in sysdig.
func ThreadTable() Option { return func(o *options) { o.threadTable = true } }

// threadTableClasses are the field classes usable in thread-table mode.
var threadTableClasses = map[string]bool{
	"process": true, "thread": true, "fd": true, "fdlist": true,
	"user": true, "group": true, "container": true,
}

var threadTableTimes = map[string]bool{
	"evt.rawtime": true, "evt.rawtime.s": true, "evt.rawtime.ns": true, "evt.time": true,
	"evt.time.s": true, "evt.datetime": true, "evt.reltime": true,
}

// Compile parses and compiles s against the field registry reg (nil means
// fields.Default). Field names and values are checked as sysdig does, with
// the same messages and positions.
func Compile(s string, reg *fields.Registry, opts ...Option) (*Filter, error) {
	if reg == nil {
		reg = fields.Default
	}
	cp := &compiler{reg: reg, checks: make(map[*Check]*check)}
	for _, o := range opts {
		o(&cp.opts)
	}
	cp.classOf = make(map[string]string)
	for _, c := range reg.Classes() {
		for i := range c.Fields {
			if _, dup := cp.classOf[c.Fields[i].Name]; !dup {
				cp.classOf[c.Fields[i].Name] = c.Name
			}
		}
	}
	ex, err := syntax.ParseWith(s, cp)
	if err != nil {
		return nil, err
	}
	f := &Filter{src: s, expr: ex}
	f.root = cp.build(f, ex.Root, OpNone)
	for _, k := range cp.order {
		f.checks = append(f.checks, k)
	}
	f.byType = f.typeVerdicts()
	return f, nil
}

type compiler struct {
	reg     *fields.Registry
	opts    options
	classOf map[string]string
	checks  map[*Check]*check
	order   []*check
	cur     *check
}

// Field implements syntax.Hooks.
func (cp *compiler) Field(c *Check) (bool, string) {
	unknown := "filter error: unrecognized field " + c.Field + " at pos " + strconv.Itoa(c.FieldPos)
	name, arg, n, ok := cp.reg.Lookup(c.Field)
	if !ok {
		return false, unknown
	}
	fi, ok := cp.reg.Field(name)
	if !ok {
		return false, unknown
	}
	// the field's own argument syntax, as sysdig parses it
	a, m, msg := fields.ParseArg(fi, c.Field)
	if msg != "" {
		return false, msg
	}
	if m == 0 {
		a, m = "", len(name) // no argument
	}
	arg, n = a, m
	if n != len(c.Field) {
		// a field that needs an argument followed by something that is
		// not one is a syntax error; anything else is an unknown field
		if fi.Flags&fields.FlagArgRequired != 0 && len(c.Field) > len(name) &&
			c.Field[len(name)] != '.' && c.Field[len(name)] != '[' {
			return false, "filter syntax error: " + c.Field
		}
		return false, unknown
	}
	class := cp.classOf[name]
	if cp.opts.threadTable && !threadTableClasses[class] && !threadTableTimes[c.Field] {
		return false, "the given filter is not supported for thread table filtering"
	}
	if arg == "" && fi.Flags&fields.FlagArgRequired != 0 {
		return false, "filter syntax error: " + c.Field
	}
	ext, err := cp.reg.Compile(name, arg)
	if err != nil {
		return false, unknown
	}
	k := &check{name: name, arg: arg, class: class, ext: ext, stateful: fi.Flags&fields.FlagStateful != 0}
	if m, ok := ext.(fields.Multi); ok {
		k.multi = m
	}
	if t, ok := ext.(fields.Texter); ok {
		k.texter = t
	}
	switch name {
	case "fd.ip", "fd.net", "fd.port", "fd.proto":
		k.bothEnds = true
	case "evt.around":
		k.around = true
		t, ok := parseUint(arg, 64)
		if !ok {
			return false, arg + " is not a valid number"
		}
		k.aroundTS = t
	case "evt.type":
		k.evtType = true
	case "fd.cip.name", "fd.sip.name", "fd.lip.name", "fd.rip.name":
		k.ipName = true
	}
	k.typ, k.bits = typeOf(fi.Type, fi.Kind)
	charbuf := fi.Type == "CHARBUF"
	if fi.Type == "DYNAMIC" {
		pt, ok := paramType(arg)
		if !ok {
			return false, "unknown event argument " + arg
		}
		k.typ, k.bits = typeOfParam(pt)
		charbuf = pt == event.PTCharBuf
	}
	cp.checks[c] = k
	cp.order = append(cp.order, k)
	cp.cur = k
	return charbuf, ""
}

// Value implements syntax.Hooks.
func (cp *compiler) Value(c *Check) string {
	k := cp.cur
	k.op = c.Op
	text := c.Values[len(c.Values)-1].Text
	if k.around {
		if c.Op != CmpEq {
			return "evt.around supports only '=' comparison operator"
		}
		d, ok := parseUint(text, 64)
		if !ok {
			return text + " is not a valid number"
		}
		k.aroundDelta = d * 1000000
		return ""
	}
	var l lit
	switch k.typ {
	case tStr, tBytes:
		if k.typ == tStr {
			if i := strings.IndexByte(text, 0); i >= 0 {
				text = text[:i]
			}
		}
		if k.evtType && !knownEventName(text) {
			return "unknown event type " + text
		}
		l.s = text
		switch c.Op {
		case CmpIn:
			if k.set == nil {
				k.set = make(map[string]struct{})
			}
			k.set[text] = struct{}{}
		case CmpPmatch:
			k.prefixes = append(k.prefixes, splitPath(text))
		}
	case tInt:
		v, ok := parseInt(text, k.bits)
		if !ok {
			return text + " is not a valid number"
		}
		l.i = v
	case tUint:
		v, ok := parseUint(text, k.bits)
		if !ok {
			return text + " is not a valid number"
		}
		l.u = v
	case tFloat:
		v, err := strconv.ParseFloat(strings.TrimLeft(text, " \t\n\v\f\r"), 64)
		if err != nil {
			return text + " is not a valid number"
		}
		l.f = v
	case tBool:
		v, ok := parseBool(text)
		if !ok {
			return "filter error: unrecognized boolean value " + text
		}
		l.u = v
	case tPort:
		v, ok := parsePort(text)
		if !ok {
			return "unrecognized protocol " + text
		}
		l.u = v
	case tIP:
		ip, msg := parseIP(text)
		if msg != "" {
			return msg
		}
		l.ip = ip
	case tNet:
		ip, mask, msg := parseNet(text)
		if msg != "" {
			return msg
		}
		l.ip, l.mask = ip, mask
	}
	k.lits = append(k.lits, l)
	return ""
}

// build turns the parsed tree into the evaluation tree.
func (cp *compiler) build(f *Filter, g *Group, op BoolOp) node {
	n := node{op: op, kids: make([]node, 0, len(g.Items))}
	for _, it := range g.Items {
		if it.Group != nil {
			n.kids = append(n.kids, cp.build(f, it.Group, it.Op))
			continue
		}
		k := cp.checks[it.Check]
		if k == nil { // parsed without hooks (cannot happen through Compile)
			k = &check{ext: nil}
		}
		k.op = it.Check.Op
		k.flt = f
		n.kids = append(n.kids, node{op: it.Op, chk: k})
	}
	return n
}

// typeOf maps a field's sysdig type name to the comparison type and the
// width of its numbers.
func typeOf(typ string, kind fields.Kind) (vtype, int) {
	switch typ {
	case "CHARBUF", "FSPATH", "FSRELPATH":
		return tStr, 0
	case "BYTEBUF":
		return tBytes, 0
	case "INT8":
		return tInt, 8
	case "INT16":
		return tInt, 16
	case "INT32":
		return tInt, 32
	case "INT64", "ERRNO", "FD", "PID":
		return tInt, 64
	case "UINT8":
		return tUint, 8
	case "UINT16":
		return tUint, 16
	case "UINT32":
		return tUint, 32
	case "UINT64", "RELTIME", "ABSTIME":
		return tUint, 64
	case "DOUBLE":
		return tFloat, 0
	case "BOOL":
		return tBool, 0
	case "PORT":
		return tPort, 0
	case "IPADDR", "IPV4ADDR", "IPV6ADDR":
		return tIP, 0
	case "IPNET", "IPV4NET", "IPV6NET":
		return tNet, 0
	}
	switch kind {
	case fields.KindInt64:
		return tInt, 64
	case fields.KindUint64, fields.KindRelTime, fields.KindAbsTime:
		return tUint, 64
	case fields.KindBool:
		return tBool, 0
	case fields.KindDouble:
		return tFloat, 0
	case fields.KindIPAddr:
		return tIP, 0
	case fields.KindIPNet:
		return tNet, 0
	case fields.KindPort:
		return tPort, 0
	case fields.KindBytes:
		return tBytes, 0
	}
	return tStr, 0
}

// typeOfParam maps an event parameter type (evt.rawarg.X) to a comparison
// type.
func typeOfParam(pt event.ParamType) (vtype, int) {
	switch pt {
	case event.PTInt8:
		return tInt, 8
	case event.PTInt16:
		return tInt, 16
	case event.PTInt32:
		return tInt, 32
	case event.PTInt64, event.PTErrno, event.PTFD, event.PTPID:
		return tInt, 64
	case event.PTUint8, event.PTFlags8, event.PTSigType:
		return tUint, 8
	case event.PTUint16, event.PTFlags16, event.PTSyscallID:
		return tUint, 16
	case event.PTUint32, event.PTFlags32, event.PTUID, event.PTGID, event.PTMode, event.PTSockFamily:
		return tUint, 32
	case event.PTUint64, event.PTRelTime, event.PTAbsTime:
		return tUint, 64
	case event.PTPort:
		return tPort, 0
	case event.PTL4Proto:
		return tUint, 8
	case event.PTBool:
		return tBool, 0
	case event.PTDouble:
		return tFloat, 0
	case event.PTIPv4Addr, event.PTIPv6Addr, event.PTIPAddr:
		return tIP, 0
	case event.PTIPv4Net, event.PTIPv6Net, event.PTIPNet:
		return tNet, 0
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		return tStr, 0
	}
	return tBytes, 0
}

// paramType returns the type of the first event parameter called name, as
// sysdig types evt.rawarg.NAME.
func paramType(name string) (event.ParamType, bool) {
	for t := event.Type(0); t.Known(); t++ {
		for _, p := range t.Info().Params {
			if p.Name == name {
				return p.Type, true
			}
		}
	}
	return 0, false
}

// knownEventName reports whether name is an event name or a syscall name,
// the values sysdig accepts for evt.type.
func knownEventName(name string) bool {
	if len(event.ByName(name)) > 0 {
		return true
	}
	for code := 0; code < event.NumSyscallCodes; code++ {
		if syscallName(uint16(code)) == name {
			return true
		}
	}
	return false
}

func syscallName(code uint16) string {
	if code == 0 {
		return "<unknown>"
	}
	return event.SyscallCodeName(code)
}
