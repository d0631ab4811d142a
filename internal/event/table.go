// SPDX-License-Identifier: Apache-2.0

package event

//go:generate go run ../../tools/genevents -spec spec/events.json -go table_gen.go -c ../../bpf/include/events_gen.h

// Type is an event type id (sysdig's PPME_* numbering). Enter events have even
// ids and their exit event is id+1.
type Type uint16

// ParamType is the encoding of one event parameter (sysdig's PT_* numbering).
type ParamType uint8

// Parameter types.
const (
	PTNone ParamType = iota
	PTInt8
	PTInt16
	PTInt32
	PTInt64
	PTUint8
	PTUint16
	PTUint32
	PTUint64
	PTCharBuf
	PTByteBuf
	PTErrno
	PTSockAddr
	PTSockTuple
	PTFD
	PTPID
	PTFDList
	PTFSPath
	PTSyscallID
	PTSigType
	PTRelTime
	PTAbsTime
	PTPort
	PTL4Proto
	PTSockFamily
	PTBool
	PTIPv4Addr
	PTDyn
	PTFlags8
	PTFlags16
	PTFlags32
	PTUID
	PTGID
	PTDouble
	PTSigSet
	PTCharBufArray
	PTCharBufPairArray
	PTIPv4Net
	PTIPv6Addr
	PTIPv6Net
	PTIPAddr
	PTIPNet
	PTMode
	PTFSRelPath
)

var paramTypeNames = [...]string{"NONE", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
	"CHARBUF", "BYTEBUF", "ERRNO", "SOCKADDR", "SOCKTUPLE", "FD", "PID", "FDLIST", "FSPATH", "SYSCALLID",
	"SIGTYPE", "RELTIME", "ABSTIME", "PORT", "L4PROTO", "SOCKFAMILY", "BOOL", "IPV4ADDR", "DYN", "FLAGS8",
	"FLAGS16", "FLAGS32", "UID", "GID", "DOUBLE", "SIGSET", "CHARBUFARRAY", "CHARBUF_PAIR_ARRAY", "IPV4NET",
	"IPV6ADDR", "IPV6NET", "IPADDR", "IPNET", "MODE", "FSRELPATH"}

// String returns the type's name as `sysdig -L` prints it.
func (t ParamType) String() string {
	if int(t) < len(paramTypeNames) {
		return paramTypeNames[t]
	}
	return "UNKNOWN"
}

// PrintFmt says how a numeric parameter is rendered.
type PrintFmt uint8

// Print formats.
const (
	FmtNA PrintFmt = iota
	FmtDec
	FmtHex
	Fmt10PaddedDec
	FmtID
	FmtDir
	FmtOct
)

// Category is an event category (sysdig's EC_* numbering).
type Category uint16

// Categories.
const (
	CatUnknown    Category = 0
	CatOther      Category = 1
	CatFile       Category = 2
	CatNet        Category = 3
	CatIPC        Category = 4
	CatMemory     Category = 5
	CatProcess    Category = 6
	CatSleep      Category = 7
	CatSystem     Category = 8
	CatSignal     Category = 9
	CatUser       Category = 10
	CatTime       Category = 11
	CatProcessing Category = 12
	CatIORead     Category = 32
	CatIOWrite    Category = 33
	CatIOOther    Category = 34
	CatWait       Category = 64
	CatScheduler  Category = 128
	CatInternal   Category = 256
)

// String returns the category name as sysdig's evt.category field shows it.
func (c Category) String() string {
	switch c {
	case CatOther:
		return "other"
	case CatFile:
		return "file"
	case CatNet:
		return "net"
	case CatIPC:
		return "IPC"
	case CatMemory:
		return "memory"
	case CatProcess:
		return "process"
	case CatSleep:
		return "sleep"
	case CatSystem:
		return "system"
	case CatSignal:
		return "signal"
	case CatUser:
		return "user"
	case CatTime:
		return "time"
	case CatProcessing:
		return "processing"
	case CatIORead, CatIOWrite, CatIOOther:
		return "I/O" // evt.category names the kind of descriptor instead
	case CatWait:
		return "wait"
	case CatScheduler:
		return "scheduler"
	case CatInternal:
		return "internal"
	}
	return "unknown"
}

// Flags are per-event-type properties (sysdig's EF_* numbering).
type Flags uint32

// Event flags.
const (
	FlagCreatesFD      Flags = 1 << 0
	FlagDestroysFD     Flags = 1 << 1
	FlagUsesFD         Flags = 1 << 2
	FlagReadsFromFD    Flags = 1 << 3
	FlagWritesToFD     Flags = 1 << 4
	FlagModifiesState  Flags = 1 << 5
	FlagUnused         Flags = 1 << 6
	FlagWaits          Flags = 1 << 7
	FlagSkipParseReset Flags = 1 << 8
	FlagOldVersion     Flags = 1 << 9
	FlagDropSimpleCons Flags = 1 << 10
	FlagLargePayload   Flags = 1 << 11
)

// FlagName is one named value of a flags or enum parameter.
type FlagName struct {
	Name  string
	Value uint32
}

