// SPDX-License-Identifier: Apache-2.0

package live

import (
	"fmt"

	"github.com/ferret-observability/ferret/internal/event"
)

// pd says where one parameter comes from.
type pd struct{ src, arg, conv uint8 }

func arg(i uint8) pd                { return pd{srcArg, i, cvNone} }
func fdArg(i uint8) pd              { return pd{srcArg, i, cvS32} }
func conv(i, cv uint8) pd           { return pd{srcArg, i, cv} }
func ustr(i uint8) pd               { return pd{srcUStr, i, 0} }
func ubuf(i uint8) pd               { return pd{srcUBuf, i, 0} }
func tuple(i, dir uint8) pd         { return pd{srcTuple, i, dir} }
func cnst(v uint8) pd               { return pd{srcConst, v, 0} }
func proc(f uint8) pd               { return pd{srcProc, 0, f} }
func uintAt(i, idx uint8) pd        { return pd{srcUintAt, i, idx} }
func u64At(i, idx, cv uint8) pd     { return pd{srcU64At, i | idx<<4, cv} }
func openMode(m, flags uint8) pd    { return pd{srcOpenMode, m, flags} }
func exitField(f uint8) pd          { return pd{srcExit, 0, f} }
func fdlist(i, revents uint8) pd    { return pd{srcFDList, i, revents} }
func dynArg(i, index uint8) pd      { return pd{srcDynArg, i, index} }
func sockAt(i, idx uint8) pd        { return pd{srcSockAddr, i, idx} }
func withRet(ps ...pd) []pd         { return append([]pd{rv}, ps...) }
func pds(ps ...pd) []pd             { return ps }
func same(ps []pd, more ...pd) []pd { return append(append([]pd(nil), ps...), more...) }

var (
	rv       = pd{srcRet, 0, cvNone}
	none     = pd{srcNone, 0, 0}
	fdDev    = pd{srcFDDev, 0, 0}
	tupleRet = pd{srcTupleRet, 0, tupIn}
	vmSizes  = []pd{proc(procVMSize), proc(procVMRSS), proc(procVMSwap)}
)

// Process description shared by the clone family and the execve family.
var (
	procHead = []pd{rv, proc(procExe), proc(procArgs), proc(procTID), proc(procPID), proc(procPTID), {srcCwd, 0, 0},
		proc(procFDLimit), proc(procPgftMaj), proc(procPgftMin), proc(procVMSize), proc(procVMRSS),
		proc(procVMSwap), proc(procComm), proc(procCgroups)}
	cloneExit = same(procHead, proc(procCloneFlags), proc(procUID), proc(procGID), proc(procVTID), proc(procVPID))
	execExit  = same(procHead, proc(procEnv), proc(procTTY), proc(procPGID), proc(procLoginUID), proc(procExecFlags))
	// queue of the listening socket (after this accept): percent, length, limit
	acceptX = withRet(tupleRet, pd{srcBacklog, 0, 0}, pd{srcBacklog, 0, 1}, pd{srcBacklog, 0, 2})
)

