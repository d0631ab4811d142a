// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/state"
)

// The goldens in testdata are sysdig 0.29.3's output of
// `sysdig -r curl_google.scap [-d] -p '*%evt.num' FILTER` (copied from the
// shared reference set): the matching event numbers on one line, or the
// error message.

type goldenCase struct{ filter, want string }

func readGolden(t *testing.T, name string) []goldenCase {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenCase
	lines := strings.Split(string(b), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		if strings.HasPrefix(lines[i], "### ") {
			f := strings.TrimPrefix(lines[i][4:], "-d ")
			out = append(out, goldenCase{f, strings.TrimSpace(lines[i+1])})
		}
	}
	return out
}

// replay runs flt over the trace and returns what `-p '*%evt.num'`
// prints. display selects display-filter semantics (-d: every event is
// parsed first); otherwise flt is a capture filter, and as in the engine it
// judges an event that modifies no state before the state parses it (a
// refused one is not parsed).
func replay(t *testing.T, flt *Filter, display bool) string {
	src, err := file.Open("testdata/curl_google.scap")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	st := state.New(state.Options{})
	st.Load(src.Snapshot())
	c := fields.NewCtx(st)
	var out []string
	for {
		ev, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c.Ev = ev
		var ok bool
		switch {
		case display:
			st.Update(ev)
			ok = flt.Match(c)
		case ev.Info() != nil && ev.Info().Flags&event.FlagModifiesState == 0:
			st.Prepare(ev, true)
			if ok = flt.Match(c); ok {
				st.Parse()
			} else {
				st.Reject()
			}
		default:
			st.Prepare(ev, true)
			st.Parse()
			ok = flt.Match(c)
		}
		if ev.DumpFlags&event.DumpStateOnly != 0 {
			continue
		}
		if ok && ev.Info() != nil && ev.Info().Category&event.CatInternal == 0 {
			out = append(out, strconv.FormatUint(ev.Num, 10))
		}
		if err := flt.Err(); err != nil {
			out = append(out, err.Error())
			break
		}
	}
	return strings.Join(out, " ")
}

func TestGoldenFilters(t *testing.T) {
	total := 0
	defer func() {
		if total != 78 {
			t.Errorf("replayed %d golden cases, want 78", total)
		}
	}()
	for _, name := range []string{"filters.curl.txt", "filters.curl.displayflt.txt"} {
		display := strings.Contains(name, "displayflt")
		for _, gc := range readGolden(t, name) {
			total++
			flt, err := Compile(gc.filter, fields.Default)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = replay(t, flt, display)
			}
			if got != gc.want {
				t.Errorf("%s: %q\n got: %.300s\nwant: %.300s", name, gc.filter, got, gc.want)
			}
		}
	}
}
