// SPDX-License-Identifier: Apache-2.0

package event

// Snapshot is the machine state a capture starts from: what sysdig stores in
// the metadata blocks of a capture file, and what live capture reads from
// /proc when it starts. Sources hand it to the state tables before the first
// event.
type Snapshot struct {
	Machine    Machine
	Interfaces []Interface
	Users      []User
	Groups     []Group
	Threads    []Thread // one entry per thread, each with its fd table
	// Containers holds container metadata as the JSON of sysdig's
	// container events; capture writers write them as container events
	// ahead of the first event.
	Containers []string
	// Mounts is the capturing machine's mount table (its mountinfo) at
	// the start of the capture; nil when unknown (files of other writers).
	// It is the table of mount namespace MountNS, the capturing process's.
	Mounts []Mount
	// MountNS is the id (the nsfs inode of /proc/<pid>/ns/mnt) of the
	// namespace Mounts describes; 0 when unknown.
	MountNS uint64
	// MountTables holds the tables of the other mount namespaces the
	// threads are in (Thread.MntNS), one per namespace.
	MountTables []MountTable
}

// MountTable is the mount table of one mount namespace.
type MountTable struct {
	NS     uint64
	Mounts []Mount
}

// MntNSPending is the Thread.MntNS of a thread that entered a mount
// namespace (unshare, setns, clone with CLONE_NEWNS) not looked up yet.
const MntNSPending = ^uint64(0)

// Mount is one line of the capturing machine's mount table.
type Mount struct {
	ID, Parent int
	Dev        string // "major:minor"
	Root       string // root of the mount inside its file system
	Point      string // mount point
	Options    string // per-mount options
	FSType     string // "ext4", "nfs4", "fuse.sshfs", ...
	Source     string // "server:/export", "/dev/sda1", "user@host:/dir"
	SuperOpts  string // per-superblock options
}

// Machine describes the capturing host.
type Machine struct {
	NumCPUs  uint32
	MemBytes uint64
	MaxPID   uint64
	Hostname string
	BootTime uint64 // ns since epoch, 0 if unknown
}

// Interface is one network interface address.
type Interface struct {
	Name      string
	IPv6      bool
	Addr      []byte // 4 or 16 bytes, network order
	Netmask   []byte
	Broadcast []byte
	LinkSpeed uint64
}

// User is one entry of the user table.
type User struct {
	UID     uint32
	GID     uint32
	Name    string
	HomeDir string
	Shell   string
}

// Group is one entry of the group table.
type Group struct {
	GID  uint32
	Name string
}

// Thread is one entry of the process list (one per thread).
type Thread struct {
	TID, PID, PTID int64
	SID, VPGID     int64
	Comm           string
	Exe            string // argv[0]
	ExePath        string // full executable path
	Args           []string
	Cwd            string
	FDLimit        int64
	Flags          uint32
	UID, GID       uint32
	VMSizeKB       uint32
	VMRSSKB        uint32
	VMSwapKB       uint32
	PFMajor        uint64
	PFMinor        uint64
	Env            []string
	VTID, VPID     int64
	Cgroups        []string // "subsys=/path"
	Root           string
	LoginUID       int32
	ExeWritable    bool
	// MntNS is the thread's mount namespace (see Snapshot.MountNS); 0
	// when unknown: the snapshot's own namespace is assumed.
	MntNS uint64
	FDs   []FD
}

// FDType is the type of a file descriptor, numbered as in capture files.
type FDType uint8

// File descriptor types.
const (
	FDUnknown FDType = iota
	FDFile
	FDDirectory
	FDIPv4Sock
	FDIPv6Sock
	FDIPv4ServSock
	FDIPv6ServSock
	FDFIFO
	FDUnixSock
	FDEvent
	FDUnsupported
	FDSignalFD
	FDEventPoll
	FDInotify
	FDTimerFD
	FDNetlink
	FDFileV2
)

// L4 protocols as stored in fd tables.
const (
	L4Unknown uint8 = 0
	L4NA      uint8 = 1
	L4TCP     uint8 = 2
	L4UDP     uint8 = 3
	L4ICMP    uint8 = 4
	L4Raw     uint8 = 5
)

// FD is one file descriptor of a thread's fd table.
type FD struct {
	Num       int64
	Ino       uint64
	Type      FDType
	Name      string // path, pipe/unix name, ...
	OpenFlags uint32 // PPM_O_* flags (FILE_V2)
	Dev       uint32
	// Sockets: for connected sockets Src is the client side and Dst the
	// server side; for server sockets only Src/SPort are used.
	SrcIP, DstIP     []byte
	SPort, DPort     uint16
	L4Proto          uint8
	UnixSrc, UnixDst uint64
}
