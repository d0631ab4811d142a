// SPDX-License-Identifier: Apache-2.0

package event

import (
	"runtime"
	"sort"
)

// numbering is the syscall numbering of one architecture: the routes of
// its syscall numbers and their kernel names.
type numbering struct {
	routes []SyscallRoute
	names  map[int]string
}

// native is the numbering of the architecture ferret is built for.
var native = numberingFor(runtime.GOARCH)

// numberingFor returns the numbering of goarch. The event specification
// routes x86-64's numbers; arm64 (the kernel's generic table,
// asm-generic/unistd.h) has other numbers and lacks the legacy calls (open,
// stat, fork, poll...), so its routes are those of the x86-64 syscalls of
// the same name that it has.
func numberingFor(goarch string) numbering {
	if goarch != "arm64" {
		return numbering{routes: syscallRoutes[:], names: nativeNames}
	}
	n := numbering{names: make(map[int]string, len(arm64Numbers))}
	for name, nr := range arm64Numbers {
		n.names[nr] = name
	}
	for _, r := range syscallRoutes {
		if nr, ok := arm64Numbers[nativeNames[r.Nr]]; ok {
			r.Nr = nr
			n.routes = append(n.routes, r)
		}
	}
	sort.Slice(n.routes, func(i, j int) bool { return n.routes[i].Nr < n.routes[j].Nr })
	return n
}
