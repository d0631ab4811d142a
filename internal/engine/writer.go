// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"fmt"

	"github.com/ferret-observability/ferret/internal/capfile"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// FileWriter is the consumer that writes a run's events to capture files
// (-w): accepted events as they are; with Fat (-F) also the state-changing
// events the filter rejected, flagged so that readers use them for state
// only. Rotation and compression follow Options. Threads of the thread
// tables and of process events carry their cgroups with what sysdig needs
// to tell their containers (container.SysdigCgroups).
type FileWriter struct {
	Path    string
	Options capfile.Options
	Fat     bool
	fw      *capfile.FileWriter
	tmp     event.Event
	pev     event.Event   // a process event with its cgroups for sysdig
	pb      event.Builder // builds pev
	// containers counts the entries of the state's container log already
	// handed to the file; mountNS those of its mount-namespace log.
	containers int
	mountNS    int
}

// syncContainers queues the containers the state met since the last event
// so that their metadata precedes the first event that refers to them, and
// the mount namespaces it looked up (so that a replay assigns them at the
// same event).
func (w *FileWriter) syncContainers(st *state.State) {
	log := st.ContainerLog()
	if len(log) < w.containers {
		w.containers = 0 // the state was reloaded
	}
	for _, c := range log[w.containers:] {
		w.fw.AddContainer(state.ContainerJSON(c))
	}
	w.containers = len(log)
	nsLog := st.MountNSLog()
	if len(nsLog) < w.mountNS {
		w.mountNS = 0
	}
	for _, rec := range nsLog[w.mountNS:] {
		w.fw.AddMountNS(rec)
	}
	w.mountNS = len(nsLog)
}

// OnCaptureStart creates the file from the source's snapshot; each rotated
// file starts from the tables as they are then.
func (w *FileWriter) OnCaptureStart(r *Run) error {
	o := w.Options
	o.Snapshot = func() *event.Snapshot { return sysdigSnapshot(r.State.Snapshot()) }
	fw, err := capfile.Create(w.Path, sysdigSnapshot(r.Source.Snapshot()), o)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", w.Path, err)
	}
	w.fw = fw
	return nil
}

// OnEvent writes an accepted event. A container metadata event is not
// copied: the state logged its container, written ahead of the next event
// like every container met (so a container appears once per file).
func (w *FileWriter) OnEvent(c *fields.Ctx) error {
	w.syncContainers(c.State)
	if initialState[c.Ev.Type] {
		return nil
	}
	return w.fw.WriteEvent(sysdigEvent(c.Ev, &w.pb, &w.pev))
}

// OnRejected writes, with Fat, the state-changing events the filter
// rejected.
func (w *FileWriter) OnRejected(c *fields.Ctx) error {
	if !w.Fat || !StateOnlyCopy(c.Ev, &w.tmp) {
		return nil
	}
	w.syncContainers(c.State)
	return w.fw.WriteEvent(sysdigEvent(&w.tmp, &w.pb, &w.pev))
}

// StateOnlyCopy decides whether a fat capture keeps a rejected event: it
// does when the event changes the state (or already is state-only). It
// then copies ev into tmp, flagged state-only so that readers use it for
// the tables only.
func StateOnlyCopy(ev, tmp *event.Event) bool {
	if ev.DumpFlags&event.DumpStateOnly == 0 && !ev.Type.ChangesState() {
		return false
	}
	*tmp = *ev
	tmp.DumpFlags |= event.DumpStateOnly
	return true
}

// OnCaptureEnd closes the file.
func (w *FileWriter) OnCaptureEnd(*Run) error {
	if w.fw == nil {
		return nil
	}
	return w.fw.Close()
}
