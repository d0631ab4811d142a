// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"net"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

func sortContainers(list []*state.Container) {
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
}

// luaThreadTable implements sysdig.get_thread_table and its variants.
func (c *Chisel) luaThreadTable(withFDs, barebone bool) lua.LGFunction {
	return func(L *lua.LState) int {
		var flt ThreadFilter
		if v, ok := L.Get(1).(lua.LString); ok && v != "" {
			f, err := compileThreadFilter(string(v))
			if err != nil {
				L.RaiseError("%s", err.Error())
			}
			flt = f
		}
		out := L.NewTable()
		if c.run == nil {
			L.Push(out)
			return 1
		}
		st := c.run.State
		for _, t := range st.SortedThreads() {
			var fds []*state.FD
			if withFDs || flt != nil {
				fds = t.FDs().Sorted()
			}
			if flt != nil {
				kept := fds[:0]
				for _, fd := range fds {
					if flt.MatchThread(c.run.Ctx, t, fd) {
						kept = append(kept, fd)
					}
				}
				if len(kept) == 0 {
					// Threads without fds are still matched on their own.
					if len(fds) > 0 || !flt.MatchThread(c.run.Ctx, t, nil) {
						continue
					}
				}
				fds = kept
			}
			// (tables sized for their keys: the thread table of a busy
			// machine holds thousands of them)
			e := L.CreateTable(0, threadKeys)
			e.RawSetString("tid", lua.LNumber(t.TID))
			// sysdig hands pids and fd limits to chisels as 32-bit unsigned
			// and fd numbers as 32-bit signed numbers (-1 reads 4294967295).
			e.RawSetString("pid", lua.LNumber(uint32(t.PID)))
			if !barebone {
				c.fillThread(L, st, t, e)
			}
			ft := L.NewTable()
			if withFDs {
				for _, fd := range fds {
					ft.RawSetInt(int(int32(fd.Num)), fdEntry(L, fd, barebone))
				}
			}
			e.RawSetString("fdtable", ft)
			out.RawSetInt(int(t.TID), e)
		}
		L.Push(out)
		return 1
	}
}

// threadKeys and fdKeys are the most keys a thread's and an fd's entry
// of a thread table hold.
const (
	threadKeys = 22
	fdKeys     = 8
)

func (c *Chisel) fillThread(L *lua.LState, st *state.State, t *state.Thread, e *lua.LTable) {
	e.RawSetString("ptid", lua.LNumber(t.PTID))
	e.RawSetString("comm", safeLString(t.Comm))
	e.RawSetString("exe", safeLString(t.Exe))
	e.RawSetString("args", strList(L, t.Args))
	e.RawSetString("env", strList(L, t.Env))
	e.RawSetString("flags", lua.LNumber(t.Flags))
	e.RawSetString("fdlimit", lua.LNumber(uint32(t.FDLimit)))
	e.RawSetString("uid", lua.LNumber(t.UID))
	e.RawSetString("gid", lua.LNumber(t.GID))
	user := st.UserName(t.UID)
	if user == "" {
		user = "<NA>"
	}
	e.RawSetString("username", safeLString(user))
	nchilds := 0
	if t.IsMain() {
		// the other threads of its process (the table counts them)
		nchilds = st.ThreadsOf(t.PID) - 1
	}
	e.RawSetString("nchilds", lua.LNumber(nchilds))
	// each thread's own memory figures, as sysdig keeps them per thread
	e.RawSetString("vmsize_kb", lua.LNumber(t.VMSizeKB))
	e.RawSetString("vmrss_kb", lua.LNumber(t.VMRSSKB))
	e.RawSetString("vmswap_kb", lua.LNumber(t.VMSwapKB))
	e.RawSetString("pfmajor", lua.LNumber(t.PFMajor))
	e.RawSetString("pfminor", lua.LNumber(t.PFMinor))
	e.RawSetString("clone_ts", lua.LString(strconv.FormatUint(t.CloneTS, 10)))
}

// safeLString is a name from the traced system as a Lua string, with the
// bytes that could drive a terminal shown as '.' (fields.Sanitize), like
// every text handed to chisels: a chisel printing a process or file name
// cannot be made to emit escape sequences. Printable text, UTF-8 included,
// is passed as it is.
func safeLString(s string) lua.LString { return lua.LString(fields.SafeString(s, false)) }

func strList(L *lua.LState, ss []string) *lua.LTable {
	t := L.CreateTable(len(ss), 0)
	for _, s := range ss {
		t.Append(safeLString(s))
	}
	return t
}

func ipString(b []byte) string {
	return net.IP(b).String()
}

func l4String(p uint8) string {
	switch p {
	case event.L4TCP:
		return "tcp"
	case event.L4UDP:
		return "udp"
	case event.L4ICMP:
		return "icmp"
	case event.L4Raw:
		return "raw"
	}
	return "<NA>"
}

// fdName is the name lsof-like chisels show: the stored name without a
// trailing newline, or for sockets known only by their tuple, the tuple.
func fdName(fd *state.FD) string {
	name := strings.TrimRight(fd.Name, "\n")
	if name != "" || !fd.IsSocket() {
		return name
	}
	n := fd.IPLen()
	if fd.IsServerSocket() {
		return hostPort(fd.SIP[:n], fd.SPort)
	}
	return hostPort(fd.SIP[:n], fd.SPort) + "->" + hostPort(fd.DIP[:n], fd.DPort)
}

func hostPort(ip []byte, port uint16) string {
	return ipString(ip) + ":" + strconv.Itoa(int(port))
}

func fdEntry(L *lua.LState, fd *state.FD, barebone bool) *lua.LTable {
	e := L.CreateTable(0, fdKeys)
	if !barebone {
		e.RawSetString("name", safeLString(fdName(fd)))
		typ := fd.TypeString()
		if typ == "unknown" {
			typ = "<NA>"
		}
		e.RawSetString("type", lua.LString(typ))
	}
	if fd.IsSocket() {
		n := fd.IPLen()
		if fd.IsServerSocket() {
			e.RawSetString("sip", lua.LString(ipString(fd.SIP[:n])))
			e.RawSetString("sport", lua.LNumber(fd.SPort))
			e.RawSetString("is_server", lua.LTrue)
		} else {
			// Connected sockets store the client end in SIP/SPort and
			// the server end in DIP/DPort.
			e.RawSetString("sip", lua.LString(ipString(fd.DIP[:n])))
			e.RawSetString("sport", lua.LNumber(fd.DPort))
			e.RawSetString("cip", lua.LString(ipString(fd.SIP[:n])))
			e.RawSetString("cport", lua.LNumber(fd.SPort))
			e.RawSetString("is_server", lua.LBool(fd.Role == state.RoleServer))
		}
		e.RawSetString("l4proto", lua.LString(l4String(fd.L4Proto)))
	}
	return e
}
