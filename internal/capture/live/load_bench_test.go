// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// BenchmarkProgramLoad loads each of the probe's programs alone (with the
// maps they use) and reports what the kernel's verifier did for it: the
// instructions it processed (its own statistics) and the CPU time of the
// loading thread (the verification runs in it, so unlike the wall clock it
// does not grow with the load other processes put on the machine).
func BenchmarkProgramLoad(b *testing.B) {
	requireBPF(b)
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		b.Fatal(err)
	}
	spec, err := loadSpec(Options{}.withDefaults(), ncpu, epochOffset())
	if err != nil {
		b.Fatal(err)
	}
	cache := btf.NewCache()
	maps, err := ebpf.NewCollectionWithOptions(onlyPrograms(spec, nil), ebpf.CollectionOptions{Cache: cache})
	if err != nil {
		b.Fatal(err)
	}
	defer maps.Close()
	var names []string
	for name, ps := range spec.Programs {
		if ps.SectionName != "" && !isSubprogram(ps) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var insns int
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				ps := onlyPrograms(spec, map[string]*ebpf.ProgramSpec{name: spec.Programs[name]})
				c0 := threadCPUTime()
				c, err := ebpf.NewCollectionWithOptions(ps, ebpf.CollectionOptions{
					MapReplacements: maps.Maps, Cache: cache,
					Programs: ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats},
				})
				cpu += threadCPUTime() - c0
				if err != nil {
					var ve *ebpf.VerifierError
					if errors.As(err, &ve) {
						b.Fatalf("%s: %+v", name, ve)
					}
					b.Fatal(err)
				}
				info, err := c.Programs[name].Info()
				if err == nil {
					if n, ok := info.VerifiedInstructions(); ok {
						insns = int(n)
					}
				}
				c.Close()
			}
			b.ReportMetric(float64(insns), "verified-insns")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "load-cpu-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func isSubprogram(ps *ebpf.ProgramSpec) bool {
	return ps.SectionName == ".text"
}

func threadCPUTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_THREAD, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
