// SPDX-License-Identifier: Apache-2.0

package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ferret-observability/ferret/internal/app"
	"github.com/ferret-observability/ferret/internal/manual"
)

func main() {
	out := flag.String("o", "", "output `DIR`")
	readme := flag.String("readme", "README.md", "take the examples from `FILE`")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genman -o DIR [-readme README.md]")
		os.Exit(2)
	}
	if err := generate(*out, *readme); err != nil {
		fmt.Fprintf(os.Stderr, "genman: %v\n", err)
		os.Exit(1)
	}
}

func generate(dir, readme string) error {
	text, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	date := time.Now().UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH: %v", err)
		}
		date = time.Unix(sec, 0).UTC()
	}
	cmds := app.Commands()
	var names, pages []string
	for _, c := range cmds {
		if c.Name != "" {
			names = append(names, c.Name)
		}
		pages = append(pages, manual.PageName(c.Name))
	}
	examples := manual.Examples(string(text), names)
	write := func(path string, f func(io.Writer) error) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		w, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := f(w); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	}
	for _, c := range cmds {
		m := manual.Man{Version: app.Version, Date: date.Format("2006-01-02"), Examples: examples[c.Name], SeeAlso: pages}
		err := write(filepath.Join(dir, "man1", manual.PageName(c.Name)+".1"), func(w io.Writer) error { return manual.WriteMan(w, c, m) })
		if err != nil {
			return err
		}
	}
	comp := filepath.Join(dir, "completions")
	for name, f := range map[string]func(io.Writer, []manual.Command) error{
		"ferret": manual.WriteBash, "_ferret": manual.WriteZsh, "ferret.fish": manual.WriteFish} {
		if err := write(filepath.Join(comp, name), func(w io.Writer) error { return f(w, cmds) }); err != nil {
			return err
		}
	}
	return nil
}
