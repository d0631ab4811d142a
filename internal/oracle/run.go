// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferret-observability/ferret/internal/event"
)

// Output is what one tool printed for one replay.
type Output struct {
	Stdout []byte
	Status int // exit status; -1 when killed by a signal or timed out
}

// Runner replays captures with both tools.
type Runner struct {
	Ferret, Sysdig string
	Timeout        time.Duration // per replay; 0 means 30 s
}

// Run replays path in mode m with the program bin.
func (r *Runner) Run(bin, path string, m Mode) Output {
	to := r.Timeout
	if to == 0 {
		to = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), to)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-r", path}, m.Args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stdin = nil
	err := cmd.Run()
	st := 0
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		st = ee.ExitCode()
	default:
		st = -2
	}
	if ctx.Err() != nil {
		st = -1
	}
	return Output{Stdout: out.Bytes(), Status: st}
}

// Verdict is the comparison of both tools' outputs for one mode.
type Verdict struct {
	Mode         Mode
	Agree        bool // equal once both outputs carry ferret's sanitisation (see sanitize)
	RawAgree     bool // equal byte for byte, run-dependent timing aside
	SysdigFailed bool // sysdig crashed or timed out: no oracle
	Want, Got    Output
}

// Check replays path in mode m with both tools, at the same time, and
// compares.
func (r *Runner) Check(path string, m Mode) Verdict {
	done := make(chan Output, 1)
	go func() { done <- r.Run(r.Ferret, path, m) }()
	want := r.Run(r.Sysdig, path, m)
	got := <-done
	v := Verdict{Mode: m, Want: want}
	if want.Status < 0 || want.Status >= 128 {
		v.SysdigFailed = true
		return v
	}
	v.Got = got
	st := v.Got.Status == want.Status
	v.RawAgree = st && same(m.Cmp, untimed(v.Got.Stdout), untimed(want.Stdout))
	v.Agree = v.RawAgree || st && Same(m.Cmp, v.Got.Stdout, want.Stdout)
	return v
}

// Case is one capture replayed in one mode.
type Case struct {
	Path string
	Mode Mode
}

// CheckAll checks every case, jobs of them at a time (each runs both
// tools), and returns the verdicts in the order of cases.
func (r *Runner) CheckAll(cases []Case, jobs int) []Verdict {
	out := make([]Verdict, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < max(jobs, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = r.Check(cases[i].Path, cases[i].Mode)
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

var timing = regexp.MustCompile(`(?m)^(Elapsed time: )[0-9.]+(, Captured Events: [0-9]+, )[0-9.]+( eps)$`)

// untimed replaces the run-dependent timing figures of the capture summary.
func untimed(b []byte) []byte {
	return timing.ReplaceAll(b, []byte("${1}X${2}X${3}"))
}

// normalize removes what the comparison does not judge: run-dependent
// timing figures, and the terminal control bytes sysdig copies from traced
// names and data into text output. ferret deliberately prints those as '.'
// (event.Sanitize: C0 controls and DEL, C1 controls raw or UTF-8 encoded);
// the same rule is applied to both outputs, keeping line feeds and tabs
// (which split or lay out sysdig's lines and cannot be told apart from its
// own) and turning the escapes of chisel colours into '.' in both.
func normalize(b []byte) []byte {
	b = untimed(b)
	event.Sanitize(b, true)
	return b
}

// Same compares two outputs the way cmp says, after normalize.
func Same(cmp Compare, got, want []byte) bool {
	return same(cmp, normalize(got), normalize(want))
}

func same(cmp Compare, got, want []byte) bool {
	if bytes.Equal(got, want) {
		return true
	}
	switch cmp {
	case RowSet:
		return equalSorted(lines(got), lines(want))
	case Ties:
		return tiesOnly(lines(got), lines(want), rank)
	case JSONTies:
		// (a chisel that prints a text table with -j compares as Ties)
		return jsonTiesOnly(sortMembers(got), sortMembers(want)) || tiesOnly(lines(got), lines(want), rank)
	}
	return false
}

// jsonTiesOnly compares two top-chisel JSON outputs whose objects have
// their members sorted: lines equal, except that the rows of a "data"
// array (one line in the chisels' layout) compare as a top-N table.
func jsonTiesOnly(got, want []byte) bool {
	g, w := lines(got), lines(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] == w[i] {
			continue
		}
		rg, okg := dataRows(g[i])
		rw, okw := dataRows(w[i])
		if !okg || !okw || !tiesOnly(rg, rw, lastRank) {
			return false
		}
	}
	return true
}

// dataRows splits a line `"data":[ROW,ROW...],` into its rows' texts.
func dataRows(line string) ([]string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimLeft(line, " "), `"data":`)
	if !ok {
		return nil, false
	}
	rest = strings.TrimSuffix(rest, ",")
	var rows []json.RawMessage
	if err := json.Unmarshal([]byte(rest), &rows); err != nil {
		return nil, false
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = string(r)
	}
	return out, true
}

// lastRank is the value a JSON top row sorts by: its last element.
func lastRank(row string) (float64, bool) {
	var cells []json.RawMessage
	if json.Unmarshal([]byte(row), &cells) != nil || len(cells) == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(cells[len(cells)-1]), 64)
	return f, err == nil
}

