// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

var (
	flagSeeds  = flag.Int("oracle.seeds", 4, "number of generated captures")
	flagFirst  = flag.Uint64("oracle.first", 1, "first seed")
	flagModes  = flag.String("oracle.modes", "", "only modes whose name matches this regexp")
	flagKeep   = flag.String("oracle.keep", "", "write a shrunk reproducer per disagreeing mode group to this directory")
	flagReport = flag.String("oracle.report", "", "write the agreement table to this file")
	flagExtra  = flag.String("oracle.extra", "", "directory of further real captures to compare (read in place)")
	flagJobs   = flag.Int("oracle.jobs", 2, "captures, and modes of each capture, replayed at the same time")
	flagBatch  = flag.Int("oracle.batch", 64, "fields per -p format (make oracle uses 24, to see which batch differs)")
	flagShow   = flag.Int("oracle.show", 3, "disagreements shown per mode group")
	flagBudget = flag.Int("oracle.budget", 150, "replays spent shrinking each kept reproducer")
	flagDump   = flag.String("oracle.dump", "", "also write the generated captures to this directory")
)

// asserted are the mode groups that must agree on every capture of the
// seed set; the others are measured and reported.
var asserted = map[string]bool{
	"chisel:echo_fds": true, "chisel:fdbytes_by": true, "chisel:fdcount_by": true, "chisel:fdtime_by": true,
	"chisel:fileslower": true, "chisel:iobytes": true, "chisel:iobytes_file": true, "chisel:iobytes_net": true,
	"chisel:list_login_shells": true, "chisel:lsof": true, "chisel:memcachelog": true, "chisel:netlower": true,
	"chisel:proc_exec_time": true, "chisel:shellshock_detect": true, "chisel:spectrogram": true,
	"chisel:spy_file": true, "chisel:spy_ip": true, "chisel:spy_logs": true, "chisel:spy_port": true,
	"chisel:spy_syslog": true, "chisel:spy_users": true, "chisel:stderr": true, "chisel:stdout": true,
	"chisel:table_generator": true, "chisel:topcontainers_cpu": true, "chisel:topcontainers_error": true,
	"chisel:topcontainers_file": true, "chisel:topcontainers_net": true, "chisel:topfiles_bytes": true,
	"chisel:topfiles_errors": true, "chisel:topfiles_time": true, "chisel:topports_server": true,
	"chisel:topprocs_cpu": true, "chisel:topprocs_errors": true, "chisel:topprocs_net": true,
	"chisel:v_procs": true,
}

func setup(t *testing.T) (*Runner, []Mode) {
	t.Helper()
	if testing.Short() {
		t.Skip("sysdig comparisons skipped in -short mode")
	}
	testutil.RequireTool(t, "sysdig")
	sysdig, _ := exec.LookPath("sysdig")
	r := &Runner{Ferret: testutil.FerretBinary(t), Sysdig: sysdig}
	all, err := Fields(r.Ferret)
	if err != nil || len(all) < 100 {
		t.Fatalf("ferret -l: %d fields, %v", len(all), err)
	}
	known, err := Fields(sysdig)
	if err != nil || len(known) < 100 {
		t.Fatalf("sysdig -l: %d fields, %v", len(known), err)
	}
	fields, own := Shared(all, known)
	t.Logf("not compared, ferret's own fields (unknown to sysdig): %s", strings.Join(own, " "))
	modes := Modes(fields, *flagBatch)
	if *flagModes != "" {
		re := regexp.MustCompile(*flagModes)
		var keep []Mode
		for _, m := range modes {
			if re.MatchString(m.Name()) {
				keep = append(keep, m)
			}
		}
		modes = keep
	}
	return r, modes
}

// casesOf is path replayed in each of modes.
func casesOf(path string, modes []Mode) []Case {
	cases := make([]Case, len(modes))
	for i, m := range modes {
		cases[i] = Case{path, m}
	}
	return cases
}

type failure struct {
	file string
	cap  *Capture
	v    Verdict
}

// TestOracle replays the generated captures of the seed set with ferret and
// sysdig in every mode.
func TestOracle(t *testing.T) {
	r, modes := setup(t)
	dir := t.TempDir()
	tally := NewTally()
	var mu sync.Mutex
	var fails []failure
	seeds := make(chan uint64)
	var wg sync.WaitGroup
	for w := 0; w < *flagJobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range seeds {
				c := Generate(seed)
				p := filepath.Join(dir, fmt.Sprintf("seed-%d.scap", seed))
				if err := os.WriteFile(p, c.Encode(), 0o644); err != nil {
					t.Error(err)
					continue
				}
				vs := r.CheckAll(casesOf(p, modes), *flagJobs)
				mu.Lock()
				for _, v := range vs {
					tally.Add(v)
					if !v.SysdigFailed && !v.Agree {
						fails = append(fails, failure{p, c, v})
					}
				}
				mu.Unlock()
				os.Remove(p)
				if *flagDump != "" {
					os.WriteFile(filepath.Join(*flagDump, filepath.Base(p)), c.Encode(), 0o644)
				}
			}
		}()
	}
	for i := 0; i < *flagSeeds; i++ {
		seeds <- *flagFirst + uint64(i)
	}
	close(seeds)
	wg.Wait()
	finish(t, r, tally, fails, fmt.Sprintf("%d generated captures (seeds %d..%d)", *flagSeeds, *flagFirst, *flagFirst+uint64(*flagSeeds)-1))
}

