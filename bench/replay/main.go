// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

var (
	ferretBin = flag.String("ferret", "./ferret", "ferret binary")
	trace     = flag.String("trace", "", "trace to repeat (default: ../shared/reference/traces/curl_google.scap)")
	copies    = flag.Int("copies", 300, "how many copies of the trace to concatenate")
	rounds    = flag.Int("rounds", 3, "rounds per case")
	outPath   = flag.String("out", "bench/RESULTS.md", "results file to append to")
)

func main() {
	flag.Parse()
	if *trace == "" {
		*trace = filepath.Join("testdata", "reference", "traces", "curl_google.scap")
	}
	src, err := os.ReadFile(*trace)
	if err != nil {
		fail(err)
	}
	dir, err := os.MkdirTemp("", "replay")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	big := filepath.Join(dir, "big.scap")
	f, err := os.Create(big)
	if err != nil {
		fail(err)
	}
	for i := 0; i < *copies; i++ {
		if _, err := f.Write(src); err != nil {
			fail(err)
		}
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
	// One section: rewrite the concatenation with ferret, so that neither
	// tool spends its time reloading process tables at every copy.
	single := filepath.Join(dir, "single.scap")
	if out, err := exec.Command(*ferretBin, "-r", big, "-q", "-w", single).CombinedOutput(); err != nil {
		fail(fmt.Errorf("rewriting the capture: %v: %s", err, out))
	}
	big = single
	events := countEvents(big)
	cases := []struct {
		name string
		args []string
	}{
		{"default output", nil},
		{"filter", []string{"evt.type in (open, read, write) and fd.name contains lib and proc.name!=bash"}},
		{"chisel topfiles_bytes", []string{"-c", "topfiles_bytes"}},
	}
	var rows []string
	for _, c := range cases {
		var ft, st []float64
		var ferr, serr string
		for r := 0; r < *rounds; r++ {
			order := []string{*ferretBin, "sysdig"}
			if r%2 == 1 {
				order = []string{"sysdig", *ferretBin}
			}
			for _, tool := range order {
				d, e := run(tool, append([]string{"-r", big}, c.args...))
				if tool == "sysdig" {
					st = append(st, d)
					serr = e
				} else {
					ft = append(ft, d)
					ferr = e
				}
			}
		}
		fm, sm := med(ft), med(st)
		row := fmt.Sprintf("| %s | %d | %.2f s (%.0f ev/s) | %.2f s (%.0f ev/s) | %.2fx |", c.name, events,
			fm, float64(events)/fm, sm, float64(events)/sm, sm/fm)
		if ferr != "" || serr != "" {
			row += fmt.Sprintf(" ferret: %s sysdig: %s |", ferr, serr)
		} else {
			row += " |"
		}
		fmt.Println(row)
		rows = append(rows, row)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Replay speed, %s\n\n%d copies of %s rewritten as one section; median of %d alternating rounds; output to /dev/null.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), *copies, filepath.Base(*trace), *rounds)
	b.WriteString("| case | events | ferret -r | sysdig -r | ferret speed-up | notes |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	o, err := os.OpenFile(*outPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fail(err)
	}
	defer o.Close()
	if _, err := o.WriteString(b.String()); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "replay:", err)
	os.Exit(1)
}

// countEvents counts the events sysdig prints for the file (internal events
// excluded), used to turn times into rates for both tools.
func countEvents(path string) int {
	out, err := exec.Command("sysdig", "-r", path).Output()
	if err != nil && len(out) == 0 {
		fail(fmt.Errorf("sysdig -r: %v", err))
	}
	return bytes.Count(out, []byte{'\n'})
}

func run(tool string, args []string) (float64, string) {
	cmd := exec.Command(tool, args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start).Seconds()
	if err != nil {
		return d, strings.ReplaceAll(strings.TrimSpace(err.Error()+" "+errb.String()), "\n", " ")
	}
	return d, ""
}

func med(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
