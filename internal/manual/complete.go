// SPDX-License-Identifier: Apache-2.0

package manual

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// takesFile reports whether an option's argument names a file.
func takesFile(o Option) bool {
	a := strings.Trim(strings.ToLower(o.Arg), "<>")
	return strings.HasSuffix(a, "file") || a == "path" || a == "dir"
}

func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// WriteBash writes a bash completion script for ferret: subcommand names
// after "ferret", each command's options after "-", file names after the
// options that take a file.
func WriteBash(w io.Writer, cmds []Command) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("# bash completion for ferret. Generated from the --help pages by tools/genman; do not edit.\n")
	bw.WriteString("_ferret()\n{\n")
	bw.WriteString("    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n")
	bw.WriteString("    local cmd= opts= fileopts=\n")
	var subs []string
	for _, c := range cmds {
		if c.Name != "" {
			subs = append(subs, c.Name)
		}
	}
	fmt.Fprintf(bw, "    if [[ $COMP_CWORD -gt 1 ]]; then\n        case ${COMP_WORDS[1]} in\n            %s) cmd=${COMP_WORDS[1]} ;;\n        esac\n    fi\n", strings.Join(subs, "|"))
	bw.WriteString("    case $cmd in\n")
	for _, c := range cmds {
		var opts, files []string
		for _, o := range Parse(c.Help).Options {
			opts = append(opts, o.Names...)
			if takesFile(o) {
				files = append(files, o.Names...)
			}
		}
		fmt.Fprintf(bw, "        %s)\n            opts=%s\n            fileopts=%s\n            ;;\n",
			shQuote(c.Name), shQuote(strings.Join(opts, " ")), shQuote(strings.Join(files, " ")))
	}
	bw.WriteString("    esac\n")
	bw.WriteString("    if [[ \" $fileopts \" == *\" $prev \"* ]]; then\n")
	bw.WriteString("        compopt -o filenames 2>/dev/null\n")
	bw.WriteString("        COMPREPLY=($(compgen -f -- \"$cur\"))\n        return\n    fi\n")
	bw.WriteString("    if [[ $cur == -* ]]; then\n        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n        return\n    fi\n")
	fmt.Fprintf(bw, "    if [[ $COMP_CWORD -eq 1 ]]; then\n        COMPREPLY=($(compgen -W %s -- \"$cur\"))\n    fi\n", shQuote(strings.Join(subs, " ")))
	bw.WriteString("}\ncomplete -F _ferret ferret\n")
	return bw.Flush()
}

// zshDesc escapes a description for the brackets of an _arguments spec.
func zshDesc(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `:`, `\:`)
	return r.Replace(s)
}

// WriteZsh writes a zsh completion function (#compdef ferret).
func WriteZsh(w io.Writer, cmds []Command) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("#compdef ferret\n# zsh completion for ferret. Generated from the --help pages by tools/genman; do not edit.\n\n")
	for _, c := range cmds {
		fn := "_ferret_main"
		if c.Name != "" {
			fn = "_ferret_" + c.Name
		}
		fmt.Fprintf(bw, "%s() {\n    _arguments \\\n", fn)
		for _, o := range Parse(c.Help).Options {
			for _, n := range o.Names {
				spec := n
				if o.Arg != "" {
					if strings.HasPrefix(n, "--") {
						spec += "="
					} else {
						spec += "+"
					}
				}
				spec += "[" + zshDesc(o.Desc) + "]"
				if o.Arg != "" {
					action := " "
					if takesFile(o) {
						action = "_files"
					}
					spec += ":" + strings.NewReplacer(":", `\:`, "<", "", ">", "").Replace(o.Arg) + ":" + action
				}
				fmt.Fprintf(bw, "        %s \\\n", shQuote(spec))
			}
		}
		bw.WriteString("        '*:filter or command:_default'\n}\n\n")
	}
	bw.WriteString("_ferret() {\n    local -a subcmds\n    subcmds=(\n")
	for _, c := range cmds {
		if c.Name != "" {
			fmt.Fprintf(bw, "        %s\n", shQuote(c.Name+":"+strings.ReplaceAll(c.Summary, ":", `\:`)))
		}
	}
	bw.WriteString("    )\n    if (( CURRENT > 2 )); then\n        case $words[2] in\n")
	for _, c := range cmds {
		if c.Name != "" {
			fmt.Fprintf(bw, "            %s) shift words; (( CURRENT-- )); _ferret_%s; return ;;\n", c.Name, c.Name)
		}
	}
	bw.WriteString("        esac\n    fi\n")
	bw.WriteString("    if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then\n        _describe -t commands 'ferret command' subcmds\n    fi\n")
	bw.WriteString("    _ferret_main\n}\n\n_ferret \"$@\"\n")
	return bw.Flush()
}

// WriteFish writes fish completions (complete -c ferret ...).
func WriteFish(w io.Writer, cmds []Command) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("# fish completion for ferret. Generated from the --help pages by tools/genman; do not edit.\n")
	var subs []string
	for _, c := range cmds {
		if c.Name != "" {
			subs = append(subs, c.Name)
		}
	}
	all := strings.Join(subs, " ")
	for _, c := range cmds {
		if c.Name != "" {
			fmt.Fprintf(bw, "complete -c ferret -f -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", all, c.Name, shQuote(c.Summary))
		}
	}
	for _, c := range cmds {
		cond := "not __fish_seen_subcommand_from " + all
		if c.Name != "" {
			cond = "__fish_seen_subcommand_from " + c.Name
		}
		for _, o := range Parse(c.Help).Options {
			for _, n := range o.Names {
				var flag string
				switch {
				case strings.HasPrefix(n, "--"):
					flag = "-l " + n[2:]
				case len(n) == 2:
					flag = "-s " + n[1:]
				default: // -cl, -tt: one dash, several letters
					flag = "-o " + n[1:]
				}
				extra := ""
				if o.Arg != "" {
					extra = " -r"
					if takesFile(o) {
						extra += " -F"
					}
				}
				d := o.Desc
				if i := strings.Index(d, ". "); i > 0 {
					d = d[:i]
				}
				fmt.Fprintf(bw, "complete -c ferret -n %s %s%s -d %s\n", shQuote(cond), flag, extra, shQuote(d))
			}
		}
	}
	return bw.Flush()
}
