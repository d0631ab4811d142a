// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

var (
	flagTokens    = flag.Int("oracle.tokens", 120, "TestFormatTokensLikeSysdig: how many generated -p formats to compare (0: all)")
	flagTokenSeed = flag.Uint64("oracle.tokenseed", 15, "TestFormatTokensLikeSysdig: seed of the sample of formats")
)

// tableOnlyFields are fields sysdig takes in formats and filters but does
// not list with -l (csysdig's views use them); ferret hides them too.
var tableOnlyFields = []string{"span.duration.quantized", "span.duration.fortag", "span.count", "span.count.fortag",
	"span.childcount.fortag", "span.idtag", "span.rawtime", "span.rawparenttime"}

// tokenForms are the shapes each field is written in: plain, with
// positions, keys, widths, malformed and empty arguments, parentheses and
// text glued after it.
var tokenForms = []string{"%F", "%F[0]", "%F[1]", "%F.x", "%10F", "%-8F", "*%F", "%F[", "%F[abc]", "%F[-1]", "%(F)",
	"*A%FB", "*%F.", "*%F[ 1]x", "*%F[1]x", "*%F x", "*%F%", "*%F%%", "*%F[]", "*%F.a.b|", "*%F[0x1]", "*%F.%evt.num"}

// oddFormats are formats without a field, or with a broken one.
var oddFormats = []string{"%", "%%", "%evt", "%evt.", "%.", "%10", "%-", "plain text", "%nosuch.field", "*%", "*%%%",
	"%10%evt.num", "%(", "%()", "%(evt.num", "*%evt.num%", "%-10", "%0evt.num", "%+3evt.num", "%*evt.num"}

// formatCases is every generated format, in a fixed order.
func formatCases(fieldList []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, f := range append(fieldList, tableOnlyFields...) {
		if why := sysdigRefuses[f]; strings.Contains(why, "unknown to sysdig") {
			continue // ferret's own fields
		}
		for _, form := range tokenForms {
			add(string(bytes.ReplaceAll([]byte(form), []byte("F"), []byte(f))))
		}
	}
	for _, s := range oddFormats {
		add(s)
	}
	sort.Strings(out)
	return out
}

// TestFormatTokensLikeSysdig writes every field of ferret -l (and sysdig's
// unlisted table fields) in each of tokenForms and compares, for each -p
// format, the exit status and the whole output, error text included, of
// both tools on a reference trace. CI compares a sample drawn with a fixed
// seed (-oracle.tokens); -oracle.tokens 0 -timeout 0 compares them all
// (about 5,700 formats).
func TestFormatTokensLikeSysdig(t *testing.T) {
	testutil.RequireTool(t, "sysdig")
	sysdig, _ := exec.LookPath("sysdig")
	ferret := testutil.FerretBinary(t)
	trace := testutil.Reference(t, "traces", "sample.scap")
	fieldList, err := Fields(ferret)
	if err != nil || len(fieldList) < 200 {
		t.Fatalf("ferret -l: %v (%d fields)", err, len(fieldList))
	}
	cases := formatCases(fieldList)
	total := len(cases)
	if n := *flagTokens; n > 0 && n < len(cases) {
		r := rand.New(rand.NewPCG(*flagTokenSeed, 2843))
		r.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
		cases = cases[:n]
		sort.Strings(cases)
	}
	run := func(bin, format string) (string, int) {
		cmd := exec.Command(bin, "-r", trace, "-n", "30", "-p", format)
		cmd.Env = append(cmd.Environ(), "TZ=UTC")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), ee.ExitCode()
		} else if err != nil {
			t.Error(err)
		}
		return out.String(), 0
	}
	var mu sync.Mutex
	bad := 0
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for format := range work {
				want, ws := run(sysdig, format)
				got, gs := run(ferret, format)
				if ws == gs && want == got {
					continue
				}
				mu.Lock()
				bad++
				t.Errorf("-p %q: sysdig exit %d, ferret exit %d\nsysdig: %.200q\nferret: %.200q", format, ws, gs, want, got)
				mu.Unlock()
			}
		}()
	}
	for _, c := range cases {
		work <- c
	}
	close(work)
	wg.Wait()
	t.Logf("%d formats compared (of %d generated), %d differ", len(cases), total, bad)
}

// TestTypeIsFormatsMatchSysdig compares formats ending in evt.type.is and
// its neighbours, in text and -j output: sysdig's formatter reads the
// field's type from the whole rest of the format, so the field covers its
// text only at the end of a format naming an event or a number; elsewhere
// the text shows again as literal text and the -j key is empty (a repeated
// key shows its last value).
func TestTypeIsFormatsMatchSysdig(t *testing.T) {
	r, _ := setup(t)
	p := filepath.Join(t.TempDir(), "typeis.scap")
	if err := os.WriteFile(p, Generate(5).Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"open", "open x", "openat", "3", "+3", "  -3", "99999999999", "3 ", "1e3", "0x3", "OPEN",
		"NA1", "container", "getpid", "unknown", "", ".", "open%evt.num", "open %proc.aname[x]"} {
		for _, j := range [][]string{nil, {"-j"}} {
			args := append(append([]string{"-n", "20"}, j...), "-p", "*%evt.num %evt.type.is."+f)
			if v := r.Check(p, Mode{Group: "-p*", Args: args}); !v.Agree {
				t.Error(describe(v))
			}
		}
	}
	for _, f := range []string{"*%evt.num %proc.aname[x] %evt.type.is.open x", "*%evt.num %proc.name %evt.num %proc.aname[x] x"} {
		if v := r.Check(p, Mode{Group: "-p*", Args: []string{"-n", "20", "-j", "-p", f}}); !v.Agree {
			t.Error(describe(v))
		}
	}
}
