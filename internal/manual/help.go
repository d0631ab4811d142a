// SPDX-License-Identifier: Apache-2.0

package manual

import (
	"regexp"
	"strings"
)

// Command is one command's help: Name is "" for ferret itself, else the
// subcommand's name.
type Command struct {
	Name    string
	Summary string // one line, for NAME and the completions' descriptions
	Help    string // what `ferret [NAME] --help` prints
	// Intro is the man page's description when the help text has none.
	Intro string
}

// Page is the parsed form of a help text.
type Page struct {
	Usage   []string // the synopsis lines, without "Usage: "
	Prose   []Block  // description paragraphs, in order
	Options []Option
	// After holds the paragraphs that follow the options.
	After []Block
}

// Block is a paragraph: Pre paragraphs were indented in the help text and
// keep their lines.
type Block struct {
	Lines []string
	Pre   bool
}

// Option is one entry of an options table.
type Option struct {
	Spec  string   // the left column, e.g. "-o FILE, --output=FILE"
	Names []string // the option forms it names, e.g. ["-o", "--output"]
	Arg   string   // the placeholder of a required argument ("" for none)
	Desc  string   // the description, joined into one line
}

var (
	entryRE = regexp.MustCompile(`^ {1,6}-`)
	flagRE  = regexp.MustCompile(`(?:^|[\s,/|\[])(--?[A-Za-z0-9][A-Za-z0-9-]*)`)
	// a required placeholder after an option name: " FILE", "=<x>", " WxH"
	argRE = regexp.MustCompile(`^[ =]([^\s,\[-]\S*)`)
)

// Parse reads a help text.
func Parse(help string) Page {
	var p Page
	lines := strings.Split(strings.TrimRight(help, "\n"), "\n")
	var cur *Option
	var para []string
	inOptions := false
	flush := func() {
		if len(para) == 0 {
			return
		}
		b := Block{Lines: para, Pre: strings.HasPrefix(para[0], " ")}
		if b.Pre {
			b.Lines = dedent(para)
		}
		if inOptions {
			p.After = append(p.After, b)
		} else {
			p.Prose = append(p.Prose, b)
		}
		para = nil
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case i == 0 && strings.HasPrefix(l, "ferret version "):
			continue // ferret's own page starts with it, as sysdig's does
		case strings.HasPrefix(l, "Usage: "):
			p.Usage = append(p.Usage, strings.TrimPrefix(l, "Usage: "))
			for i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "ferret") && strings.HasPrefix(lines[i+1], " ") {
				i++
				p.Usage = append(p.Usage, strings.TrimSpace(lines[i]))
			}
			continue
		case t == "Options:":
			flush()
			continue
		case entryRE.MatchString(l) && !(cur != nil && strings.HasSuffix(cur.Spec, ",") && cur.Desc == ""):
			flush()
			inOptions = true
			p.Options = append(p.Options, Option{})
			cur = &p.Options[len(p.Options)-1]
			cur.Spec, cur.Desc = splitEntry(t)
			continue
		case cur != nil && entryRE.MatchString(l):
			// an option list continued on the next line
			spec, desc := splitEntry(t)
			cur.Spec += " " + spec
			cur.Desc = desc
			continue
		case cur != nil && t != "" && len(l)-len(strings.TrimLeft(l, " ")) >= 8:
			cur.Desc = strings.TrimSpace(cur.Desc + " " + t)
			continue
		}
		cur = nil
		if t == "" {
			flush()
			continue
		}
		if len(para) > 0 && strings.HasPrefix(para[0], " ") != strings.HasPrefix(l, " ") {
			flush()
		}
		para = append(para, l)
	}
	flush()
	for i := range p.Options {
		o := &p.Options[i]
		o.Names, o.Arg = specNames(o.Spec)
	}
	return p
}

var wordRE = regexp.MustCompile(`^[A-Za-z][a-z]+[,.;:]?$`)

// splitEntry splits the first line of an option entry into its left
// column and the start of its description: at the first two spaces, or,
// when the line has none, before the first word that is neither an option
// nor a placeholder.
func splitEntry(t string) (spec, desc string) {
	if spec, desc, ok := strings.Cut(t, "  "); ok {
		return spec, strings.TrimSpace(desc)
	}
	words := strings.Split(t, " ")
	for i, w := range words {
		if i > 0 && wordRE.MatchString(w) {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	return t, ""
}

// specNames returns the option forms a left column names (each once) and
// the placeholder of a required argument.
func specNames(spec string) (names []string, arg string) {
	seen := map[string]bool{}
	for _, m := range flagRE.FindAllStringSubmatchIndex(spec, -1) {
		n := spec[m[2]:m[3]]
		if m[2] > 0 && spec[m[2]-1] == '=' {
			continue
		}
		if a := argRE.FindStringSubmatch(spec[m[3]:]); a != nil && arg == "" {
			arg = strings.TrimRight(a[1], ",")
		}
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names, arg
}

// Flags returns every option form the options of a help text name.
func Flags(help string) []string {
	var out []string
	for _, o := range Parse(help).Options {
		out = append(out, o.Names...)
	}
	return out
}

func dedent(lines []string) []string {
	n := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if d := len(l) - len(strings.TrimLeft(l, " ")); n < 0 || d < n {
			n = d
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= n {
			out[i] = l[n:]
		}
	}
	return out
}
