// SPDX-License-Identifier: Apache-2.0

package app

import (
	"github.com/ferret-observability/ferret/internal/capture"
	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/engine"
	"github.com/ferret-observability/ferret/internal/fields"
)

// containerCgroups turns a container.id/container.name restriction into the
// v2 cgroup ids of the matching running containers. It gives up (no kernel
// filter) when the machine has no v2 hierarchy or a matching container has
// no v2 cgroup. Containers that start later are added by cgroupPushdown.
func containerCgroups(r *container.Resolver, names []string) (bool, []uint64) {
	if r.UnifiedRoot() == "" {
		return false, nil
	}
	var ids []uint64
	for _, c := range r.Running() {
		if !matchesAny(c, names) {
			continue
		}
		id, ok := r.CgroupID(c.Cgroup)
		if !ok {
			return false, nil
		}
		ids = append(ids, id)
	}
	return true, ids
}

func matchesAny(c *container.Info, names []string) bool {
	for _, n := range names {
		if c.Matches(n) {
			return true
		}
	}
	return false
}

// cgroupAdder is a live source whose kernel-side cgroup filter can grow.
type cgroupAdder interface {
	AddCgroup(id uint64) error
}

// cgroupPushdown keeps the kernel-side container filter current: each
// container the state meets for the first time (a process entering a new
// cgroup, seen through the state-changing events the kernel always keeps)
// has its cgroup added when its id or name matches. It looks at the
// container table only, never at events of their own.
type cgroupPushdown struct {
	src   cgroupAdder
	names []string
	r     *container.Resolver
	seen  int
}

// newCgroupPushdown returns the consumer that extends a live source's
// kernel-side container filter, or nil when the source has none.
func newCgroupPushdown(src capture.Source, names []string) engine.Consumer {
	a, ok := src.(cgroupAdder)
	if !ok || len(names) == 0 {
		return nil
	}
	return &cgroupPushdown{src: a, names: names, r: container.NewResolver()}
}

func (p *cgroupPushdown) OnCaptureStart(*engine.Run) error { return nil }
func (p *cgroupPushdown) OnCaptureEnd(*engine.Run) error   { return nil }
func (p *cgroupPushdown) OnEvent(c *fields.Ctx) error      { return p.sync(c) }
func (p *cgroupPushdown) OnRejected(c *fields.Ctx) error   { return p.sync(c) }

func (p *cgroupPushdown) sync(c *fields.Ctx) error {
	log := c.State.ContainerLog()
	if len(log) == p.seen {
		return nil
	}
	if len(log) < p.seen {
		p.seen = 0
	}
	for _, ct := range log[p.seen:] {
		if !matchesAny(ct, p.names) {
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
