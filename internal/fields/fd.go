// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/state"
)

// CurFD returns the fd the current event refers to, or nil. Field classes
// registered from other files use it to reach the fd's path and device.
func (c *Ctx) CurFD() *state.FD { return c.State.Cur().FD }

func fdStr(name, desc string, f func(c *Ctx, fd *state.FD, b []byte) ([]byte, bool)) Field {
	return strField(name, "CHARBUF", desc, func(c *Ctx, b []byte) ([]byte, bool) {
		fd := c.CurFD()
		if fd == nil {
			return b, false
		}
		return f(c, fd, b)
	})
}

func fdVal(name, typ, desc string, flags FieldFlags, f func(c *Ctx, fd *state.FD, v *Value) bool) Field {
	fl := simple(name, typ, desc, func(c *Ctx, v *Value) bool {
		fd := c.CurFD()
		if fd == nil {
			return false
		}
		return f(c, fd, v)
	})
	fl.Flags = flags
	return fl
}

// side selects an endpoint of a socket.
type side uint8

const (
	sideClient side = iota
	sideServer
	sideLocal
	sideRemote
	sideAny
)

func localIsClient(c *Ctx, fd *state.FD) bool { return c.State.LocalIsClient(fd) }

// endpoint returns the address and port of one end of a socket fd.
func endpoint(c *Ctx, fd *state.FD, s side) ([]byte, uint16, bool) {
	if !fd.IsSocket() {
		return nil, 0, false
	}
	if fd.IsServerSocket() {
		if s != sideServer {
			return nil, 0, false
		}
		return fd.SrcIP(), fd.SPort, true
	}
	if fd.Name == "" && fd.DPort == 0 && fd.SPort == 0 {
		return nil, 0, false
	}
	if (s == sideLocal || s == sideRemote) && fd.Role == state.RoleUnknown {
		// sysdig has no local or remote end for a socket whose role
		// (client or server) is not known.
		return nil, 0, false
	}
	switch s {
	case sideLocal:
		if localIsClient(c, fd) {
			s = sideClient
		} else {
			s = sideServer
		}
	case sideRemote:
		if localIsClient(c, fd) {
			s = sideServer
		} else {
			s = sideClient
		}
	}
	if s == sideServer {
		return fd.DstIP(), fd.DPort, true
	}
	return fd.SrcIP(), fd.SPort, true
}

func ipField(name, typ, desc string, s side, flags FieldFlags) Field {
	k := kindOf(typ)
	return fdVal(name, typ, desc, flags, func(c *Ctx, fd *state.FD, v *Value) bool {
		ss := s
		if ss == sideAny {
			ss = sideServer
		}
		if noRole(fd, ss) {
			return false
		}
		ip, _, ok := endpoint(c, fd, ss)
		if !ok {
			return false
		}
		v.Kind = k
		v.Bytes = ip
		return true
	})
}

// ipAnyExt is fd.ip / fd.net / fd.port: both ends, any may match.
type ipAnyExt struct {
	port bool
	kind Kind
}

func (e *ipAnyExt) Extract(c *Ctx, v *Value) bool {
	fd := c.CurFD()
	if fd == nil {
		return false
	}
	ip, port, ok := endpoint(c, fd, sideServer)
	if !ok {
		return false
	}
	if e.port {
		return setUint(v, KindPort, uint64(port))
	}
	v.Kind = e.kind
	v.Bytes = ip
	return true
}

func (e *ipAnyExt) Each(c *Ctx, v *Value, fn func(*Value) bool) bool {
	fd := c.CurFD()
	if fd == nil {
		return false
	}
	for _, s := range [...]side{sideClient, sideServer} {
		ip, port, ok := endpoint(c, fd, s)
		if !ok {
			continue
		}
		if e.port {
			setUint(v, KindPort, uint64(port))
		} else {
			v.Kind = e.kind
			v.Bytes = ip
		}
		if fn(v) {
			return true
		}
	}
	return false
}

func anyField(name, typ, desc string, port bool) Field {
	return withNew(name, typ, desc, FlagFilterOnly|FlagNoFormat, func(string, string) (Extractor, error) {
		return &ipAnyExt{port: port, kind: kindOf(typ)}, nil
	})
}