// specs maps each event type the probe emits to its parameter sources, in
// the order of the event table. Syscalls whose dedicated events are not
// listed here are recorded as generic events.
var specs = map[event.Type][]pd{
	0: {{srcSCCode, 0, 0}, {srcNativeID, 0, 0}},
	// The generic exit carries the return value after the syscall code: an
	// extra trailing parameter that readers of the event table ignore, and
	// that per-command tracing shows as the call's result.
	1:   {{srcSCCode, 0, 0}, rv},
	2:   {ustr(0), conv(1, cvOpenFlags), openMode(2, 1)},
	3:   withRet(ustr(0), conv(1, cvOpenFlags), openMode(2, 1), fdDev),
	4:   {fdArg(0)},
	5:   {rv},
	6:   {fdArg(0), arg(2)},
	7:   {rv, ubuf(1)},
	8:   {fdArg(0), arg(2)},
	9:   {rv, ubuf(1)},
	18:  {arg(0), arg(1), arg(2)},
	19:  {rv},
	20:  {fdArg(0)},
	21:  {rv, {srcSockaddr, 1, 0}},
	22:  {fdArg(0), {srcSockaddr, 1, 0}},
	23:  {rv, tuple(0, tupOut)},
	24:  {fdArg(0), arg(1)},
	25:  {rv},
	30:  {fdArg(0), arg(2), tuple(0, tupOut|tupUserAddr)},
	31:  {rv, ubuf(1)},
	34:  {fdArg(0), arg(2)},
	35:  {rv, ubuf(1), tuple(0, tupIn|tupUserAddrP)},
	36:  {fdArg(0), arg(1)},
	37:  {rv},
	38:  {},
	39:  {},
	40:  {},
	41:  {},
	42:  {arg(0), arg(1), arg(2)},
	43:  {rv, uintAt(3, 0), uintAt(3, 1), sockAt(3, 0), sockAt(3, 1)},
	44:  {},
	45:  {rv, fdArg(0), conv(1, cvSockLevel), arg(2), dynArg(4, 2), arg(4)},
	46:  {},
	47:  {rv, fdArg(0), conv(1, cvSockLevel), arg(2), dynArg(4, 3), cnst(0)},
	48:  {fdArg(0), {srcMsgSize, 1, 0}, tuple(0, tupOut|tupMsgName)},
	49:  {rv, {srcMsgIOV, 1, 0}},
	50:  {},
	51:  {},
	52:  {fdArg(0)},
	53:  {rv, {srcMsgSize, 1, 0}, {srcMsgIOV, 1, 0}, tuple(0, tupIn|tupMsgName)},
	54:  {},
	55:  {},
	58:  {ustr(0), arg(1)},
	59:  withRet(ustr(0), arg(1), fdDev),
	60:  {},
	61:  {rv, uintAt(0, 0), uintAt(0, 1), {srcPipeIno, 0, 0}},
	62:  {arg(0), arg(1)},
	63:  {rv},
	64:  {arg(0), arg(1), arg(2)},
	65:  {rv},
	66:  {},
	67:  {rv, ustr(0)},
	68:  {},
	69:  {rv, ustr(0)},
	70:  {fdArg(0)},
	71:  {rv},
	78:  {arg(2)},
	79:  {rv},
	80:  {fdlist(0, 0), conv(2, cvS32)},
	81:  {rv, fdlist(0, 1)},
	82:  {},
	83:  {rv},
	86:  {fdArg(0), arg(1), arg(2)},
	87:  {rv},
	92:  {},
	93:  {rv, ustr(0)},
	94:  {},
	95:  {rv, ustr(0)},
	96:  {fdArg(0)},
	97:  {rv},
	112: {fdArg(0), arg(2), arg(3)},
	113: {rv, ubuf(1)},
	114: {fdArg(0), arg(2), arg(3)},
	115: {rv, ubuf(1)},
	116: {fdArg(0)},
	117: {rv, {srcIOVSize, 1, 0}, {srcIOV, 1, 0}},
	118: {fdArg(0), {srcIOVSize, 1, 0}},
	119: {rv, {srcIOV, 1, 0}},
	120: {fdArg(0), arg(3)},
	121: {rv, {srcIOVSize, 1, 0}, {srcIOV, 1, 0}},
	122: {fdArg(0), {srcIOVSize, 1, 0}, arg(3)},
	123: {rv, {srcIOV, 1, 0}},
	124: {fdArg(0)},
	125: {rv},
	126: {fdArg(0), cnst(0), cnst(0)},
	127: {rv},
	128: {conv(0, cvS32), arg(1)},
	129: {rv},
	130: {conv(0, cvS32), arg(1)},
	131: {rv},
	132: {conv(0, cvS32), conv(1, cvS32), arg(2)},
	133: {rv},
	134: {{srcTimespec, 0, 0}},
	135: {rv},
	136: {arg(0), arg(1)},
	137: {rv},
	138: {arg(0)},
	139: {rv},
	140: {arg(0)},
	141: {rv, u64At(1, 0, cvNone), u64At(1, 1, cvNone)},
	142: {arg(0)},
	143: {rv, u64At(1, 0, cvNone), u64At(1, 1, cvNone)},
	144: {conv(0, cvS32), arg(1)},
	145: {rv, u64At(2, 0, cvNone), u64At(2, 1, cvNone), u64At(3, 0, cvNone), u64At(3, 1, cvNone)},
	150: {fdArg(0), conv(1, cvFcntl)},
	151: {rv},
	152: {rv, proc(procPgftMaj), proc(procPgftMin), proc(procVMSize), proc(procVMRSS), proc(procVMSwap)},
	158: {arg(0)},
	159: same(pds(rv), vmSizes...),
	160: {arg(0), arg(1), conv(2, cvProt), conv(3, cvMmapFlags), fdArg(4), arg(5)},
	161: same(pds(rv), vmSizes...),
	164: {arg(0), arg(1)},
	165: same(pds(rv), vmSizes...),
	166: {fdArg(0), fdArg(2), arg(4), arg(5)},
	167: {rv},
	168: {arg(0), conv(1, cvS32)},
	169: {rv, dynArg(2, 0), dynArg(3, 0)},
	170: {fdArg(0), arg(1), arg(2)},
	171: {rv},
	174: {},
	175: {rv, ustr(0), ustr(1)},
	176: {},
	177: {rv, fdArg(0), ustr(1), fdArg(2), ustr(3)},
	178: {},
	179: {rv, ustr(0), ustr(1)},
	180: {},
	181: {rv, ustr(0), fdArg(1), ustr(2)},
	232: {arg(0), arg(1), arg(2), conv(3, cvS32), arg(4), arg(5), rv, {srcNativeID, 0, 0}},
	234: {arg(0), arg(1)}, // procinfo: user and system ticks (on_procinfo)
	186: {exitField(exitStatus), exitField(exitRet), exitField(exitSig), exitField(exitCore)},
	188: {fdArg(0), fdArg(1), u64At(2, 0, cvNone), arg(3)},
	189: {rv, u64At(2, 0, cvNone)},
	192: {arg(0), arg(1), arg(2)},
	193: {rv},
	194: {arg(0), arg(1), arg(2)},
	195: {rv},
	198: {arg(0)},
	199: {rv},
	200: {arg(0)},
	201: {rv},
	202: {},
	203: {rv},
	204: {},
	205: {rv},
	206: {},
	207: {rv},
	208: {},
	209: {rv},
	210: {},
	211: {rv, uintAt(0, 0), uintAt(1, 0), uintAt(2, 0)},
	212: {},
	213: {rv, uintAt(0, 0), uintAt(1, 0), uintAt(2, 0)},
	222: {},
	223: cloneExit,
	224: {},
	225: cloneExit,
	226: {},
	227: cloneExit,
	236: {fdArg(0)},
	237: {rv},
	238: {fdArg(0)},
	239: {rv},
	240: {fdArg(0), conv(1, cvCloneFlag)},
	241: {rv},
	242: {fdArg(0), arg(1)},
	243: {rv},
	246: {},
	247: acceptX,
	248: {arg(3)},
	249: acceptX,
	254: {fdlist(0, 0), {srcTimespec, 2, 0}, cnst(0)},
	255: {rv, fdlist(0, 1)},
	256: {conv(3, cvMount)},
	257: {rv, ustr(0), ustr(1), ustr(2)},
	258: {arg(1)},
	259: {rv, ustr(0)},
	264: {conv(1, cvAccess)},
	265: {rv, ustr(0)},
	266: {},
	267: {rv, ustr(0)},
	274: {},
	275: {rv},
	276: {arg(1)},
	277: {rv, ustr(0)},
	278: {},
	279: {rv, ustr(0)},
	284: {conv(0, cvCloneFlag)},
	285: {rv},
	292: {ustr(0)},
	293: execExit,
	294: {conv(0, cvS32), conv(1, cvS32)},
	295: {rv},
	298: {arg(0)},
	299: {rv},
	300: {},
	301: {rv, ustr(0)},
	302: {},
	303: {rv, fdArg(0), ustr(1), arg(2)},
	304: {},
	305: {rv, fdArg(0), ustr(1), arg(2)},
	306: {fdArg(0), ustr(1), conv(2, cvOpenFlags), openMode(3, 2)},
	307: withRet(fdArg(0), ustr(1), conv(2, cvOpenFlags), openMode(3, 2), fdDev),
	308: {},
	309: {rv, ustr(0), ustr(1)},
	310: {},
	311: {rv, fdArg(0), ustr(1), fdArg(2), ustr(3), arg(4)},
	312: {},
	313: {rv, fdArg(0), ustr(1), arg(2)},
	314: {},
	315: {rv, ustr(0), arg(1)},
	316: {},
	317: {rv, fdArg(0), arg(1)},
	318: {},
	319: {rv, fdArg(0), ustr(1), fdArg(2), ustr(3), arg(4)},
	320: {},
	321: {rv, arg(0)},
	326: {fdArg(0), ustr(1), u64At(2, 0, cvOpenFlags), u64At(2, 1, cvNone), u64At(2, 2, cvResolve)},
	327: withRet(fdArg(0), ustr(1), u64At(2, 0, cvOpenFlags), u64At(2, 1, cvNone), u64At(2, 2, cvResolve)),
	328: {arg(0), arg(1), conv(2, cvProt)},
	329: {rv},
	330: {fdArg(0), ustr(1), conv(4, cvExecveat)},
	331: execExit,
	332: {fdArg(0), u64At(1, 0, cvNone), arg(4)},
	333: {rv, fdArg(2), u64At(3, 0, cvNone)},
	334: {},
	335: cloneExit,
}

