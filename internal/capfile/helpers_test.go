// SPDX-License-Identifier: Apache-2.0

package capfile

import (
	"bytes"
	"errors"
	"github.com/ferret-observability/ferret/internal/testutil"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

func trace(t testing.TB, name string) string {
	return testutil.Reference(t, "traces", name)
}

// needSysdig returns the sysdig binary, skipping (or failing under CI) when
// it is not installed.
func needSysdig(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("sysdig comparisons skipped in -short mode")
	}
	p, err := exec.LookPath("sysdig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sysdig not installed")
		}
		t.Skip("sysdig not installed")
	}
	return p
}

// sysdigRead runs sysdig -r on path with extra arguments and returns its
// standard output and exit error.
func sysdigRead(t testing.TB, path string, args ...string) (string, error) {
	t.Helper()
	bin := needSysdig(t)
	cmd := exec.Command(bin, append([]string{"-r", path}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		err = errors.New(err.Error() + ": " + errb.String())
	}
	return out.String(), err
}

// readAll reads a whole capture: snapshot of the first section and clones
// of every event.
func readAll(t testing.TB, data []byte) (*event.Snapshot, []*event.Event, error) {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	snap := rd.Snapshot()
	var evs []*event.Event
	var ev event.Event
	for {
		err := rd.Next(&ev)
		if errors.Is(err, io.EOF) {
			return snap, evs, nil
		}
		if err != nil {
			return snap, evs, err
		}
		evs = append(evs, ev.Clone())
	}
}

// rewrite writes snap and evs as a new capture.
func rewrite(t testing.TB, snap *event.Snapshot, evs []*event.Event, opts WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
