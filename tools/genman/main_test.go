// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/app"
	"github.com/ferret-observability/ferret/internal/manual"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// unroff undoes the escapes the man pages use.
var unroff = strings.NewReplacer(`\-`, "-", `\e`, `\`, `\&`, "")

// TestGenerated: every option form each --help page lists appears in that
// command's man page (in its OPTIONS section), in the bash and fish
// completions of that command and in the zsh completion file; every
// README example is on its page.
func TestGenerated(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir, "../../README.md"); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	bash, zsh, fish := read("completions/ferret"), read("completions/_ferret"), read("completions/ferret.fish")
	readme, _ := os.ReadFile("../../README.md")
	var names []string
	cmds := app.Commands()
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	examples := manual.Examples(string(readme), names)
	if len(examples["trace"]) == 0 || len(examples[""]) == 0 {
		t.Fatalf("README examples not found: %v", examples)
	}
	for _, c := range cmds {
		page := unroff.Replace(read("man1/" + manual.PageName(c.Name) + ".1"))
		_, opts, ok := strings.Cut(page, "\n.SH OPTIONS\n")
		if !ok {
			t.Errorf("%s: no OPTIONS section", manual.PageName(c.Name))
			continue
		}
		opts, _, _ = strings.Cut(opts, "\n.SH ")
		flags := manual.Flags(c.Help)
		if len(flags) == 0 {
			t.Errorf("%q: no options found in --help", c.Name)
		}
		// the options of c in the bash script: its case branch
		_, branch, _ := strings.Cut(bash, "        '"+c.Name+"')\n            opts='")
		branch, _, _ = strings.Cut(branch, "'")
		bashOpts := map[string]bool{}
		for _, f := range strings.Fields(branch) {
			bashOpts[f] = true
		}
		for _, f := range flags {
			if !regexp.MustCompile(`(^|[^\w-])` + regexp.QuoteMeta(f) + `($|[^\w-])`).MatchString(opts) {
				t.Errorf("%s: %s is in --help but not in the man page's options", manual.PageName(c.Name), f)
			}
			if !bashOpts[f] {
				t.Errorf("bash completion of %q lacks %s", c.Name, f)
			}
			if !strings.Contains(zsh, "'"+f+"[") && !strings.Contains(zsh, "'"+f+"=[") && !strings.Contains(zsh, "'"+f+"+[") {
				t.Errorf("zsh completion lacks %s (%q)", f, c.Name)
			}
			fl := "-l " + strings.TrimPrefix(f, "--")
			if !strings.HasPrefix(f, "--") {
				fl = "-s " + f[1:]
				if len(f) > 2 {
					fl = "-o " + f[1:]
				}
			}
			cond := "'__fish_seen_subcommand_from " + c.Name + "' " + fl + " "
			if c.Name == "" {
				cond = "' " + fl + " "
			}
			if !strings.Contains(fish, cond) {
				t.Errorf("fish completion of %q lacks %s", c.Name, f)
			}
		}
		for _, e := range examples[c.Name] {
			cmd, _, _ := strings.Cut(e, " # ")
			if !strings.Contains(page, "\n.B "+strings.TrimSpace(cmd)+"\n") {
				t.Errorf("%s: README example %q missing", manual.PageName(c.Name), cmd)
			}
		}
	}
}

// TestCompletionsRun: the scripts parse in their shells, and bash and fish
// complete subcommands, options and file arguments.
func TestCompletionsRun(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		testutil.RequireTool(t, sh)
	}
	dir := t.TempDir()
	if err := generate(dir, "../../README.md"); err != nil {
		t.Fatal(err)
	}
	comp := filepath.Join(dir, "completions")
	for sh, file := range map[string]string{"bash": "ferret", "zsh": "_ferret", "fish": "ferret.fish"} {
		if out, err := exec.Command(sh, "-n", filepath.Join(comp, file)).CombinedOutput(); err != nil {
			t.Errorf("%s -n %s: %v\n%s", sh, file, err, out)
		}
	}
	os.WriteFile(filepath.Join(dir, "capture.scap"), nil, 0o644)
	bashComplete := func(words ...string) string {
		script := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _ferret; printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command("bash", append([]string{"-c", script, "bash", filepath.Join(comp, "ferret")}, words...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash completion of %q: %v\n%s", words, err, out)
		}
		return string(out)
	}
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"ferret", "tr"}, "trace\n"},
		{[]string{"ferret", "trace", "--follow-f"}, "--follow-forks\n"},
		{[]string{"ferret", "net", "--prom"}, "--prometheus\n"},
		{[]string{"ferret", "-r", "capt"}, "capture.scap\n"},
		{[]string{"ferret", "--list-ch"}, "--list-chisels\n"},
	} {
		if got := bashComplete(tc.words...); got != tc.want {
			t.Errorf("bash: %q completes to %q, want %q", tc.words, got, tc.want)
		}
	}
	fishComplete := func(line string) string {
		cmd := exec.Command("fish", "--no-config", "-c", "source $argv[1]; complete -C$argv[2]", filepath.Join(comp, "ferret.fish"), line)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish completion of %q: %v\n%s", line, err, out)
		}
		return string(out)
	}
	if got := fishComplete("ferret trace --follow-f"); !strings.HasPrefix(got, "--follow-forks\t") {
		t.Errorf("fish: trace --follow-f completes to %q", got)
	}
	if got := fishComplete("ferret net"); !strings.Contains(got, "netfs\t") {
		t.Errorf("fish: 'ferret net' completes to %q", got)
	}
	if got := fishComplete("ferret files --pi"); !strings.HasPrefix(got, "--pid\t") {
		t.Errorf("fish: files --pi completes to %q", got)
	}
}
