// SPDX-License-Identifier: Apache-2.0

package live

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// TestArchObjects: the committed x86-64 and arm64 objects of both BPF
// programs (the probe and ferret net's) hold the same programs and maps,
// and each reads syscall registers only through its own architecture's
// struct pt_regs fields, which CO-RE relocates against the running kernel.
func TestArchObjects(t *testing.T) {
	fieldRE := regexp.MustCompile(`Struct:"(pt_regs\w*)"\[`)
	for _, obj := range []string{"probe", "../../ebpf/netacct/netacct"} {
		var names [2]string
		for i, arch := range []string{"x86", "arm64"} {
			spec, err := ebpf.LoadCollectionSpec(obj + "_" + arch + "_bpfel.o")
			if err != nil {
				t.Fatalf("%s %s: %v", obj, arch, err)
			}
			var progs, maps []string
			regs := map[string]bool{}
			for name, p := range spec.Programs {
				progs = append(progs, name)
				for _, ins := range p.Instructions {
					if r := btf.CORERelocationMetadata(&ins); r != nil {
						if m := fieldRE.FindStringSubmatch(r.String()); m != nil {
							regs[m[1]] = true
						}
					}
				}
			}
			for name := range spec.Maps {
				maps = append(maps, name)
			}
			sort.Strings(progs)
			sort.Strings(maps)
			names[i] = strings.Join(progs, " ") + " | " + strings.Join(maps, " ")
			if len(progs) == 0 {
				t.Errorf("%s %s: no programs", obj, arch)
			}
			if obj == "probe" {
				want := map[string]bool{"pt_regs": true}
				if arch == "arm64" {
					want = map[string]bool{"pt_regs___ferret_arm64": true}
				}
				if len(regs) != 1 || !regs[keys(want)[0]] {
					t.Errorf("%s %s: registers read through %v, want %v", obj, arch, keys(regs), keys(want))
				}
			}
		}
		if names[0] != names[1] {
			t.Errorf("%s: x86 and arm64 objects differ:\n%s\n%s", obj, names[0], names[1])
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
