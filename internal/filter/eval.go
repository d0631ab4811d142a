// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"bytes"
	"strings"
	"unsafe"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// Filter is a compiled filter. Match is not safe for concurrent use: each
// goroutine needs its own Filter.
type Filter struct {
	src    string
	expr   *Expr
	root   node
	checks []*check
	err    *Error
	// byType is indexed by event type: no where the filter cannot match
	// an event of that type whatever else it holds, yes where it matches
	// every one (nil when the type decides nothing, see typeVerdicts).
	byType []tri
}

type node struct {
	op   BoolOp
	kids []node
	chk  *check
}

type lit struct {
	s    string
	i    int64
	u    uint64
	f    float64
	ip   []byte
	mask []byte
}

type check struct {
	name, arg, class string
	ext              fields.Extractor
	multi            fields.Multi
	texter           fields.Texter
	op               CmpOp
	typ              vtype
	bits             int
	lits             []lit
	set              map[string]struct{}
	prefixes         [][]string
	bothEnds         bool // fd.ip, fd.net, fd.port, fd.proto: '!=' means no end matches
	around           bool
	aroundTS         uint64
	aroundDelta      uint64
	evtType          bool
	ipName           bool // fd.*ip.name: only '=' and '!=' on sockets
	stateful         bool // the field remembers values (fields.FlagStateful)
	flt              *Filter

	val     fields.Value
	scratch []byte
	ctx     *fields.Ctx
	seen    bool
	testFn  func(*fields.Value) bool
	existFn func(*fields.Value) bool
}

// String returns the filter text.
func (f *Filter) String() string { return f.src }

// Expr returns the parsed form of the filter.
func (f *Filter) Expr() *Expr { return f.expr }

// Err returns the error that stopped evaluation, if any: like sysdig,
// some operators are only rejected when a value is first compared (e.g.
// 'contains' on a numeric field). Once set, Match returns false; the
// caller should end the run and print the error (Error() is the bare
// message, as sysdig prints it).
func (f *Filter) Err() error {
	if f.err == nil {
		return nil
	}
	return f.err
}

func (f *Filter) fail(msg string) {
	if f.err == nil {
		f.err = &Error{Pos: -1, Msg: msg}
	}
}

// Match evaluates the filter on the current event of c.
func (f *Filter) Match(c *fields.Ctx) bool {
	if f.err != nil {
		return false
	}
	if f.byType != nil && c.Ev != nil && int(c.Ev.Type) < len(f.byType) {
		switch f.byType[c.Ev.Type] {
		case no:
			return false
		case yes:
			return true
		}
	}
	r := f.root.eval(c)
	if f.err != nil {
		return false
	}
	return r
}

func (n *node) eval(c *fields.Ctx) bool {
	if n.chk != nil {
		return n.chk.match(c)
	}
	res := true
	for j := range n.kids {
		k := &n.kids[j]
		if j == 0 {
			switch k.op {
			case OpNone:
				res = k.eval(c)
			case OpNot:
				res = !k.eval(c)
			}
			continue
		}
		switch k.op {
		case OpOr:
			if res {
				return true
			}
			res = k.eval(c)
		case OpAnd:
			if !res {
				return false
			}
			res = k.eval(c)
		case OpOrNot:
			if res {
				return true
			}
			res = !k.eval(c)
		case OpAndNot:
			if !res {
				return false
			}
			res = !k.eval(c)
		}
	}
	return res
}

func (k *check) match(c *fields.Ctx) bool {
	if k.ext == nil {
		return false
	}
	if k.around {
		if c.Ev == nil {
			return false
		}
		ts := c.Ev.TS
		lo := uint64(0)
		if k.aroundTS > k.aroundDelta {
			lo = k.aroundTS - k.aroundDelta
		}
		return ts >= lo && ts <= k.aroundTS+k.aroundDelta
	}
	if k.bothEnds {
		return k.matchEnds(c)
	}
	if k.ipName && k.op != CmpEq && k.op != CmpNe && c.State != nil {
		if fd := c.Cur().FD; fd != nil && (fd.Type == event.FDIPv4Sock || fd.Type == event.FDIPv6Sock) {
			k.flt.fail("filter error: fd.*ip.name filter only supports '=' and '!=' operators")
			return false
		}
	}
	v := &k.val
	if k.multi != nil {
		if k.testFn == nil {
			k.testFn = k.test
			k.existFn = func(*fields.Value) bool { return true }
		}
		k.ctx = c
		if k.op == CmpExists {
			return k.multi.Each(c, v, k.existFn)
		}
		return k.multi.Each(c, v, k.testFn)
	}
	if !k.ext.Extract(c, v) {
		return false
	}
	if k.op == CmpExists {
		return true
	}
	k.ctx = c
	return k.test(v)
}

