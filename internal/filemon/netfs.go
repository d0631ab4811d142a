// SPDX-License-Identifier: Apache-2.0

package filemon

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/netfs"
	"github.com/ferret-observability/ferret/internal/procfs"
)

// NetFSSession is one `ferret netfs`.
type NetFSSession struct {
	Slow     time.Duration // report operations slower than this (0: all)
	Interval time.Duration // table period
	Count    int           // stop after that many tables (0: no limit)
	All      bool          // local file systems too
	Out      io.Writer
	Started  io.Writer // receives the capture-started line (nil: none)
	Warn     io.Writer // receives the count of lost events, if any (nil: none)
}

var netfsOps = [...]netfs.Op{OpOpen: netfs.OpOpen, OpRead: netfs.OpRead, OpWrite: netfs.OpWrite, OpClose: netfs.OpOther}

// RunNetFS follows file operations on network file systems live: it prints
// slow operations and mount calls as they happen and a per-process,
// per-mount table every interval, until Count tables or a signal.
func RunNetFS(s NetFSSession) error {
	mounts := netfs.Default()
	if mounts == nil {
		return errors.New("cannot read /proc/self/mountinfo")
	}
	src, err := live.Open(live.Options{Syscalls: append([]string{"mount", "umount2"}, Syscalls...),
		EventTypes: []event.Type{event.ProcExit1E}, SnapLen: 1, NoSnapshot: true})
	if err != nil {
		return err
	}
	defer src.Close()

	w := s.Out
	stats := netfs.NewStats(s.Slow)
	if s.Slow == 0 {
		stats.SlowNS = 1 // every operation
	}
	fmt.Fprint(w, netfs.SlowHeader)
	m := New(Options{OnOp: func(o *Op) {
		mt := mounts.Table().Lookup(o.Path)
		if mt == nil || (!s.All && !mt.IsNet()) {
			return
		}
		k := netfs.Key{PID: o.PID, Comm: o.Comm, Mount: mt.Point}
		if stats.Add(k, mt.FSType, netfsOps[o.Kind], o.Bytes, o.LatNS, o.TS, o.Path) {
			for _, s := range stats.TakeSlow() {
				netfs.WriteSlow(w, &s)
			}
		}
	}}, func(*Record) {})
	// Files open before the start: their reads and writes count too.
	snap, err := procfs.Scan(procfs.Options{NoEnv: true})
	if err != nil {
		return fmt.Errorf("read running processes: %w", err)
	}
	m.Preload(snap.Threads, uint64(time.Now().UnixNano()))
	capture.AnnounceStart(s.Started)
	calls := netfs.MountCalls{}

	flush := func() {
		rows := stats.Rows()
		fmt.Fprintf(w, "\n%s  per process and mount:\n", time.Now().Format("15:04:05"))
		netfs.WriteTable(w, rows)
		stats.Reset()
	}
	intervals := 0
	loop := engine.Follow{
		Handle: func(ev *event.Event) {
			m.Handle(ev)
			if netfs.IsMountCall(ev) {
				if me := calls.Add(ev, m.Process); me != nil {
					if me.FSType == "" {
						if mt := mounts.Table().Lookup(me.Target); mt != nil && mt.Point == me.Target {
							me.FSType = mt.FSType
						}
					}
					if me.Call == "umount" {
						stats.Unmounting(me.PID, me.Target)
					}
					netfs.WriteMountEvent(w, me)
					mounts.Invalidate()
				}
			}
		},
		Every: s.Interval,
		Tick: func() bool {
			flush()
			intervals++
			return s.Count > 0 && intervals >= s.Count
		},
	}
	_, err = loop.Run(src)
	src.Stats().WriteLost(s.Warn, "ferret netfs")
	if err != nil {
		return err
	}
	if s.Count == 0 || intervals < s.Count {
		flush() // ended by a signal or the end of the source
	}
	return nil
}
