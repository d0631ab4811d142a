// SPDX-License-Identifier: Apache-2.0

package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/filemon"
	"github.com/ferret-observability/ferret/internal/netfs"
)

func init() {
	Register("netfs", "network file-system activity per process and mount, slow operations, mounts", runNetfs)
}

const netfsUsage = `Usage: ferret netfs [options]

Follows file operations on network file systems (NFS, CIFS/SMB, sshfs and
other remote FUSE mounts, recognised by their type in the mount table):
prints slow operations as they happen, mount and umount calls with their
result, and every interval a table of operations, errors, bytes and latency
per process and mount.

Options:
`

func runNetfs(args []string) int {
	fs := pflag.NewFlagSet("ferret netfs", pflag.ContinueOnError)
	fs.SetOutput(Stderr)
	slower := fs.Float64("slower", 10, "print operations slower than `MS` milliseconds (0: print every operation)")
	interval := fs.Float64("interval", 5, "print the per-process, per-mount table every `S` seconds")
	count := fs.IntP("count", "n", 0, "stop after `COUNT` intervals (0: run until interrupted)")
	all := fs.Bool("all", false, "include local file systems too")
	fs.Usage = func() {
		io.WriteString(Stderr, netfsUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *interval <= 0 || *slower < 0 {
		fmt.Fprintln(Stderr, "ferret netfs: --interval must be positive and --slower not negative")
		return 1
	}
	err := netfsRun(netfsConfig{slow: time.Duration(*slower * float64(time.Millisecond)),
		interval: time.Duration(*interval * float64(time.Second)), count: *count, all: *all}, Stdout)
	if err != nil {
		fmt.Fprintf(Stderr, "ferret netfs: %v\n", err)
		return 1
	}
	return 0
}

type netfsConfig struct {
	slow     time.Duration
	interval time.Duration
	count    int
	all      bool
}

var netfsOps = [...]netfs.Op{filemon.OpOpen: netfs.OpOpen, filemon.OpRead: netfs.OpRead,
	filemon.OpWrite: netfs.OpWrite, filemon.OpClose: netfs.OpOther}

func netfsRun(c netfsConfig, w io.Writer) error {
	mounts := netfs.Default()
	if mounts == nil {
		return errors.New("cannot read /proc/self/mountinfo")
	}
	src, err := openLiveTracer(live.Options{Syscalls: append([]string{"mount", "umount2"}, fileSyscalls...),
		EventTypes: []event.Type{event.ProcExit1E}, SnapLen: 1, NoSnapshot: true})
	if err != nil {
		return err
	}
	defer src.Close()

	stats := netfs.NewStats(c.slow)
	if c.slow == 0 {
		stats.SlowNS = 1 // every operation
	}
	fmt.Fprint(w, netfs.SlowHeader)
	m := filemon.New(filemon.Options{OnOp: func(o *filemon.Op) {
		mt := mounts.Table().Lookup(o.Path)
		if mt == nil || (!c.all && !mt.IsNet()) {
			return
		}
		k := netfs.Key{PID: o.PID, Comm: o.Comm, Mount: mt.Point}
		if stats.Add(k, mt.FSType, netfsOps[o.Kind], o.Bytes, o.LatNS, o.TS, o.Path) {
			for _, s := range stats.TakeSlow() {
				netfs.WriteSlow(w, &s)
			}
		}
	}}, func(*filemon.Record) {})
	mountCalls := map[int64]*netfs.MountEvent{}

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	next := time.Now().Add(c.interval)
	intervals := 0
	flush := func() {
		rows := stats.Rows()
		fmt.Fprintf(w, "\n%s  per process and mount:\n", time.Now().Format("15:04:05"))
		netfs.WriteTable(w, rows)
		stats.Reset()
	}
	for {
		ev, err := src.Next()
		switch {
		case err == nil:
			if name := ev.Type.Name(); name == "mount" || name == "umount" {
				netfsMountEvent(w, ev, mountCalls, mounts, m)
			}
			m.Handle(ev)
		case errors.Is(err, capture.ErrTimeout):
		case errors.Is(err, io.EOF):
			flush()
			return nil
		default:
			return err
		}
		select {
		case <-sigs:
			flush()
			return nil
		default:
		}
		if now := time.Now(); !now.Before(next) {
			flush()
			intervals++
			if c.count > 0 && intervals >= c.count {
				return nil
			}
			next = now.Add(c.interval)
		}
	}
}

// netfsMountEvent prints a mount or umount call and refreshes the mount
// table after it.
func netfsMountEvent(w io.Writer, ev *event.Event, calls map[int64]*netfs.MountEvent, mounts *netfs.Live, m *filemon.Monitor) {
	if ev.Type.IsEnter() {
		// The caller still runs: learn its pid and name now.
		info := m.Proc(ev.TID)
		me := &netfs.MountEvent{PID: info.PID, TID: ev.TID, Comm: info.Comm}
		if i := ev.ParamIndex("flags"); i >= 0 {
			v, _ := ev.Uint(i)
			me.Flags = flagNames(v, ev.Info().Params[i].Flags)
		}
		calls[ev.TID] = me
		return
	}
	me := calls[ev.TID]
	delete(calls, ev.TID)
	if me == nil {
		info := m.Proc(ev.TID)
		me = &netfs.MountEvent{PID: info.PID, TID: ev.TID, Comm: info.Comm}
	}
	me.TS = ev.TS
	me.Res, _ = ev.Int(0)
	str := func(name string) string {
		if i := ev.ParamIndex(name); i >= 0 {
			s, _ := ev.Str(i)
			return s
		}
		return ""
	}
	if ev.Type.Name() == "mount" {
		me.Call, me.Source, me.Target, me.FSType = "mount", str("dev"), str("dir"), str("type")
	} else {
		me.Call, me.Target = "umount", str("name")
	}
	netfs.WriteMountEvent(w, me)
	mounts.Invalidate()
}

func flagNames(v uint64, names []event.FlagName) string {
	var parts []string
	for _, f := range names {
		if f.Value != 0 && v&uint64(f.Value) == uint64(f.Value) {
			parts = append(parts, f.Name)
		}
	}
	return strings.Join(parts, "|")
}