// str returns the text of v for string comparisons without allocating.
func (k *check) str(v *fields.Value) string {
	if k.texter != nil && k.typ == tStr && k.multi == nil {
		k.scratch = k.texter.Text(k.ctx, v, k.scratch[:0])
		return bytesString(k.scratch)
	}
	switch v.Kind {
	case fields.KindString:
		return v.Str
	case fields.KindBytes:
		return bytesString(v.Bytes)
	}
	k.scratch = fields.AppendValue(k.scratch[:0], v)
	return bytesString(k.scratch)
}

func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func asInt(v *fields.Value) int64 {
	switch v.Kind {
	case fields.KindInt64:
		return v.Int
	case fields.KindDouble:
		return int64(v.Float)
	case fields.KindBool:
		if v.Int != 0 || v.Uint != 0 {
			return 1
		}
		return 0
	}
	return int64(v.Uint)
}

func asUint(v *fields.Value) uint64 {
	switch v.Kind {
	case fields.KindInt64:
		return uint64(v.Int)
	case fields.KindDouble:
		return uint64(v.Float)
	case fields.KindBool:
		if v.Int != 0 || v.Uint != 0 {
			return 1
		}
		return 0
	}
	return v.Uint
}

func asFloat(v *fields.Value) float64 {
	switch v.Kind {
	case fields.KindDouble:
		return v.Float
	case fields.KindInt64:
		return float64(v.Int)
	}
	return float64(v.Uint)
}

// test compares one extracted value.
func (k *check) test(v *fields.Value) bool {
	k.seen = true
	switch k.typ {
	case tStr, tBytes:
		return k.testStr(k.str(v))
	case tInt:
		x := asInt(v)
		return k.testNum(func(l *lit) int { return cmp3(x < l.i, x > l.i) })
	case tUint, tBool, tPort:
		x := asUint(v)
		if k.typ == tPort {
			x = uint64(uint16(x))
		}
		return k.testNum(func(l *lit) int { return cmp3(x < l.u, x > l.u) })
	case tFloat:
		x := asFloat(v)
		return k.testNum(func(l *lit) int { return cmp3(x < l.f, x > l.f) })
	case tIP:
		return k.testIP(v, false)
	case tNet:
		return k.testIP(v, true)
	}
	return false
}

func cmp3(lt, gt bool) int {
	if lt {
		return -1
	}
	if gt {
		return 1
	}
	return 0
}

func (k *check) testNum(cmp func(l *lit) int) bool {
	if len(k.lits) == 0 {
		return false
	}
	switch k.op {
	case CmpEq:
		return cmp(&k.lits[0]) == 0
	case CmpNe:
		return cmp(&k.lits[0]) != 0
	case CmpLt:
		return cmp(&k.lits[0]) < 0
	case CmpLe:
		return cmp(&k.lits[0]) <= 0
	case CmpGt:
		return cmp(&k.lits[0]) > 0
	case CmpGe:
		return cmp(&k.lits[0]) >= 0
	case CmpIn, CmpIntersects:
		for i := range k.lits {
			if cmp(&k.lits[i]) == 0 {
				return true
			}
		}
		return false
	case CmpContains, CmpIContains, CmpStartsWith, CmpEndsWith, CmpGlob:
		k.flt.fail("'" + k.op.String() + "' not supported for numeric filters")
	}
	return false
}

func (k *check) testStr(s string) bool {
	var l string
	if len(k.lits) > 0 {
		l = k.lits[0].s
	}
	switch k.op {
	case CmpEq:
		return s == l
	case CmpNe:
		return s != l
	case CmpLt:
		return s < l
	case CmpLe:
		return s <= l
	case CmpGt:
		return s > l
	case CmpGe:
		return s >= l
	case CmpContains:
		return strings.Contains(s, l)
	case CmpIContains:
		return containsFold(s, l)
	case CmpStartsWith:
		return strings.HasPrefix(s, l)
	case CmpEndsWith:
		return strings.HasSuffix(s, l)
	case CmpGlob:
		return glob(l, s)
	case CmpIn, CmpIntersects:
		_, ok := k.set[s]
		return ok
	case CmpPmatch:
		for _, p := range k.prefixes {
			if pathHasPrefix(s, p) {
				return true
			}
		}
	}
	return false
}

