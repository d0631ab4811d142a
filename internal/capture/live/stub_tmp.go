// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"

	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/event"
)

type probe struct{}

func (p *probe) addPID(int) error { return errors.New("live: probe not loaded") }
func (p *probe) close() error     { return nil }

func open(Options) (*Source, error) { return nil, errors.New("live: probe not built yet") }

func (s *Source) stats() capture.Stats { return capture.Stats{} }

// Next returns the next event in time order.
func (s *Source) Next() (*event.Event, error) { return nil, capture.ErrTimeout }
