// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"

	"github.com/ferret-observability/ferret/internal/app"
)

func main() { os.Exit(app.Main(os.Args[1:])) }