// width returns the stored size of a fixed-size parameter type, 0 for
// variable-size ones.

// trailing lists parameters the probe appends after an event's table
// parameters. Readers ignore parameters beyond the table's (sysdig does too).
var trailing = map[event.Type][]event.ParamType{
	event.GenericX: {event.PTErrno}, // the call's return value
	// si_code and the first 28 bytes of the siginfo union
	event.SignalDelivE: {event.PTInt32, event.PTUint64, event.PTUint64, event.PTUint64, event.PTUint32},
}

// buildDescs turns specs into the probe's descriptor records, checking each
// against the event table.
func buildDescs() (map[event.Type]ProbeEdesc, error) {
	out := make(map[event.Type]ProbeEdesc, len(specs))
	for t, ps := range specs {
		info := t.Info()
		if info == nil {
			return nil, fmt.Errorf("live: descriptor for unknown event type %d", t)
		}
		types := make([]event.ParamType, 0, len(info.Params)+len(trailing[t]))
		for _, p := range info.Params {
			types = append(types, p.Type)
		}
		types = append(types, trailing[t]...)
		if len(ps) != len(types) || len(ps) > maxParams {
			return nil, fmt.Errorf("live: descriptor for %s (%d) has %d parameters, the table %d",
				info.Name, t, len(ps), len(types))
		}
		var d ProbeEdesc
		d.Nparams = uint32(len(ps))
		for i, p := range ps {
			d.P[i].Src = p.src
			d.P[i].Arg = p.arg
			d.P[i].Conv = p.conv
			d.P[i].Width = uint8(types[i].Size())
		}
		out[t] = d
	}
	return out, nil
}

