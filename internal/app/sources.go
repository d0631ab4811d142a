// SPDX-License-Identifier: Apache-2.0

package app

import (
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/capture/file"
	"github.com/ferret-observability/ferret/internal/capture/live"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
)

func init() {
	openFileSource = func(paths []string) (capture.Source, error) {
		return file.Open(paths...)
	}
	openLiveSource = func(c *Config) (capture.Source, error) {
		return live.Open(live.Options{
			SnapLen:    c.Snaplen,
			BufferSize: c.BufferSize,
			PIDs:       nil,
		})
	}
	checkLivePrivileges = live.CheckPrivileges
	compileFilter = func(expr string) (engine.Filter, error) {
		f, err := filter.Compile(expr, fields.Default)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
}
