// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"

	"github.com/ferret-observability/ferret/internal/app"
	"github.com/ferret-observability/ferret/internal/held"
)

// Locking the main goroutine's thread in init makes main run on the
// process's main thread, which held.Become needs.
func init() { runtime.LockOSThread() }

func main() {
	// A ferret started by held.Start turns into the held command here,
	// before anything else runs.
	held.Become()
	runtime.UnlockOSThread()
	if os.Getenv("GOGC") == "" {
		// Half the collector's work for ~25 % more heap: replaying a
		// capture runs ~20 % faster (bench/RESULTS.md).
		debug.SetGCPercent(200)
	}
	stop := profile()
	code := app.Main(os.Args[1:])
	stop()
	os.Exit(code)
}

// profile starts a CPU profile when FERRET_CPUPROFILE names a file, for
// `go tool pprof`; the returned function writes it out, and a heap profile
// to FERRET_MEMPROFILE when that names a file.
func profile() (stop func()) {
	path := os.Getenv("FERRET_CPUPROFILE")
	if path == "" {
		return heapProfile
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferret: FERRET_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "ferret: FERRET_CPUPROFILE: %v\n", err)
		}
		heapProfile()
	}
}

// heapProfile writes the in-use heap to FERRET_MEMPROFILE, if set.
func heapProfile() {
	path := os.Getenv("FERRET_MEMPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		runtime.GC()
		err = pprof.WriteHeapProfile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferret: FERRET_MEMPROFILE: %v\n", err)
	}
}