// buildRoutes returns, for each native syscall number, the events the probe
// emits and whether it is kept, plus whether procexit events are kept.
func buildRoutes(opts Options) (routes [nrSyscalls]ProbeRoute, keepExit bool) {
	routes, keepExit, _ = buildFilters(opts)
	return routes, keepExit
}

// buildFilters is buildRoutes plus whether signal deliveries are kept.
func buildFilters(opts Options) (routes [nrSyscalls]ProbeRoute, keepExit, keepSignal bool) {
	keepType := map[event.Type]bool{}
	for _, t := range opts.EventTypes {
		keepType[t] = true
	}
	keepName := map[string]bool{}
	for _, n := range opts.Syscalls {
		keepName[n] = true
	}
	all := len(keepType) == 0 && len(keepName) == 0
	var routed [nrSyscalls]bool
	for _, r := range event.Routes() {
		if r.Nr < 0 || r.Nr >= nrSyscalls {
			continue
		}
		routed[r.Nr] = true
		enter, exit := r.Enter, r.Exit
		_, okE := specs[enter]
		_, okX := specs[exit]
		if enter == event.GenericE || !okE || !okX {
			enter, exit = event.GenericE, event.GenericX
		}
		name := event.NativeName(r.Nr)
		keep := all || keepType[enter] || keepType[exit] || keepName[name]
		if enter == event.GenericE && keepType[event.GenericE] {
			keep = true
		}
		if r.Code == 0 && enter == event.GenericE && !opts.Uncoded {
			// no portable code: sysdig cannot name it either
			keep = false
		}
		routes[r.Nr] = ProbeRoute{Enter: uint16(enter), Exit: uint16(exit), Code: r.Code, Keep: b8(keep), State: b8(enter.ChangesState() || exit.ChangesState())}
		if opts.Raw != nil {
			routes[r.Nr] = rawRoute(r.Nr, r.Code, all || keepName[name] || keepType[event.GenericE])
		}
	}
	if opts.Uncoded || opts.Raw != nil {
		// Syscalls missing from the routing table (newer than it) become
		// generic events with code 0.
		for nr := 0; nr < nrSyscalls; nr++ {
			name := event.NativeName(nr)
			if routed[nr] || name == "" {
				continue
			}
			keep := all || keepType[event.GenericE] || keepName[name]
			routes[nr] = ProbeRoute{Enter: uint16(event.GenericE), Exit: uint16(event.GenericX), Keep: b8(keep)}
			if opts.Raw != nil {
				routes[nr] = rawRoute(nr, 0, keep)
			}
		}
	}
	keepExit = all || keepType[event.ProcExit1E]
	keepSignal = all || keepType[event.SignalDelivE]
	return routes, keepExit, keepSignal
}

