// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/fields"
)

// cgroupAdder is a live source whose kernel-side cgroup filter can grow.
type cgroupAdder interface {
	AddCgroup(id uint64) error
}

// cgroupRejecter is a live source that keeps cgroups made during the
// capture until told which of them it may drop.
type cgroupRejecter interface {
	RejectCgroup(id uint64) error
}

// cgroupPushDown keeps the kernel-side container filter current: each
// container the state meets for the first time (a process entering a new
// cgroup, seen through the state-changing events the kernel always keeps)
// has its cgroup added when its id or name matches, and rejected
// otherwise (the kernel keeps cgroups made during the capture until
// then). It looks at the container table only, never at events of their
// own.
type cgroupPushDown struct {
	src   cgroupAdder
	names []string
	r     *container.Resolver
	seen  int
}

// NewCgroupPushDown returns the consumer that extends a live source's
// kernel-side filter to the containers named (ids or names) as they
// appear, or nil when the source has no such filter or no names are given.
// Containers running at the start are the source's own (live.Options.Cgroups,
// from container.Resolver.CgroupIDs).
func NewCgroupPushDown(src capture.Source, names []string) Consumer {
	a, ok := src.(cgroupAdder)
	if !ok || len(names) == 0 {
		return nil
	}
	return &cgroupPushDown{src: a, names: names, r: container.NewResolver()}
}

func (p *cgroupPushDown) OnCaptureStart(*Run) error      { return nil }
func (p *cgroupPushDown) OnCaptureEnd(*Run) error        { return nil }
func (p *cgroupPushDown) OnEvent(c *fields.Ctx) error    { return p.sync(c) }
func (p *cgroupPushDown) OnRejected(c *fields.Ctx) error { return p.sync(c) }

func (p *cgroupPushDown) sync(c *fields.Ctx) error {
	log := c.State.ContainerLog()
	if len(log) == p.seen {
		return nil
	}
	if len(log) < p.seen {
		p.seen = 0
	}
	for _, ct := range log[p.seen:] {
		if !ct.MatchesAny(p.names) {
			// A container started during the capture is kept by the
			// kernel until it is known not to match.
			if rj, ok := p.src.(cgroupRejecter); ok {
				if id, ok := p.r.CgroupID(ct.Cgroup); ok {
					if err := rj.RejectCgroup(id); err != nil {
						return err
					}
				}
			}
			continue
		}
		id, ok := p.r.CgroupID(ct.Cgroup)
		if !ok {
			id = 0 // unknown v2 cgroup: keep every process rather than lose events
		}
		if err := p.src.AddCgroup(id); err != nil {
			return err
		}
	}
	p.seen = len(log)
	return nil
}
