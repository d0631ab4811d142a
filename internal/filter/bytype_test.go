// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// TestTypeVerdictsChangeNothing replays the golden filters and the bundled
// chisels' filters over the curl trace twice, with the types refused by
// their type-only checks and without: the same events match (and the same
// errors end the run). The chisels' filters decide some types; filters
// whose evaluation has side effects decide none that way.
func TestTypeVerdictsChangeNothing(t *testing.T) {
	deciding := []string{
		"fd.type=file and evt.is_io=true",
		"(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true",
		"fd.type=file and evt.dir=< and evt.failed=false",
		"evt.type=procinfo",
		"evt.type!=switch",
		"not evt.is_io_read=true and proc.name=curl",
		"evt.type in (open, read, write) and fd.name contains lib and proc.name!=bash",
		"fd.name contains etc or evt.is_wait=true and evt.type=poll",
		"evt.io_dir=read",
		"evt.type=open or proc.name=curl", // every open matches
	}
	none := []string{
		"proc.name=curl",
		"container.type=host and evt.type=open",   // remembers its last value
		"evt.type=open and evt.rawres contains 3", // refused when first compared
	}
	cases := append(append([]string(nil), deciding...), none...)
	for _, gc := range readGolden(t, "filters.curl.txt") {
		cases = append(cases, gc.filter)
	}
	for i, s := range cases {
		with, err := Compile(s, fields.Default)
		if err != nil {
			continue
		}
		if i < len(deciding) && with.byType == nil {
			t.Errorf("%q decides no event type by its type-only checks", s)
		}
		if i >= len(deciding) && i < len(deciding)+len(none) && with.byType != nil {
			t.Errorf("%q decides event types by its type-only checks", s)
		}
		without, _ := Compile(s, fields.Default)
		without.byType = nil
		for _, display := range []bool{false, true} {
			a, b := replay(t, with, display), replay(t, without, display)
			if a != b {
				t.Errorf("%q (display %v): with type verdicts\n%.300s\nwithout\n%.300s", s, display, a, b)
			}
			with, _ = Compile(s, fields.Default)
			without, _ = Compile(s, fields.Default)
			without.byType = nil
		}
	}
}

// TestTypeVerdictsOfGenericEvents: evt.type of a generic event is its
// syscall's name, so evt.type checks decide nothing for them.
func TestTypeVerdictsOfGenericEvents(t *testing.T) {
	f, err := Compile("evt.type=open", fields.Default)
	if err != nil {
		t.Fatal(err)
	}
	if f.byType == nil || f.byType[event.GenericE] != unknown || f.byType[event.GenericX] != unknown || f.byType[event.EvSwitchE] != no {
		t.Errorf("evt.type=open: generic events decided or switch not refused")
	}
	for _, ty := range event.ByName("open") {
		if f.byType[ty] != yes {
			t.Errorf("evt.type=open does not accept every %v", ty)
		}
	}
}
