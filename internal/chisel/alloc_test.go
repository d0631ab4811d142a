// SPDX-License-Identifier: Apache-2.0

package chisel

import (
	"bytes"
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// TestOnEventAllocs bounds the allocations of delivering one event to a
// chisel that reads a numeric field (boxing the number for Lua is the one
// allocation left).
func TestOnEventAllocs(t *testing.T) {
	dir := writeChisel(t, map[string]string{"n": `description='d' short_description='s' args={}
  local n = 0
  function on_init() fr = chisel.request_field("evt.num") return true end
  function on_event() n = n + (evt.field(fr) or 0) return true end`})
	c, _, err := Load("n", nil, Options{Dirs: []string{dir}, Stdout: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	c.Init()
	st := state.New(state.Options{})
	fc := fields.NewCtx(st)
	fc.Ev = &event.Event{TS: 5, Num: 3}
	a := testing.AllocsPerRun(1000, func() { c.OnEvent(fc) })
	if a > 1 {
		t.Errorf("%v allocations per event, want at most 1", a)
	}
}

// TestSumByAllocs: adding an event to a chisel.sum_by table under a key
// already seen allocates nothing (no key string, no boxed number).
func TestSumByAllocs(t *testing.T) {
	dir := writeChisel(t, map[string]string{"s": `description='d' short_description='s' args={}
  function on_init()
    chisel.sum_by({chisel.request_field("evt.type"), chisel.request_field("evt.dir")}, chisel.request_field("evt.num"))
    return true
  end`})
	c, _, err := Load("s", nil, Options{Dirs: []string{dir}, Stdout: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	c.Init()
	st := state.New(state.Options{})
	fc := fields.NewCtx(st)
	fc.Ev = &event.Event{TS: 5, Num: 3, Type: event.EvSwitchE}
	c.OnEvent(fc)
	if a := testing.AllocsPerRun(1000, func() { c.OnEvent(fc) }); a != 0 {
		t.Errorf("%v allocations per event, want 0", a)
	}
}