func (k *check) testIP(v *fields.Value, isNet bool) bool {
	ip := v.Bytes
	if len(ip) == 5 || len(ip) == 17 { // address + prefix length
		ip = ip[:len(ip)-1]
	}
	if len(ip) != 4 && len(ip) != 16 {
		return false
	}
	switch k.op {
	case CmpEq, CmpIn, CmpIntersects:
		for i := range k.lits {
			if ipMatch(ip, &k.lits[i], isNet) {
				return true
			}
		}
		return false
	case CmpNe:
		return len(k.lits) > 0 && !ipMatch(ip, &k.lits[0], isNet)
	}
	if k.bothEnds {
		k.flt.fail("filter error: IP filter only supports '=' and '!=' operators")
		return false
	}
	what := "ipv6 addresses"
	switch {
	case isNet && len(ip) == 4:
		what = "ipv4 networks"
	case isNet:
		what = "ipv6 networks"
	case len(ip) == 4:
		what = "ipv4 addresses"
	}
	switch k.op {
	case CmpContains, CmpIContains, CmpStartsWith, CmpGlob:
		k.flt.fail("'" + k.op.String() + "' not supported for " + what)
	default:
		k.flt.fail("comparison operator not supported for " + what)
	}
	return false
}

// ipMatch compares an address with a literal address or network. When
// the families differ, the shorter (IPv4) one is compared as if zero
// extended to 16 bytes, as sysdig's fixed-size comparison does.
func ipMatch(ip []byte, l *lit, isNet bool) bool {
	lip := l.ip
	if len(ip) != len(lip) {
		short, long := ip, lip
		if len(short) > len(long) {
			short, long = long, short
		}
		for _, x := range long[len(short):] {
			if x != 0 {
				return false
			}
		}
		ip, lip = ip[:len(short)], lip[:len(short)]
	}
	if isNet && l.mask != nil && len(ip) == 4 {
		for i := range ip {
			if ip[i]&l.mask[i] != lip[i] {
				return false
			}
		}
		return true
	}
	return bytes.Equal(ip, lip)
}

// matchEnds evaluates fd.ip, fd.net, fd.port and fd.proto, which sysdig
// compares against both ends of the event's socket (the addresses and
// ports stored in the fd table, zero while a socket is unconnected): '='
// and the order operators hold when either end matches, '!=' when
// neither does.
func (k *check) matchEnds(c *fields.Ctx) bool {
	if c.State == nil {
		return false
	}
	fd := c.Cur().FD
	if fd == nil {
		return false
	}
	var a, b []byte
	var pa, pb uint16
	switch fd.Type {
	case event.FDIPv4Sock:
		a, b, pa, pb = fd.SIP[:4], fd.DIP[:4], fd.SPort, fd.DPort
	case event.FDIPv6Sock:
		a, b, pa, pb = fd.SIP[:], fd.DIP[:], fd.SPort, fd.DPort
	case event.FDIPv4ServSock:
		a, b, pa, pb = fd.SIP[:4], fd.SIP[:4], fd.SPort, fd.SPort
	case event.FDIPv6ServSock:
		a, b, pa, pb = fd.SIP[:], fd.SIP[:], fd.SPort, fd.SPort
	default:
		return false
	}
	if k.typ == tPort {
		switch k.op {
		case CmpNe:
			return len(k.lits) > 0 && uint64(pa) != k.lits[0].u && uint64(pb) != k.lits[0].u
		case CmpEq, CmpLt, CmpLe, CmpGt, CmpGe, CmpIn, CmpIntersects:
			return k.portTest(pa) || k.portTest(pb)
		}
		k.flt.fail("filter error: unsupported port comparison operator")
		return false
	}
	isNet := k.typ == tNet
	switch k.op {
	case CmpEq, CmpIn, CmpIntersects:
		for i := range k.lits {
			if ipMatch(a, &k.lits[i], isNet) || ipMatch(b, &k.lits[i], isNet) {
				return true
			}
		}
		return false
	case CmpNe:
		return len(k.lits) > 0 && !ipMatch(a, &k.lits[0], isNet) && !ipMatch(b, &k.lits[0], isNet)
	}
	k.flt.fail("filter error: IP filter only supports '=' and '!=' operators")
	return false
}

func (k *check) portTest(p uint16) bool {
	x := uint64(p)
	return k.testNum(func(l *lit) int { return cmp3(x < l.u, x > l.u) })
}