// TestOracleRealCaptures compares the real captures given with
// -oracle.extra (read where they are).
func TestOracleRealCaptures(t *testing.T) {
	if *flagExtra == "" {
		t.Skip("no -oracle.extra directory given")
	}
	r, modes := setup(t)
	files, _ := filepath.Glob(filepath.Join(*flagExtra, "*.scap*"))
	if len(files) == 0 {
		t.Fatalf("no captures in %s", *flagExtra)
	}
	tally := NewTally()
	var fails []failure
	var cases []Case
	for _, f := range files {
		for _, m := range modes {
			cases = append(cases, Case{f, m})
		}
	}
	for i, v := range r.CheckAll(cases, *flagJobs) {
		tally.Add(v)
		if !v.SysdigFailed && !v.Agree {
			fails = append(fails, failure{cases[i].Path, nil, v})
		}
	}
	finish(t, r, tally, fails, fmt.Sprintf("%d real captures in %s", len(files), *flagExtra))
}

// TestOracleReproducers replays the kept reproducers in the modes they were
// kept for.
func TestOracleReproducers(t *testing.T) {
	r, _ := setup(t)
	files, _ := filepath.Glob("testdata/repro/*.scap")
	for _, f := range files {
		args, err := os.ReadFile(strings.TrimSuffix(f, ".scap") + ".args")
		if err != nil {
			t.Fatal(err)
		}
		var m Mode
		if err := m.UnmarshalText(args); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !asserted[m.Group] {
			continue
		}
		if v := r.Check(f, m); !v.Agree {
			t.Errorf("%s: %s", f, describe(v))
		}
	}
}

func describe(v Verdict) string {
	return fmt.Sprintf("mode %q: sysdig exit %d, ferret exit %d\n%s", v.Mode.Name(), v.Want.Status, v.Got.Status, diff(v.Want.Stdout, v.Got.Stdout))
}

// diff shows the first differing lines of two outputs.
func diff(want, got []byte) string {
	w, g := lines(normalize(want)), lines(normalize(got))
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			clip := func(s string) string {
				if len(s) > 400 {
					return s[:400] + "..."
				}
				return s
			}
			return fmt.Sprintf("  line %d (of %d/%d)\n  sysdig: %q\n  ferret: %q", i+1, len(w), len(g), clip(a), clip(b))
		}
	}
	return "  (same lines, other order)"
}

func finish(t *testing.T, r *Runner, tally *Tally, fails []failure, what string) {
	t.Helper()
	rep := "agreement with sysdig over " + what + "\n" + tally.Report()
	t.Log("\n" + rep)
	if *flagReport != "" {
		if err := os.WriteFile(*flagReport, []byte(rep), 0o644); err != nil {
			t.Error(err)
		}
	}
	sort.SliceStable(fails, func(i, j int) bool { return fails[i].v.Mode.Group < fails[j].v.Mode.Group })
	shown := map[string]int{}
	kept := map[string]bool{}
	failed := map[string]int{}
	for _, f := range fails {
		g := f.v.Mode.Group
		failed[g]++
		if shown[g] < *flagShow {
			shown[g]++
			msg := fmt.Sprintf("%s: %s", filepath.Base(f.file), describe(f.v))
			if asserted[g] {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
		if *flagKeep != "" && f.cap != nil && !kept[g] {
			kept[g] = true
			keep(t, r, f, *flagKeep)
		}
	}
	for g, n := range failed {
		if asserted[g] && shown[g] == 0 {
			t.Errorf("mode group %s: %d disagreements", g, n)
		}
	}
}

// keep shrinks a disagreeing capture and writes it with its mode.
func keep(t *testing.T, r *Runner, f failure, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Error(err)
		return
	}
	small := r.Shrink(f.cap, f.v.Mode, t.TempDir(), *flagBudget)
	name := strings.NewReplacer(":", "-", "*", "star").Replace(f.v.Mode.Group) + fmt.Sprintf("-seed%d", f.cap.Seed)
	base := filepath.Join(dir, strings.TrimLeft(name, "-"))
	text, _ := f.v.Mode.MarshalText()
	if err := os.WriteFile(base+".scap", small.Encode(), 0o644); err != nil {
		t.Error(err)
	}
	if err := os.WriteFile(base+".args", text, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("kept %s.scap (%d events, %d threads)", base, len(small.Events), len(small.Snap.Threads))
}
