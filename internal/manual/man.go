// SPDX-License-Identifier: Apache-2.0

package manual

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// PageName is the man page name of a command: "ferret" or "ferret-NAME".
func PageName(cmd string) string {
	if cmd == "" {
		return "ferret"
	}
	return "ferret-" + cmd
}

// Man holds what a man page is written from besides the help text.
type Man struct {
	Version  string
	Date     string   // the page's date (YYYY-MM-DD)
	Examples []string // example command lines, comments after " # " kept
	SeeAlso  []string // page names in section 1, e.g. "ferret-trace"
}

// WriteMan writes cmd's man page in section 1.
func WriteMan(w io.Writer, cmd Command, m Man) error {
	bw := bufio.NewWriter(w)
	p := Parse(cmd.Help)
	name := PageName(cmd.Name)
	fmt.Fprintf(bw, ".\\\" Generated from `ferret %s--help` by tools/genman; do not edit.\n", strings.TrimSpace(cmd.Name+" "))
	fmt.Fprintf(bw, ".TH %s 1 %q %q \"ferret manual\"\n", strings.ToUpper(name), m.Date, "ferret "+m.Version)
	fmt.Fprintf(bw, ".SH NAME\n%s \\- %s\n", esc(name), esc(cmd.Summary))
	if len(p.Usage) > 0 {
		bw.WriteString(".SH SYNOPSIS\n.nf\n")
		for _, u := range p.Usage {
			fmt.Fprintf(bw, "%s\n", escLine(u))
		}
		bw.WriteString(".fi\n")
	}
	bw.WriteString(".SH DESCRIPTION\n")
	if len(p.Prose) > 0 {
		blocks(bw, p.Prose)
	} else {
		for _, l := range strings.Split(strings.TrimSpace(cmd.Intro), "\n") {
			fmt.Fprintf(bw, "%s\n", escLine(l))
		}
	}
	if len(p.Options) > 0 {
		bw.WriteString(".SH OPTIONS\n")
		for _, o := range p.Options {
			fmt.Fprintf(bw, ".TP\n.B %s\n%s\n", escLine(o.Spec), escLine(o.Desc))
		}
	}
	if len(p.After) > 0 {
		bw.WriteString(".SH NOTES\n")
		blocks(bw, p.After)
	}
	if len(m.Examples) > 0 {
		bw.WriteString(".SH EXAMPLES\n")
		for _, e := range m.Examples {
			c, comment, _ := strings.Cut(e, " # ")
			fmt.Fprintf(bw, ".TP\n.B %s\n", escLine(strings.TrimSpace(c)))
			if comment != "" {
				fmt.Fprintf(bw, "%s\n", escLine(strings.TrimSpace(comment)))
			}
		}
	}
	var see []string
	for _, s := range m.SeeAlso {
		if s != name {
			see = append(see, s)
		}
	}
	sort.Strings(see)
	if len(see) > 0 {
		bw.WriteString(".SH SEE ALSO\n")
		for i, s := range see {
			sep := ","
			if i == len(see)-1 {
				sep = ""
			}
			fmt.Fprintf(bw, ".BR %s (1)%s\n", esc(s), sep)
		}
	}
	return bw.Flush()
}

func blocks(bw *bufio.Writer, bs []Block) {
	for i, b := range bs {
		if b.Pre {
			bw.WriteString(".PP\n.RS 4\n.nf\n")
			for _, l := range b.Lines {
				fmt.Fprintf(bw, "%s\n", escLine(l))
			}
			bw.WriteString(".fi\n.RE\n")
			continue
		}
		if i > 0 {
			bw.WriteString(".PP\n")
		}
		for _, l := range b.Lines {
			fmt.Fprintf(bw, "%s\n", escLine(strings.TrimSpace(l)))
		}
	}
}

// esc escapes text for roff: backslashes and hyphens (which would
// otherwise be typeset as hyphens, not minus signs, and break copying
// options from the page).
func esc(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	return strings.ReplaceAll(s, "-", `\-`)
}

// escLine is esc for a whole output line: a line starting with '.' or '\”
// would be read as a request.
func escLine(s string) string {
	s = esc(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// Examples picks from a README the example lines of each page: lines of
// its ```sh blocks that run ferret, keyed by the subcommand they run ("" for
// ferret itself).
func Examples(readme string, subcommands []string) map[string][]string {
	out := map[string][]string{}
	isSub := map[string]bool{}
	for _, s := range subcommands {
		isSub[s] = true
	}
	in := false
	for _, l := range strings.Split(readme, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			in = !in && (t == "```sh" || t == "```bash" || t == "```console")
			continue
		}
		if !in {
			continue
		}
		f := strings.Fields(strings.TrimPrefix(t, "sudo "))
		if len(f) == 0 || f[0] != "ferret" {
			continue
		}
		key := ""
		if len(f) > 1 && isSub[f[1]] {
			key = f[1]
		}
		out[key] = append(out[key], squeeze(t))
	}
	return out
}

// squeeze shortens the padding before an example's comment to one space.
func squeeze(l string) string {
	c, comment, ok := strings.Cut(l, " # ")
	if !ok {
		return l
	}
	return strings.TrimRight(c, " ") + " # " + strings.TrimSpace(comment)
}
