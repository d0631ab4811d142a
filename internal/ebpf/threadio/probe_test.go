// SPDX-License-Identifier: Apache-2.0

package threadio

import (
	"os"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.MaybeIOTrigger()
	os.Exit(m.Run())
}

// TestCounts runs a program doing a known amount of I/O from its main
// thread and checks its thread's counters.
func TestCounts(t *testing.T) {
	testutil.RequireRoot(t)
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pid := testutil.RunIOTrigger(t)
	c, ok := p.Lookup(int64(pid))
	if !ok {
		t.Fatalf("no counters for the trigger's thread %d", pid)
	}
	f, n, pipe := uint64(testutil.TriggerFileBytes), uint64(testutil.TriggerNetBytes), uint64(testutil.TriggerPipeBytes)
	if c.FileOut != f {
		t.Errorf("file out %d, want %d", c.FileOut, f)
	}
	// (The loader and the Go runtime read a few small files at start-up.)
	if c.FileIn < f || c.FileIn > f+65536 {
		t.Errorf("file in %d, want %d and at most 64 KiB more", c.FileIn, f)
	}
	if c.NetOut != n || c.NetIn != n || c.Net != 2*n {
		t.Errorf("net in %d out %d all %d, want %d %d %d", c.NetIn, c.NetOut, c.Net, n, n, 2*n)
	}
	if c.AnyOut < f+n+pipe || c.AnyIn < c.FileIn+n+pipe {
		t.Errorf("any in %d out %d, want at least %d and %d", c.AnyIn, c.AnyOut, c.FileIn+n+pipe, f+n+pipe)
	}
	if c.File < c.FileIn+c.FileOut || c.Any < c.AnyIn+c.AnyOut {
		t.Errorf("totals below their parts: %+v", c)
	}
	// Nothing of this process itself.
	if c, ok := p.Lookup(int64(os.Getpid())); ok {
		t.Errorf("the loading process counted: %+v", c)
	}
	var seen bool
	if err := p.Read(func(tid int64, c Counts) {
		if tid == int64(pid) {
			seen = true
		}
	}); err != nil {
		t.Fatal(err)
	}
	if !seen {
		t.Error("Read does not list the trigger's thread")
	}
	p.Delete([]int64{int64(pid)})
	if _, ok := p.Lookup(int64(pid)); ok {
		t.Error("Delete left the thread")
	}
	if m := p.Misses(); m != 0 {
		t.Errorf("%d calls not counted", m)
	}
}

// TestCalls checks the table of counted calls on the common ones.
func TestCalls(t *testing.T) {
	c := Calls()
	var reads, writes, other int
	for _, b := range c {
		switch {
		case b&ioReads != 0:
			reads++
		case b&ioWrites != 0:
			writes++
		case b&ioCounted != 0:
			other++
		}
	}
	if reads < 4 || writes < 4 || other < 2 {
		t.Errorf("counted calls: %d reads, %d writes, %d others", reads, writes, other)
	}
}
