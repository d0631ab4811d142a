// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/ferret-observability/ferret/internal/app"
)

func main() {
	stop := profile()
	code := app.Main(os.Args[1:])
	stop()
	os.Exit(code)
}

// profile starts a CPU profile when FERRET_CPUPROFILE names a file, for
// `go tool pprof`; the returned function writes it out.
func profile() (stop func()) {
	path := os.Getenv("FERRET_CPUPROFILE")
	if path == "" {
		return func() {}
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
	}
}
