// SPDX-License-Identifier: Apache-2.0

// Command ferret traces system calls and reads capture files with sysdig's
// command-line language.
package main

import (
	"os"

	"github.com/ferret-observability/ferret/internal/app"
)

func main() { os.Exit(app.Main(os.Args[1:])) }
