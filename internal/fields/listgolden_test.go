// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the ferret-generated golden files in testdata")

// builtinClasses is a registry holding only the classes of this package's
// built-in files, so the listing golden does not change when other files
// add classes.
func builtinRegistry() *Registry {
	r := NewRegistry()
	for _, c := range Default.Classes() {
		if c.Order > 0 && c.Order <= 130 && c.Order%10 == 0 {
			r.Register(c)
		}
	}
	return r
}

func TestListingGolden(t *testing.T) {
	r := builtinRegistry()
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"list.txt", func(b *bytes.Buffer) error { return r.WriteList(b, false) }},
		{"list-verbose.txt", func(b *bytes.Buffer) error { return r.WriteList(b, true) }},
		{"list.md", func(b *bytes.Buffer) error { return r.WriteMarkdown(b) }},
	} {
		var b bytes.Buffer
		if err := tc.write(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(want, b.Bytes()) {
			t.Errorf("%s differs from the listing (run with -update after checking the change)", tc.file)
		}
	}
}