// sortMembers returns b with the members of every JSON object in it (at
// any depth, in every document of the text) sorted by key, each member
// keeping the blanks before it and the closing brace those before it, so
// that the layout still compares. Text that is not JSON stays as it is.
func sortMembers(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		if b[i] == '{' || b[i] == '[' {
			if v, n, ok := jsonValue(b[i:]); ok {
				out = append(out, v...)
				i += n
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}

func jsonBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// jsonValue reads one JSON value at the start of b (no leading blanks)
// and returns it with its objects' members sorted, and its length.
func jsonValue(b []byte) ([]byte, int, bool) {
	if len(b) == 0 {
		return nil, 0, false
	}
	switch b[0] {
	case '"':
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return b[:i+1], i + 1, true
			}
		}
		return nil, 0, false
	case '[', '{':
		obj := b[0] == '{'
		closer := byte(']')
		if obj {
			closer = '}'
		}
		type member struct {
			key  string
			text []byte
		}
		var ms []member
		i := 1
		for {
			start := i
			for i < len(b) && jsonBlank(b[i]) {
				i++
			}
			if i < len(b) && b[i] == closer && len(ms) == 0 {
				// empty
				return b[:i+1], i + 1, true
			}
			var text []byte
			text = append(text, b[start:i]...)
			key := ""
			if obj {
				k, n, ok := jsonValue(b[i:])
				if !ok || k[0] != '"' {
					return nil, 0, false
				}
				key = string(k)
				text = append(text, k...)
				i += n
				for i < len(b) && jsonBlank(b[i]) {
					text = append(text, b[i])
					i++
				}
				if i >= len(b) || b[i] != ':' {
					return nil, 0, false
				}
				text = append(text, ':')
				i++
				for i < len(b) && jsonBlank(b[i]) {
					text = append(text, b[i])
					i++
				}
			}
			v, n, ok := jsonValue(b[i:])
			if !ok {
				return nil, 0, false
			}
			text = append(text, v...)
			i += n
			blank := i
			for i < len(b) && jsonBlank(b[i]) {
				i++
			}
			if i >= len(b) {
				return nil, 0, false
			}
			switch b[i] {
			case ',':
				text = append(text, b[blank:i]...)
				ms = append(ms, member{key, text})
				i++
				continue
			case closer:
				ms = append(ms, member{key, text})
				if obj {
					sort.SliceStable(ms, func(x, y int) bool { return ms[x].key < ms[y].key })
				}
				out := []byte{b[0]}
				for x, m := range ms {
					if x > 0 {
						out = append(out, ',')
					}
					out = append(out, m.text...)
				}
				out = append(out, b[blank:i+1]...)
				return out, i + 1, true
			}
			return nil, 0, false
		}
	}
	// a number, true, false or null
	i := 0
	for i < len(b) && !jsonBlank(b[i]) && b[i] != ',' && b[i] != ']' && b[i] != '}' {
		i++
	}
	if i == 0 {
		return nil, 0, false
	}
	return b[:i], i, true
}

func lines(b []byte) []string { return strings.Split(string(b), "\n") }

func equalSorted(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var number = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?`)

// rank is the value a top table sorts by: the first number of a row.
func rank(row string) (float64, bool) {
	m := number.FindString(row)
	if m == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(m, 64)
	return f, err == nil
}

// tiesOnly reports whether a and b hold the same rows up to order, except
// rows tied at the lowest value of the table (the cut-off of a top-N
// table may keep different ones).
func tiesOnly(a, b []string, rank func(string) (float64, bool)) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	var diff []string
	for k, n := range count {
		for ; n != 0; n -= sign(n) {
			diff = append(diff, k)
		}
	}
	if len(diff) == 0 {
		return true
	}
	low, have := 0.0, false
	for _, x := range a {
		if v, ok := rank(x); ok && (!have || v < low) {
			low, have = v, true
		}
	}
	for _, d := range diff {
		v, ok := rank(d)
		if !ok || !have || v != low {
			return false
		}
	}
	return true
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

// Tally counts agreement per mode group.
type Tally struct {
	Agree, RawAgree, Total, NoOracle map[string]int
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{Agree: map[string]int{}, RawAgree: map[string]int{}, Total: map[string]int{}, NoOracle: map[string]int{}}
}

// Add counts one verdict.
func (t *Tally) Add(v Verdict) {
	g := v.Mode.Group
	if v.SysdigFailed {
		t.NoOracle[g]++
		return
	}
	t.Total[g]++
	if v.Agree {
		t.Agree[g]++
	}
	if v.RawAgree {
		t.RawAgree[g]++
	}
}

// Groups returns the groups seen, sorted.
func (t *Tally) Groups() []string {
	seen := map[string]bool{}
	for g := range t.Total {
		seen[g] = true
	}
	for g := range t.NoOracle {
		seen[g] = true
	}
	var out []string
	for g := range seen {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// Report is the agreement table, one line per group: the agreement once
// both outputs are sanitised the way ferret prints text, then the raw
// byte-for-byte agreement.
func (t *Tally) Report() string {
	var b strings.Builder
	pct := func(a, n int) float64 {
		if n == 0 {
			return 100
		}
		return 100 * float64(a) / float64(n)
	}
	fmt.Fprintf(&b, "%-28s %-23s %s\n", "mode", "sanitised", "raw")
	ta, tr, tt := 0, 0, 0
	for _, g := range t.Groups() {
		a, r, n := t.Agree[g], t.RawAgree[g], t.Total[g]
		ta, tr, tt = ta+a, tr+r, tt+n
		fmt.Fprintf(&b, "%-28s %7d/%-7d %6.2f%%  %7d/%-7d %6.2f%%", g, a, n, pct(a, n), r, n, pct(r, n))
		if x := t.NoOracle[g]; x > 0 {
			fmt.Fprintf(&b, "  (sysdig failed on %d)", x)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%-28s %7d/%-7d %6.2f%%  %7d/%-7d %6.2f%%\n", "all", ta, tt, pct(ta, tt), tr, tt, pct(tr, tt))
	return b.String()
}
