// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/synth"
	"github.com/ferret-observability/ferret/internal/event"
)

// TestShortParamsMatchSysdig writes every fixed-width parameter of the
// event table empty and one byte long, and every string parameter empty
// (in the middle of a record, or as its last parameter), in v2 and v1
// event blocks, in the events of shortTypes. sysdig reads such a
// value at its type's width (a string up to a NUL) on into the next
// parameters and past the record into its read buffer: the block's
// padding and trailer, then what longer blocks left there. The outputs
// and the thread table the process events leave are compared with
// sysdig's.
func TestShortParamsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	for _, ev := range []int{2, 1} {
		c := shortParamsCapture(ev)
		p := filepath.Join(t.TempDir(), "short.scap")
		if d := os.Getenv("ORACLE_KEEP_DIR"); d != "" {
			p = filepath.Join(d, fmt.Sprintf("short-v%d.scap", ev))
		}
		if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
			t.Fatal(err)
		}
		modes := []Mode{{Group: "default"}, {Group: "-j", Args: []string{"-j"}},
			{Group: "-p", Args: []string{"-p", "%evt.num %evt.type %proc.name %proc.exe %proc.args %proc.cwd %thread.tid %proc.pid %proc.ppid %user.uid %fd.num"}},
			{Group: "chisel:ps", Args: []string{"-c", "ps"}, Cmp: RowSet}}
		for _, m := range modes {
			if v := r.Check(p, m); !v.Agree {
				t.Errorf("event blocks v%d: %s", ev, describe(v))
			}
		}
	}
}

// shortTypes are the calls whose events are written short: those whose
// parsers read integers, fds, errnos, flags, sizes and strings, over every
// category but process creation.
var shortTypes = map[string]bool{"close": true, "read": true, "write": true, "pread": true, "pwrite": true,
	"readv": true, "writev": true, "socket": true, "bind": true, "listen": true, "setsockopt": true, "getsockopt": true,
	"sendto": true, "recvfrom": true, "shutdown": true, "mmap": true, "munmap": true, "brk": true, "kill": true,
	"tkill": true, "tgkill": true, "ioctl": true, "getcwd": true, "chdir": true, "stat": true, "lstat": true,
	"mkdir": true, "rmdir": true, "unlink": true, "rename": true, "symlink": true, "lseek": true, "fcntl": true,
	"setuid": true, "setgid": true, "setresuid": true, "setresgid": true, "nanosleep": true, "futex": true,
	"select": true, "epoll_wait": true, "prlimit": true, "setrlimit": true, "pipe": true, "eventfd": true,
	"signalfd": true, "timerfd_create": true, "inotify_init": true, "splice": true, "sendfile": true, "quotactl": true}

func shortParamsCapture(evVersion int) *Capture {
	g := &synth.Gen{TS: 1_600_000_000_000_000_000}
	emit := func(ty event.Type, params [][]byte) {
		g.Build(ty, 100, func(b *event.Builder) {
			for _, p := range params {
				b.Raw(p)
			}
		})
	}
	for ty := event.Type(0); int(ty) < event.MaxType; ty++ {
		info := ty.Info()
		if info == nil || !shortTypes[info.Name] || info.Flags&event.FlagUnused != 0 || (evVersion == 1 && ty.LargePayload()) {
			continue
		}
		for j, pj := range info.Params {
			var short [][]byte
			switch w := pj.Type.Size(); {
			case w > 1:
				short = [][]byte{{}, {0x7f}}
			case w == 1:
				short = [][]byte{{}}
			case pj.Type == event.PTCharBuf:
				short = [][]byte{{}}
			}
			for _, s := range short {
				params := make([][]byte, len(info.Params))
				for k, p := range info.Params {
					params[k] = benign(p)
				}
				params[j] = s
				emit(ty, params)
			}
		}
	}
	snap := &event.Snapshot{Machine: event.Machine{NumCPUs: 1},
		Threads: []event.Thread{{TID: 100, PID: 100, PTID: 1, Comm: "p", Exe: "p", Cwd: "/", VTID: 100, VPID: 100,
			FDs: []event.FD{{Num: 3, Type: event.FDFile, Name: "/etc/localtime"}}},
			{TID: 200, PID: 200, PTID: 1, Comm: "q", Exe: "q", Cwd: "/", VTID: 200, VPID: 200}}}
	return &Capture{Snap: snap, Events: g.Events(), Layout: Layout{Major: 1, Minor: 2, IL: 2, UL: 2, PL: 9, FDL: 2, EV: evVersion}}
}