// ParamInfo describes one parameter of an event type.
type ParamInfo struct {
	Name  string
	Type  ParamType
	Fmt   PrintFmt
	Flags []FlagName  // named values for FLAGS8/16/32 and MODE parameters
	Dyn   []ParamInfo // possible real types of a DYN parameter, by index byte
	DirFD int         // for FSRELPATH: index of the dirfd parameter, or -1
}

// Info describes one event type.
type Info struct {
	Name     string
	Category Category
	Flags    Flags
	Params   []ParamInfo
}

// Info returns the table entry of t, or nil when t is outside the table.
func (t Type) Info() *Info {
	if int(t) >= MaxType {
		return nil
	}
	return &table[t]
}

// ChangesState reports whether events of type t update ferret's process,
// fd or mount tables: the types sysdig flags as modifying state, creating
// or destroying an fd, and unshare and setns (which move a thread to
// another mount namespace). Filtered live captures always deliver them,
// and fat capture files keep them.
func (t Type) ChangesState() bool {
	const stateFlags = FlagModifiesState | FlagCreatesFD | FlagDestroysFD
	i := t.Info()
	if i == nil {
		return false
	}
	return i.Flags&stateFlags != 0 || t.MountNSState()
}

// MountNSState reports whether t may change ferret's mount-namespace
// state, which sysdig does not flag: unshare and setns (which may move a
// thread to another namespace), and the infrastructure events that carry
// ferret's mount-namespace records in capture files.
func (t Type) MountNSState() bool {
	i := t.Info()
	return i != nil && (i.Name == "unshare" || i.Name == "setns" || t == EvInfraE)
}

// Known reports whether t is inside the event table.
func (t Type) Known() bool { return int(t) < MaxType }

// IsEnter reports whether t is an enter event ('>').
func (t Type) IsEnter() bool { return t%2 == 0 }

// Dir returns ">" for enter events and "<" for exit events.
func (t Type) Dir() string {
	if t.IsEnter() {
		return ">"
	}
	return "<"
}

// Name returns the event's name, e.g. "openat".
func (t Type) Name() string {
	if i := t.Info(); i != nil {
		return i.Name
	}
	return "unknown"
}

// LargePayload reports whether t uses u32 parameter lengths.
func (t Type) LargePayload() bool {
	i := t.Info()
	return i != nil && i.Flags&FlagLargePayload != 0
}

// Well-known event types referenced by code (the ones the probe emits),
// by the layout the probe writes.
const (
	GenericE     = EvSyscallE
	GenericX     = EvSyscallX
	SchedSwitch  = EvSwitchE152
	ProcExit1E   = EvProcexitE186
	ProcInfoE    = EvProcinfoE
	ContainerE   = EvContainerE272
	Container2E  = EvContainerE324
	DropE        = EvDropE
	DropX        = EvDropX
	SignalDelivE = EvSignaldeliverE
)

// ByName returns every event type whose name is name (both directions, all
// layout versions), in id order.
func ByName(name string) []Type {
	var out []Type
	for i := range table {
		if table[i].Name == name {
			out = append(out, Type(i))
		}
	}
	return out
}

// SyscallCodeName returns the name of a portable syscall code (PT_SYSCALLID
// values carried by generic events), or "<unknown>".
func SyscallCodeName(code uint16) string {
	if int(code) < len(scNames) && code != 0 {
		return scNames[code]
	}
	return "<unknown>"
}

// SyscallCodeCategory returns the category of a portable syscall code, the
// category of the generic event that carries it (CatUnknown when the code
// is out of range).
func SyscallCodeCategory(code uint16) Category {
	if int(code) < len(scCats) {
		return scCats[code]
	}
	return CatUnknown
}

// NumSyscallCodes is the number of portable syscall codes.
const NumSyscallCodes = len(scNames)

// SyscallRoute says how a native syscall number is recorded.
type SyscallRoute struct {
	Nr    int
	Flags uint8 // 1 used, 2 never drop, 4 always drop
	Enter Type  // dedicated enter event, or GenericE
	Exit  Type
	Code  uint16 // portable code for generic events
}

// Routes returns the routing of the native syscall numbers of the
// architecture ferret is built for (x86-64 or arm64).
func Routes() []SyscallRoute { return native.routes }

// NativeName returns the kernel's name for native syscall nr.
func NativeName(nr int) string { return native.names[nr] }

// NativeNumber returns the native number of the named syscall.
func NativeNumber(name string) (int, bool) {
	for nr, n := range native.names {
		if n == name {
			return nr, true
		}
	}
	return 0, false
}

// Size returns the fixed encoded size of a value of type t in bytes, or 0
// for variable-length types (strings, buffers, addresses, DYN).
func (t ParamType) Size() int {
	switch t {
	case PTInt8, PTUint8, PTFlags8, PTSigType, PTL4Proto, PTSockFamily:
		return 1
	case PTInt16, PTUint16, PTFlags16, PTSyscallID, PTPort:
		return 2
	case PTInt32, PTUint32, PTFlags32, PTUID, PTGID, PTMode, PTSigSet, PTBool, PTIPv4Addr:
		return 4
	case PTInt64, PTUint64, PTErrno, PTFD, PTPID, PTRelTime, PTAbsTime, PTDouble:
		return 8
	}
	return 0
}