// isServer is fd.is_server as sysdig decides it: listening sockets are
// servers; a connected IP socket is one when its server address is local.
// For IPv4 that is the address of the thread's container (when its
// metadata has no address, the unset address) or of an interface of the
// capture's machine; an IPv6 socket never in a container, and on the host
// when its server address shares its first 64 bits with an IPv6
// interface's; nothing else is.
func isServer(c *Ctx, fd *state.FD) bool {
	switch fd.Type {
	case event.FDIPv4ServSock, event.FDIPv6ServSock:
		return true
	case event.FDIPv4Sock, event.FDIPv6Sock:
	default:
		return false
	}
	dip := fd.DstIP()
	_, ct, host, ok := containerOf(c)
	inCtr := ok && !host
	if fd.IPv6 {
		// sysdig never finds a container's IPv6 address local; on the
		// host an address is local when its first 64 bits are an IPv6
		// interface's (so the unset address is, with ::1 listed)
		if inCtr {
			return false
		}
		for _, in := range c.State.Interfaces() {
			if in.IPv6 && len(in.Addr) == 16 && len(dip) == 16 && bytes.Equal(in.Addr[:8], dip[:8]) {
				return true
			}
		}
		return false
	} else if inCtr && ct != nil {
		ip, err := netip.ParseAddr(ct.IP)
		if err != nil || ip.IsUnspecified() {
			if allZero(dip) {
				return true
			}
		} else if ip.Is4() && bytes.Equal(ip.AsSlice(), dip) {
			return true
		}
	}
	for _, in := range c.State.Interfaces() {
		if in.IPv6 == fd.IPv6 && bytes.Equal(in.Addr, dip) {
			return true
		}
	}
	return false
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// noClientEnd reports a client side asked of a socket that has a role but no
// IP client end: a listening socket, or a unix socket (one of the capture's
// table, client when it has no path, or one an event connected). sysdig
// shows port 0 and an empty service name for it (its client-port check
// falls through to the name of an empty port), and no value while the
// socket has no role.
func noClientEnd(fd *state.FD, s side) bool {
	return s == sideClient && (fd.IsServerSocket() || fd.Type == event.FDUnixSock && fd.Role != state.RoleUnknown)
}

func portField(name, desc string, s side) Field {
	return fdVal(name, "PORT", desc, 0, func(c *Ctx, fd *state.FD, v *Value) bool {
		if noClientEnd(fd, s) {
			return setUint(v, KindPort, 0)
		}
		if noRole(fd, s) {
			return false
		}
		_, p, ok := endpoint(c, fd, s)
		return ok && setUint(v, KindPort, uint64(p))
	})
}

// noRole reports a client or server end asked of a connection socket
// (not a listening one) that has no role yet: sysdig shows none (fd.cip,
// fd.sip, fd.cport, fd.sport), even when addresses are known.
func noRole(fd *state.FD, s side) bool {
	return (s == sideClient || s == sideServer) && fd.Role == state.RoleUnknown && !fd.IsServerSocket()
}

var serviceNames = map[uint16]string{
	20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "domain", 67: "bootps", 68: "bootpc",
	69: "tftp", 80: "http", 110: "pop3", 111: "sunrpc", 123: "ntp", 137: "netbios-ns", 143: "imap2",
	161: "snmp", 179: "bgp", 389: "ldap", 443: "https", 445: "microsoft-ds", 465: "submissions",
	514: "syslog", 587: "submission", 631: "ipp", 636: "ldaps", 873: "rsync", 993: "imaps", 995: "pop3s",
	1194: "openvpn", 1433: "ms-sql-s", 2049: "nfs", 3306: "mysql", 5432: "postgresql", 5672: "amqp",
	6379: "redis", 8080: "http-alt", 11211: "memcache", 27017: "mongodb",
}

func protoField(name, desc string, s side) Field {
	return fdStr(name, desc, func(c *Ctx, fd *state.FD, b []byte) ([]byte, bool) {
		if noClientEnd(fd, s) {
			return b, true
		}
		_, p, ok := endpoint(c, fd, s)
		if !ok {
			return b, false
		}
		if n, ok := serviceNames[p]; ok && c.ResolvePorts {
			return append(b, n...), true
		}
		return strconv.AppendUint(b, uint64(p), 10), true
	})
}

func init() {
	Register(&Class{Name: "fd", Order: 70, Desc: "Fields of the file descriptor an event uses (files, sockets, pipes, ...).",
		Fields: []Field{
			simple("fd.num", "INT64", "number of the file descriptor.", func(c *Ctx, v *Value) bool {
				if fd := c.CurFD(); fd != nil {
					// the thread's last fd, which names the fd except
					// after a failed open under a directory fd
					return setInt(v, c.Cur().FDNum)
				}
				n, _, _, _, ok := nullFD(c, nil)
				return ok && setInt(v, n)
			}),
			fdStr("fd.type", "type of the fd: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink.", func(c *Ctx, fd *state.FD, b []byte) ([]byte, bool) {
				if fd.Type == event.FDUnsupported {
					return append(b, "<NA>"...), true // sysdig has no name for it
				}
				return append(b, fd.TypeString()...), true
			}),
			strField("fd.typechar", "CHARBUF", "type of the fd as one letter (f file, 4 IPv4 socket, 6 IPv6 socket, u unix socket, p pipe, ...).", func(c *Ctx, b []byte) ([]byte, bool) {
				if fd := c.CurFD(); fd != nil {
					return append(b, fd.TypeChar()), true
				}
				_, ch, _, _, ok := nullFD(c, nil)
				return append(b, ch), ok
			}),
			strField("fd.name", "CHARBUF", "full name of the fd: path of files, connection tuple of sockets, ...", func(c *Ctx, b []byte) ([]byte, bool) {
				if fd := c.CurFD(); fd != nil {
					if c.Ev.Type.Name() == "connect" && !c.Ev.Type.IsEnter() {
						if r, _ := c.Ev.Int(0); r < 0 {
							// A failed connect leaves the fd unnamed; the
							// attempted tuple is shown instead.
							if ti := c.Ev.ParamIndex("tuple"); ti >= 0 {
								return appendSockTuple(b, c.Ev.Param(ti)), true
							}
						}
					}
					return append(b, fd.Name...), true
				}
				var ok, named bool
				_, _, b, named, ok = nullFD(c, b)
				return b, ok && named
			}),
			strField("fd.directory", "CHARBUF", "directory of a file fd, or the directory itself.", fdDirectory),
			fdStr("fd.filename", "base name of a file fd, without its directory.", func(c *Ctx, fd *state.FD, b []byte) ([]byte, bool) {
				if fd.Type != event.FDFile && fd.Type != event.FDFileV2 {
					return b, false
				}
				// sysdig's TYPE_FILENAME: after the last slash, the whole
				// name when it ends in one, the root when it has none
				switch i := strings.LastIndexByte(fd.Name, '/'); {
				case i < 0:
					return append(b, '/'), true
				case i < len(fd.Name)-1:
					return append(b, fd.Name[i+1:]...), true
				}
				return append(b, fd.Name...), true
			}),
			anyField("fd.ip", "IPADDR", "filter-only: matches the client or the server address.", false),
			ipField("fd.cip", "IPADDR", "client address.", sideClient, 0),
			ipField("fd.sip", "IPADDR", "server address.", sideServer, 0),
			ipField("fd.lip", "IPADDR", "local address.", sideLocal, 0),
			ipField("fd.rip", "IPADDR", "remote address.", sideRemote, 0),
			anyField("fd.port", "PORT", "filter-only: matches the client or the server port.", true),
			portField("fd.cport", "client port.", sideClient),
			portField("fd.sport", "server port.", sideServer),
			portField("fd.lport", "local port.", sideLocal),
			portField("fd.rport", "remote port.", sideRemote),
			fdStr("fd.l4proto", "transport protocol of a socket: tcp, udp, icmp or raw.", func(c *Ctx, fd *state.FD, b []byte) ([]byte, bool) {
				if fd.IsSocket() {
					switch fd.L4Proto {
					case event.L4TCP:
						return append(b, "tcp"...), true
					case event.L4UDP:
						return append(b, "udp"...), true
					case event.L4ICMP:
						return append(b, "icmp"...), true
					case event.L4Raw:
						return append(b, "raw"...), true
					}
				}
				// sysdig's value for every other fd (not a missing value:
				// the line is printed without '*')
				return append(b, "<NA>"...), true
			}),
			fdStr("fd.sockfamily", "socket family: ip for IPv4/IPv6 sockets, unix for unix sockets.", func(c *Ctx, fd *state.FD, b []byte) ([]byte, bool) {
				switch {
				case fd.IsSocket():
					return append(b, "ip"...), true
				case fd.Type == event.FDUnixSock:
					return append(b, "unix"...), true
				}
				return b, false
			}),
			fdVal("fd.is_server", "BOOL", "true when the process is the server end of the connection.", 0, func(c *Ctx, fd *state.FD, v *Value) bool {
				return setBool(v, isServer(c, fd))
			}),
			fdStr("fd.uid", "unique id of the fd: process id followed by fd number.", func(c *Ctx, fd *state.FD, b []byte) ([]byte, bool) {
				t := c.Thread()
				if t == nil {
					return b, false
				}
				b = strconv.AppendInt(b, t.PID, 10)
				return strconv.AppendInt(b, fd.Num, 10), true
			}),
			strField("fd.containername", "CHARBUF", "container id followed by the fd name.", func(c *Ctx, b []byte) ([]byte, bool) {
				fd := c.CurFD()
				b = append(b, containerID(c)...)
				b = append(b, ':')
				if fd == nil {
					// sysdig's extract_from_null_fd: the name an fd-creating
					// exit carries
					_, _, nb, named, ok := nullFD(c, b)
					return nb, ok && named
				}
				return append(b, fd.Name...), true
			}),
			strField("fd.containerdirectory", "CHARBUF", "container id followed by the fd directory.", func(c *Ctx, b []byte) ([]byte, bool) {
				b = append(b, containerID(c)...)
				return fdDirectory(c, append(b, ':'))
			}),
			withNew("fd.proto", "PORT", "filter-only: matches the protocol name of either end.", FlagFilterOnly|FlagNoFormat, func(string, string) (Extractor, error) {
				return exFunc(func(c *Ctx, v *Value) bool { return false }), nil
			}),
			protoField("fd.cproto", "service name of the client port.", sideClient),
			protoField("fd.sproto", "service name of the server port (e.g. http).", sideServer),
			protoField("fd.lproto", "service name of the local port.", sideLocal),
			protoField("fd.rproto", "service name of the remote port.", sideRemote),
			anyField("fd.net", "IPNET", "filter-only: matches when either address is in the given network.", false),
			ipField("fd.cnet", "IPNET", "filter-only: client address compared with a network.", sideClient, FlagFilterOnly|FlagNoFormat),
			ipField("fd.snet", "IPNET", "filter-only: server address compared with a network.", sideServer, FlagFilterOnly|FlagNoFormat),
			ipField("fd.lnet", "IPNET", "filter-only: local address compared with a network.", sideLocal, FlagFilterOnly|FlagNoFormat),
			ipField("fd.rnet", "IPNET", "filter-only: remote address compared with a network.", sideRemote, FlagFilterOnly|FlagNoFormat),
			fdVal("fd.connected", "BOOL", "true for connected sockets.", 0, func(c *Ctx, fd *state.FD, v *Value) bool {
				// a unix socket has no port: only its connect or accept tells
				return setBool(v, fd.IsSocket() && !fd.IsServerSocket() && fd.DPort != 0 || fd.Connected())
			}),
			fdVal("fd.name_changed", "BOOL", "true when the event changed the fd's name (connect, bind, ...).", 0, func(c *Ctx, fd *state.FD, v *Value) bool {
				return setBool(v, false)
			}),
			none("fd.cip.name", "CHARBUF", "domain name of the client address (needs DNS tracking)."),
			none("fd.sip.name", "CHARBUF", "domain name of the server address (needs DNS tracking)."),
			none("fd.lip.name", "CHARBUF", "domain name of the local address (needs DNS tracking)."),
			none("fd.rip.name", "CHARBUF", "domain name of the remote address (needs DNS tracking)."),
			fdVal("fd.dev", "INT32", "device number of the file.", 0, func(c *Ctx, fd *state.FD, v *Value) bool { return setInt(v, int64(fd.Dev)) }),
			fdVal("fd.dev.major", "INT32", "major device number of the file.", 0, func(c *Ctx, fd *state.FD, v *Value) bool { return setInt(v, int64(fd.Dev>>20)) }),
			fdVal("fd.dev.minor", "INT32", "minor device number of the file.", 0, func(c *Ctx, fd *state.FD, v *Value) bool { return setInt(v, int64(fd.Dev&0xfffff)) }),
		}})
}

// fdDirectory appends the directory of the event's fd as sysdig's
// TYPE_DIRECTORY shows it: a directory fd's name, a file's name up to its
// last slash; with no fd, the same of the name an fd-creating exit carries.
func fdDirectory(c *Ctx, b []byte) ([]byte, bool) {
	fd := c.CurFD()
	if fd == nil {
		start := len(b)
		_, _, nb, named, ok := nullFD(c, b)
		if !ok || !named {
			return b, false
		}
		return append(nb[:start], dirOf(string(nb[start:]))...), true
	}
	switch fd.Type {
	case event.FDDirectory:
		return append(b, fd.Name...), true
	case event.FDFile, event.FDFileV2:
		return append(b, dirOf(fd.Name)...), true
	}
	return b, false
}

// dirOf is a path up to its last slash, kept whole when that slash ends it,
// and the root when there is none or only the leading one.
func dirOf(name string) string {
	i := strings.LastIndexByte(name, '/')
	switch {
	case i <= 0:
		return "/"
	case i < len(name)-1:
		return name[:i]
	}
	return name
}

// containerID is the container id that prefixes fd.containername and
// fd.containerdirectory: the thread's container, empty on the host (sysdig
// uses the thread's own id there, not the "host" that container.id shows).
func containerID(c *Ctx) string {
	if t := c.Thread(); t != nil {
		return t.ContainerID
	}
	return ""
}

// nullFD describes the fd of an event that refers to none in the table,
// as sysdig does: events that create an fd report -1 and the type they
// create (with the path a failed open tried, the tuple of an accept that
// added no fd), events that use an fd absent
// from the table report its number with type 'o' (and an empty name on
// exit events). name is appended to b; nameOK tells whether it has one.
func nullFD(c *Ctx, b []byte) (num int64, typechar byte, name []byte, nameOK bool, ok bool) {
	ev := c.Ev
	info := c.info()
	if info.Flags&event.FlagCreatesFD != 0 {
		ch := createdTypeChar(ev)
		if ev.Type.IsEnter() {
			return -1, ch, b, false, true
		}
		if ti := ev.ParamIndex("tuple"); ti >= 0 && ev.Type.Name() == "accept" {
			// extract_fdname_from_creator: the tuple argument as it is
			// rendered ("NULL" when empty); the number is the result,
			// which parse_accept_exit made the thread's last fd
			num := int64(-1)
			if r, _ := ev.Int(0); r >= 0 {
				num = r
			}
			return num, ch, appendSockTuple(b, ev.Param(ti)), true, true
		}
		if len(info.Params) > 0 && (info.Params[0].Type == event.PTFD || info.Params[0].Type == event.PTErrno) {
			if r, _ := ev.Int(0); r < 0 {
				// (the oldest openat exit, whose arguments are its
				// enter's, has none: sysdig looks the enter up again
				// after its parsers let it go)
				src, ni := ev, ev.ParamIndex("name")
				if ni >= 0 {
					s, _ := src.Str(ni)
					if di := src.ParamIndex("dirfd"); di >= 0 {
						// openat: the directory as the open parser
						// resolves it
						dirfd, _ := src.Int(di)
						return -1, ch, append(b, c.State.OpenPath(c.Thread(), dirfd, s, s == "" && len(src.Param(ni)) > 0)...), true, true
					}
					// open and creat: the name argument as rendered,
					// resolved (an empty one to the cwd) unless it
					// starts with "<NA>"
					switch raw := src.Param(ni); {
					case strings.HasPrefix(s, "<NA>"):
						plain, _ := c.renderPath(src, &info.Params[ni], raw, nil, nil)
						return -1, ch, append(b, plain...), true, true
					case s == "" && len(raw) > 0:
						return -1, ch, append(b, c.State.ResolveEmpty(c.Thread(), -100)...), true, true
					}
					return -1, ch, append(b, c.State.ResolvePath(c.Thread(), -100, s)...), true, true
				}
				return -1, ch, b, false, true
			}
		}
	}
	if info.Flags&event.FlagUsesFD != 0 {
		return c.Cur().FDNum, 'o', b, !ev.Type.IsEnter(), true
	}
	return 0, 0, b, false, false
}

// createdTypeChar is the fd type an fd-creating syscall produces.
func createdTypeChar(ev *event.Event) byte {
	switch ev.Type.Name() {
	case "open", "openat", "openat2", "creat", "open_by_handle_at":
		return 'f'
	case "socket", "accept":
		return '4'
	case "pipe":
		return 'p'
	case "eventfd":
		return 'e'
	case "signalfd":
		return 's'
	case "timerfd_create":
		return 't'
	case "inotify_init":
		return 'i'
	case "epoll_create":
		return 'l'
	}
	return 'o'
}