func b8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// rawRoute routes syscall nr to raw records (see event.RawSyscall).
func rawRoute(nr int, code uint16, keep bool) ProbeRoute {
	return ProbeRoute{Enter: uint16(event.GenericE), Exit: uint16(event.GenericX), Code: code, Keep: b8(keep),
		Denter: uint16(nrEventDescs + 2*nr), Dexit: uint16(nrEventDescs + 2*nr + 1)}
}

// rawPD is one parameter source of a raw record.
type rawPD struct{ Src, Arg, Conv, Width uint8 }

// rawCopy returns the parameter source of one raw copy.
func rawCopy(c event.RawCopy) (rawPD, error) {
	p := rawPD{Arg: c.Arg}
	if c.Arg > 5 && c.Kind != event.RawStack && c.Kind != event.RawUserStack && c.Kind != event.RawLinkMap {
		return p, fmt.Errorf("live: raw copy of argument %d", c.Arg)
	}
	switch c.Kind {
	case event.RawStr:
		p.Src = srcUStr
	case event.RawFixed:
		p.Src, p.Conv, p.Width = srcUMem, uint8(c.N), uint8(c.N>>8)
	case event.RawArgLen:
		p.Src, p.Conv, p.Width = srcUMemALen, uint8(c.N), c.Unit
	case event.RawPtrLen:
		p.Src, p.Conv = srcUMemPLen, uint8(c.N)
	case event.RawRetLen:
		p.Src, p.Conv = srcUMemRLen, uint8(c.N)
	case event.RawStrv:
		p.Src = srcStrv
	case event.RawPtrCount:
		p.Src, p.Width = srcPtrCount, 8
	case event.RawStack:
		p.Src, p.Conv, p.Width = srcUMemSP, uint8(c.N), uint8(c.N>>8)
	case event.RawIovec:
		p.Src, p.Conv, p.Width = srcUMemIov, uint8(c.N), c.Unit
	case event.RawMsghdr:
		p.Src, p.Conv, p.Width = srcUMemMsg, uint8(c.N), c.Unit
	case event.RawLinkMap:
		p.Src = srcLinkMap
	case event.RawUserStack:
		p.Src, p.Conv, p.Width = srcUStack, uint8(c.N), uint8(c.N>>8)
	default:
		return p, fmt.Errorf("live: raw copy of kind %d", c.Kind)
	}
	return p, nil
}

// buildRawDescs returns the descriptors of the raw records of every
// syscall, keyed as the probe looks them up.
func buildRawDescs(raw []event.RawSyscall) (map[uint32]ProbeEdesc, error) {
	out := make(map[uint32]ProbeEdesc, 2*nrSyscalls)
	for nr := 0; nr < nrSyscalls; nr++ {
		var rs event.RawSyscall
		if nr < len(raw) {
			rs = raw[nr]
		}
		enter := []rawPD{{Src: srcSCCode, Width: 2}, {Src: srcNativeID, Width: 2}}
		for i := uint8(0); i < 6; i++ {
			enter = append(enter, rawPD{Src: srcArg, Arg: i, Width: 8})
		}
		exit := []rawPD{{Src: srcSCCode, Width: 2}, {Src: srcRet, Width: 8}}
		for _, c := range rs.Enter {
			p, err := rawCopy(c)
			if err != nil {
				return nil, err
			}
			enter = append(enter, p)
		}
		for _, c := range rs.Exit {
			p, err := rawCopy(c)
			if err != nil {
				return nil, err
			}
			exit = append(exit, p)
		}
		for k, ps := range [2][]rawPD{enter, exit} {
			if len(ps) > maxParams {
				return nil, fmt.Errorf("live: raw record of syscall %d has %d parameters", nr, len(ps))
			}
			var d ProbeEdesc
			d.Nparams = uint32(len(ps))
			for i, p := range ps {
				d.P[i].Src, d.P[i].Arg, d.P[i].Conv, d.P[i].Width = p.Src, p.Arg, p.Conv, p.Width
			}
			out[uint32(nrEventDescs+2*nr+k)] = d
		}
	}
	return out, nil
}
