// SPDX-License-Identifier: Apache-2.0

package synth

import (
	"net/netip"

	"github.com/ferret-observability/ferret/internal/event"
)

// Common constants for helper arguments.
const (
	AtFDCWD int64 = -100

	// PPM open flags.
	ORdonly uint32 = 1
	OWronly uint32 = 2
	ORdwr   uint32 = 3
	OCreat  uint32 = 4
	OAppend uint32 = 8
	OTrunc  uint32 = 0x100
	OClo    uint32 = 0x1000
)

// Open emits open enter/exit; fd < 0 is the errno result.
func (g *Gen) Open(tid int64, path string, flags, mode uint32, fd int64) {
	g.Syscall("open", tid, []any{path, flags, mode}, []any{fd, path, flags, mode, uint32(0)})
}

// OpenAt emits openat enter/exit.
func (g *Gen) OpenAt(tid, dirfd int64, path string, flags, mode uint32, fd int64) {
	g.Syscall("openat", tid, []any{dirfd, path, flags, mode}, []any{fd, dirfd, path, flags, mode, uint32(0)})
}

// Read emits read enter/exit returning data.
func (g *Gen) Read(tid, fd int64, size uint32, data []byte) {
	g.Syscall("read", tid, []any{fd, size}, []any{int64(len(data)), data})
}

// Write emits write enter/exit of data.
func (g *Gen) Write(tid, fd int64, data []byte) {
	g.Syscall("write", tid, []any{fd, uint32(len(data))}, []any{int64(len(data)), data})
}

// Close emits close enter/exit.
func (g *Gen) Close(tid, fd int64, res int64) {
	g.Syscall("close", tid, []any{fd}, []any{res})
}

// Socket emits socket enter/exit.
func (g *Gen) Socket(tid int64, domain, typ, proto uint32, fd int64) {
	g.Syscall("socket", tid, []any{domain, typ, proto}, []any{fd})
}

// Connect emits connect enter/exit from local to remote.
func (g *Gen) Connect(tid, fd int64, local, remote netip.AddrPort, res int64) {
	g.Syscall("connect", tid, []any{fd, SockAddr(remote)}, []any{res, Tuple(local, remote)})
}

// Bind emits bind enter/exit.
func (g *Gen) Bind(tid, fd int64, addr netip.AddrPort, res int64) {
	g.Syscall("bind", tid, []any{fd}, []any{res, SockAddr(addr)})
}

// Listen emits listen enter/exit.
func (g *Gen) Listen(tid, fd int64, backlog uint32) {
	g.Syscall("listen", tid, []any{fd, backlog}, []any{int64(0)})
}

// Accept emits accept4 enter/exit: a connection from remote to local on a
// new fd.
func (g *Gen) Accept(tid, newfd int64, remote, local netip.AddrPort) {
	g.Syscall("accept", tid, []any{int32(0)}, []any{newfd, Tuple(remote, local), uint8(0), uint32(0), uint32(128)})
}

// SendTo emits sendto enter/exit.
func (g *Gen) SendTo(tid, fd int64, data []byte, local, remote netip.AddrPort) {
	g.Syscall("sendto", tid, []any{fd, uint32(len(data)), Tuple(local, remote)}, []any{int64(len(data)), data})
}

// RecvFrom emits recvfrom enter/exit.
func (g *Gen) RecvFrom(tid, fd int64, data []byte, remote, local netip.AddrPort) {
	g.Syscall("recvfrom", tid, []any{fd, uint32(len(data))}, []any{int64(len(data)), data, Tuple(remote, local)})
}

// Proc describes a process for Clone and Execve.
type Proc struct {
	PID, PTID int64
	Exe       string
	Args      []string
	Cwd       string
	Comm      string
	Env       []string
	UID, GID  uint32
	Cgroups   []string
}

// Clone emits clone enter and the parent's and the child's exit events:
// parent tid creates child (a new process when child == p.PID).
func (g *Gen) Clone(parent, child int64, p Proc, flags uint32) {
	e, x := Current("clone")
	g.Emit(e, parent)
	fill := func(res, tid int64) []any {
		return []any{res, p.Exe, p.Args, tid, p.PID, p.PTID, p.Cwd, int64(1024), uint64(0), uint64(0),
			uint32(0), uint32(0), uint32(0), p.Comm, p.Cgroups, flags, p.UID, p.GID, tid, p.PID}
	}
	g.Emit(x, parent, fill(child, child)...)
	g.Emit(x, child, fill(0, child)...)
}

// Execve emits execve enter/exit for tid becoming p.
func (g *Gen) Execve(tid int64, p Proc, res int64) {
	e, x := Current("execve")
	g.Emit(e, tid, p.Exe)
	g.Emit(x, tid, res, p.Exe, p.Args, tid, p.PID, p.PTID, p.Cwd, uint64(1024), uint64(0), uint64(0),
		uint32(0), uint32(0), uint32(0), p.Comm, p.Cgroups, p.Env, int32(0), p.PID, int32(-1), uint32(0))
}

// ProcExit emits the procexit event.
func (g *Gen) ProcExit(tid int64, status int64) {
	e, _ := Current("procexit")
	g.Emit(e, tid, status, status>>8, uint8(status&0x7f), uint8(0))
}

// Switch emits a scheduler switch from tid to next.
func (g *Gen) Switch(tid, next int64) {
	g.Emit(event.SchedSwitch, tid, next)
}

// Generic emits a generic syscall pair for a PPM_SC code and native number.
func (g *Gen) Generic(tid int64, code uint16, native uint16) {
	g.Emit(event.GenericE, tid, code, native)
	g.Emit(event.GenericX, tid, code)
}

// Container emits a container JSON event (not tied to a thread).
func (g *Gen) Container(json string) {
	g.Emit(event.Container2E, -1, json)
}

// Pipe emits pipe enter/exit creating fd1 (read end) and fd2 (write end).
func (g *Gen) Pipe(tid, fd1, fd2 int64, ino uint64) {
	g.Syscall("pipe", tid, nil, []any{int64(0), fd1, fd2, ino})
}

// Dup emits dup enter/exit duplicating fd into newfd.
func (g *Gen) Dup(tid, fd, newfd int64) {
	g.Syscall("dup", tid, []any{fd}, []any{newfd})
}

// Chdir emits chdir enter/exit.
func (g *Gen) Chdir(tid int64, path string, res int64) {
	g.Syscall("chdir", tid, nil, []any{res, path})
}

// Unlinkat emits unlinkat enter/exit.
func (g *Gen) Unlinkat(tid, dirfd int64, path string, res int64) {
	g.Syscall("unlinkat", tid, nil, []any{res, dirfd, path, uint32(0)})
}

// Mkdirat emits mkdirat enter/exit.
func (g *Gen) Mkdirat(tid, dirfd int64, path string, mode uint32, res int64) {
	g.Syscall("mkdirat", tid, nil, []any{res, dirfd, path, mode})
}

// Renameat2 emits renameat2 enter/exit.
func (g *Gen) Renameat2(tid, olddir int64, oldpath string, newdir int64, newpath string, res int64) {
	g.Syscall("renameat2", tid, nil, []any{res, olddir, oldpath, newdir, newpath, uint32(0)})
}

// Kill emits kill enter/exit.
func (g *Gen) Kill(tid, pid int64, sig uint8, res int64) {
	g.Syscall("kill", tid, []any{pid, sig}, []any{res})
}

// Setuid emits setuid enter/exit.
func (g *Gen) Setuid(tid int64, uid uint32, res int64) {
	g.Syscall("setuid", tid, []any{uid}, []any{res})
}
