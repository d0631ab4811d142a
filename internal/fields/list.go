// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"bufio"
	"io"
	"strings"
)

const (
	listIndent = 30
	listWidth  = 120
)

// WriteList writes the field listing of -l (verbose=false) or -lv
// (verbose=true, with value types) in sysdig's layout: a header per class,
// then one entry per field with its description wrapped at 120 columns.
func (r *Registry) WriteList(w io.Writer, verbose bool) error {
	bw := bufio.NewWriter(w)
	for _, c := range r.Classes() {
		bw.WriteString("-------------------------------\n")
		title := c.Name
		if c.Qualifier != "" {
			title += " (" + c.Qualifier + ")"
		}
		bw.WriteString("Field Class:                  " + title + "\n")
		writeWrapped(bw, "Description:", c.Desc)
		bw.WriteString("\n")
		for i := range c.Fields {
			f := &c.Fields[i]
			if f.Flags&FlagHidden != 0 {
				continue
			}
			desc := f.Desc
			if f.Flags&FlagFilterOnly != 0 {
				desc = "(FILTER ONLY) " + desc
			}
			if verbose {
				desc = "(Type: " + f.Type + ") " + desc
			}
			writeWrapped(bw, f.Name, desc)
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// writeWrapped writes head padded to the indent column, then text word by
// word (each followed by a space), starting a new indented line when a word
// would pass the width.
func writeWrapped(w *bufio.Writer, head, text string) {
	line := make([]byte, 0, listWidth+16)
	line = append(line, head...)
	for len(line) < listIndent {
		line = append(line, ' ')
	}
	if len(line) > listIndent {
		line = append(line, ' ')
	}
	for _, word := range strings.Split(text, " ") {
		if len(line)+len(word)+1 > listWidth && len(line) > listIndent {
			w.Write(line)
			w.WriteByte('\n')
			line = line[:0]
			for i := 0; i < listIndent; i++ {
				line = append(line, ' ')
			}
		}
		line = append(line, word...)
		line = append(line, ' ')
	}
	w.Write(line)
	w.WriteByte('\n')
}

// WriteMarkdown writes the --list-markdown listing: a section per class
// and a Name | Type | Description table.
func (r *Registry) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, c := range r.Classes() {
		bw.WriteString("## Field Class: " + c.Name + "\n\n")
		bw.WriteString(c.Desc + "\n\n")
		bw.WriteString("Name | Type | Description\n:----|:-----|:-----------\n")
		for i := range c.Fields {
			f := &c.Fields[i]
			if f.Flags&FlagHidden != 0 {
				continue
			}
			bw.WriteString("`" + f.Name + "` | " + f.Type + " | " + f.Desc + "\n")
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}
