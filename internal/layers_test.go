// SPDX-License-Identifier: Apache-2.0

package internal_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/ferret-observability/ferret/"

// layers gives each internal package (by path below internal/) its layer; a
// package may import internal packages of strictly lower layers only (or
// packages of its own subtree). The longest matching prefix wins.
var layers = map[string]int{
	"event":         0,
	"held":          0,
	"getopt":        0,
	"filter/syntax": 0,
	"container":     0,
	"capfile":       1,
	"state":         1,
	"capture":       1,
	"procfs":        1,
	"netfs":         1,
	"netacct":       1,
	"fields":        2,
	"filter":        3,
	"format":        3,
	"engine":        4,
	"chisel":        5,
	"export":        5,
	"capture/nats":  2,
	"trace":         5,
	"filemon":       5,
	"hist":          0,
	"plot":          5,
	"view":          6,
	"inspect":       6,
	"tui":           7,
	"app":           8,
	"testutil":      1,
	"capture/file":  2,
	"capture/synth": 2,
	"capture/live":  2,
	"ebpf":          2,
	"oracle":        3,
	"manual":        0,
	"unwind":        0,
}

// cmdImports are the internal packages commands may import: app, and the
// held-command helper that must run before anything else.
var cmdImports = map[string]bool{module + "internal/app": true, module + "internal/held": true}

// bpfLoader reports whether pkg loads BPF programs: the live capture source
// and the loaders under internal/ebpf (programs that are not a capture
// source, such as network accounting).
func bpfLoader(pkg string) bool {
	for _, p := range []string{"internal/capture/live", "internal/ebpf"} {
		if pkg == module+p || strings.HasPrefix(pkg, module+p+"/") {
			return true
		}
	}
	return false
}

func layerOf(pkg string) (string, int, bool) {
	rel, ok := strings.CutPrefix(pkg, module+"internal/")
	if !ok {
		return "", 0, false
	}
	best, layer := "", -1
	for p, l := range layers {
		if (rel == p || strings.HasPrefix(rel, p+"/")) && len(p) > len(best) {
			best, layer = p, l
		}
	}
	return best, layer, layer >= 0
}

// TestLayering enforces the one-way data flow between packages and confines
// cilium/ebpf to the BPF loaders.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg, imports := f[0], f[1:]
		if p, _, ok := layerOf(pkg); ok {
			seen[p] = true
		}
		for _, imp := range imports {
			if strings.HasPrefix(imp, "github.com/cilium/ebpf") && !bpfLoader(pkg) {
				t.Errorf("%s imports %s: only the BPF loaders (internal/capture/live, internal/ebpf/...) may use cilium/ebpf", pkg, imp)
			}
		}
		if strings.HasPrefix(pkg, module+"cmd/") {
			for _, imp := range imports {
				if strings.HasPrefix(imp, module+"internal/") && !cmdImports[imp] {
					t.Errorf("%s imports %s: commands import only internal/app (and internal/held)", pkg, imp)
				}
			}
			continue
		}
		from, lf, ok := layerOf(pkg)
		if !ok {
			if strings.HasPrefix(pkg, module+"internal/") {
				t.Errorf("%s has no layer assigned in layers_test.go", pkg)
			}
			continue
		}
		for _, imp := range imports {
			to, lt, ok := layerOf(imp)
			if !ok {
				continue
			}
			if to == from || strings.HasPrefix(to, from+"/") {
				continue // own subtree
			}
			if lt >= lf {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must go to lower layers", pkg, lf, imp, lt)
			}
		}
	}
	for p := range layers {
		if !seen[p] {
			t.Errorf("layers_test.go lists internal/%s, which does not exist", p)
		}
	}
}
