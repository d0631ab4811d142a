// SPDX-License-Identifier: Apache-2.0

package held

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// arg is the first argument that makes a ferret process act as the held
// side of Start (see Become).
const arg = "__ferret_held_exec"

// Cmd is a command started but not yet running: its process waits, before
// execve, until Release.
type Cmd struct {
	PID int
	// HoldFD is the descriptor of the hold pipe in the held process; it
	// closes it before its execve.
	HoldFD  int
	cmd     *exec.Cmd
	release *os.File
}

// User is the identity a held command runs as: user and group ids and the
// supplementary groups.
type User struct {
	UID, GID uint32
	Groups   []uint32
}

// encode writes u as one argument, "" for none.
func (u *User) encode() string {
	if u == nil {
		return ""
	}
	b := strconv.AppendUint(nil, uint64(u.UID), 10)
	b = append(b, ':')
	b = strconv.AppendUint(b, uint64(u.GID), 10)
	b = append(b, ':')
	for i, g := range u.Groups {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(g), 10)
	}
	return string(b)
}

// become switches the process to the identity encode wrote.
func become(spec string) error {
	if spec == "" {
		return nil
	}
	f := strings.SplitN(spec, ":", 3)
	if len(f) != 3 {
		return fmt.Errorf("bad user %q", spec)
	}
	uid, err1 := strconv.Atoi(f[0])
	gid, err2 := strconv.Atoi(f[1])
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	groups := []int{}
	for _, g := range strings.FieldsFunc(f[2], func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(g)
		if err != nil {
			return err
		}
		groups = append(groups, n)
	}
	// groups and group first: once the user id changed, they can't be
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("setgid: %w", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("setuid: %w", err)
	}
	return nil
}

// Start starts argv as a child that blocks before its execve. The child is
// this executable re-run with a marker argument: Become, called first thing
// in its main, reads one byte from an inherited pipe, then calls execve on
// the resolved program from the main thread, so the command keeps its pid
// and its first syscall is execve. The child shares ferret's standard
// streams, environment and the other descriptors ferret inherited open.
func Start(argv []string) (*Cmd, error) { return StartAs(argv, nil) }

// StartAs is Start for a command that runs as user u (strace -u): the held
// side takes u's groups, group and user ids just before its execve. A nil u
// keeps ferret's.
func StartAs(argv []string, u *User) (*Cmd, error) {
	if len(argv) == 0 {
		return nil, errors.New("no command")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("can't stat '%s': %w", argv[0], err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("hold pipe: %w", err)
	}
	// Descriptors ferret inherited open (not close-on-exec) stay where
	// they are for the command, as under strace; the hold pipe goes after
	// them.
	extra := inherited()
	hold := 3 + len(extra)
	cmd := exec.Command(self, append([]string{arg, path, u.encode(), strconv.Itoa(hold)}, argv...)...)
	cmd.Args[0] = argv[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = append(extra, r)
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	r.Close()
	return &Cmd{PID: cmd.Process.Pid, HoldFD: hold, cmd: cmd, release: w}, nil
}

// Release lets the held command run.
func (h *Cmd) Release() error {
	if h.release == nil {
		return nil
	}
	_, err := h.release.Write([]byte{1})
	h.release.Close()
	h.release = nil
	if err != nil {
		return fmt.Errorf("release command: %w", err)
	}
	return nil
}

// Abort kills a command that was never released; it does nothing on a nil
// Cmd.
func (h *Cmd) Abort() {
	if h == nil {
		return
	}
	if h.release != nil {
		h.release.Close()
		h.release = nil
	}
	_ = h.cmd.Process.Kill()
	_ = h.cmd.Wait()
}

// Wait waits for the command and returns its exit status the way a shell
// reports it (128+signal when killed).
func (h *Cmd) Wait() int {
	err := h.cmd.Wait()
	st, ok := h.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		if err != nil {
			return 1
		}
		return 0
	}
	if st.Signaled() {
		return 128 + int(st.Signal())
	}
	return st.ExitStatus()
}

// kept holds the inherited descriptors handed to commands, so that no
// finalizer closes them.
var kept = map[int]*os.File{}

// inherited returns, for descriptors 3 up to the highest one ferret
// inherited open across exec, that descriptor where it is one (nil in the
// gaps), in the layout exec.Cmd.ExtraFiles takes.
func inherited() []*os.File {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	var fds []int
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 {
			continue
		}
		fl, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if errno != 0 || fl&syscall.FD_CLOEXEC != 0 {
			continue
		}
		fds = append(fds, fd)
	}
	if len(fds) == 0 {
		return nil
	}
	slices.Sort(fds)
	out := make([]*os.File, fds[len(fds)-1]-2)
	for _, fd := range fds {
		f := kept[fd]
		if f == nil {
			f = os.NewFile(uintptr(fd), "inherited")
			kept[fd] = f
		}
		out[fd-3] = f
	}
	return out
}

// Become is the held side of Start. When os.Args asks for it, it waits for
// the release byte on the hold descriptor and replaces the process with
// the command; it
// returns only when os.Args is not a held-command invocation. The caller
// must run on the main thread (cmd/ferret locks it from init), so that the
// execve comes from the thread whose id is the pid.
func Become() {
	if len(os.Args) < 6 || os.Args[1] != arg {
		return
	}
	path, user, argv := os.Args[2], os.Args[3], os.Args[5:]
	hold, err := strconv.Atoi(os.Args[4])
	if err != nil {
		os.Exit(127)
	}
	var b [1]byte
	n, _ := syscall.Read(hold, b[:])
	syscall.Close(hold)
	if n != 1 {
		os.Exit(127)
	}
	if err := become(user); err != nil {
		fmt.Fprintf(os.Stderr, "ferret: run %s as %s: %v\n", path, user, err)
		os.Exit(127)
	}
	err = syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "ferret: exec %s: %v\n", path, err)
	os.Exit(127)
}
