// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/event"
)

// probe is the loaded and attached BPF side of a capture.
type probe struct {
	objs   ProbeObjects
	links  []link.Link
	rd     *ringbuf.Reader
	ncpu   int
	offset uint64

	mu         sync.Mutex
	closed     bool
	done       atomic.Bool // set when closed, read by Next without the lock
	pids       bool        // pid filter switched on
	cgroupsGen uint32      // generation of the kept cgroup set
}

// loadSpec returns the probe's collection spec configured by opts, without
// loading it.
func loadSpec(opts Options, ncpu int, offset uint64) (*ebpf.CollectionSpec, error) {
	spec, err := LoadProbe()
	if err != nil {
		return nil, fmt.Errorf("live: load probe spec: %w", err)
	}
	spec.Maps["events"].MaxEntries = uint32(opts.BufferSize)
	spec.Maps["batches"].MaxEntries = uint32(2 * ncpu)
	var self uint32
	if !opts.IncludeSelf {
		self = uint32(os.Getpid())
	}
	set := func(name string, v any) error {
		vs, ok := spec.Variables[name]
		if !ok {
			return fmt.Errorf("live: probe has no variable %q", name)
		}
		if err := vs.Set(v); err != nil {
			return fmt.Errorf("live: set %s: %w", name, err)
		}
		return nil
	}
	for _, kv := range []struct {
		name string
		v    any
	}{
		{"self_tgid", self},
		{"epoch_offset", offset},
		{"snaplen", uint32(opts.SnapLen)},
		{"ncpus", uint32(ncpu)},
		{"follow_children", b2u(opts.FollowChildren)},
		{"filter_comms", b2u(len(opts.Comms) > 0)},
		{"filter_cgroups", b2u(opts.FilterCgroups)},
		{"stack_signals", b2u(rawStacks(opts.Raw))},
		{"cgroup_start_max", opts.NewCgroupsAbove},
		{"keep_state", b2u(len(opts.Comms) > 0 && opts.CommsKeepState || opts.FilterCgroups)},
		{"filter_pids", b2u(len(opts.PIDs) > 0 || opts.FilterPIDs)},
	} {
		if err := set(kv.name, kv.v); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// epochOffset is what to add to CLOCK_BOOTTIME to get nanoseconds since the
// Unix epoch.
func epochOffset() uint64 {
	var rt, bt unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt)
	_ = unix.ClockGettime(unix.CLOCK_REALTIME, &rt)
	return uint64(rt.Nano() - bt.Nano())
}

// bootNow returns the current time in the probe's time base.
func bootNow(offset uint64) uint64 {
	var bt unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt)
	return uint64(bt.Nano()) + offset
}

func loadProbe(opts Options) (*probe, error) {
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("live: possible cpus: %w", err)
	}
	off := epochOffset()
	spec, err := loadSpec(opts, ncpu, off)
	if err != nil {
		return nil, err
	}
	p := &probe{ncpu: ncpu, offset: off, pids: len(opts.PIDs) > 0 || opts.FilterPIDs}
	switches := opts.SchedSwitch || slices.Contains(opts.EventTypes, event.SchedSwitch)
	names := []string{"on_sys_enter", "on_sys_exit", "on_process_exit", "on_signal_deliver", "flush_cpu"}
	if opts.Raw != nil {
		names[0], names[1] = "on_sys_enter_raw", "on_sys_exit_raw"
		if rawStacks(opts.Raw) {
			names[0], names[1] = "on_sys_enter_stack", "on_sys_exit_stack"
		}
	}
	// Only what the options need is loaded: each program costs the
	// kernel's verifier time at start.
	if opts.FollowChildren {
		names = append(names, "on_process_fork")
	}
	if switches {
		names = append(names, "on_sched_switch")
	}
	if opts.ProcInfo {
		names = append(names, "on_procinfo")
	}
	if opts.NoSignals {
		names = slices.DeleteFunc(names, func(n string) bool { return n == "on_signal_deliver" })
	} else if opts.IgnoredSignals {
		names = append(names, "on_signal_generate")
	}
	if err := loadObjects(spec, names, &p.objs); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("live: load probe: %+v", ve)
		}
		if errors.Is(err, unix.EPERM) {
			return nil, fmt.Errorf("%w: load probe: %v", ErrPrivilege, err)
		}
		return nil, fmt.Errorf("live: load probe: %w", err)
	}
	if err := p.configure(opts); err != nil {
		p.close()
		return nil, err
	}
	p.rd, err = ringbuf.NewReader(p.objs.Events)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("live: ring reader: %w", err)
	}
	progs := []*ebpf.Program{p.objs.OnSysEnter, p.objs.OnSysExit, p.objs.OnProcessExit, p.objs.OnSignalDeliver}
	if opts.Raw != nil {
		progs[0], progs[1] = p.objs.OnSysEnterRaw, p.objs.OnSysExitRaw
	}
	if opts.FollowChildren {
		progs = append(progs, p.objs.OnProcessFork)
	}
	if switches {
		progs = append(progs, p.objs.OnSchedSwitch)
	}
	if opts.ProcInfo {
		progs = append(progs, p.objs.OnProcinfo)
	}
	if opts.NoSignals {
		progs = slices.DeleteFunc(progs, func(q *ebpf.Program) bool { return q == p.objs.OnSignalDeliver })
	} else if opts.IgnoredSignals {
		progs = append(progs, p.objs.OnSignalGenerate)
	}
	for _, prog := range progs {
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			p.close()
			return nil, fmt.Errorf("live: attach %s: %w", prog, err)
		}
		p.links = append(p.links, l)
	}
	return p, nil
}

// loadObjects creates the probe's maps, then loads the named programs in
// parallel into objs (others stay nil). Within one collection load the
// kernel verifies the programs one after the other, ~0.1 s for each
// syscall handler; on several CPUs they verify side by side.
func loadObjects(spec *ebpf.CollectionSpec, names []string, objs *ProbeObjects) error {
	cache := btf.NewCache()
	maps, err := ebpf.NewCollectionWithOptions(onlyPrograms(spec, nil), ebpf.CollectionOptions{Cache: cache})
	if err != nil {
		return err
	}
	defer maps.Close()
	progs := make([]*ebpf.Program, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ps := onlyPrograms(spec, map[string]*ebpf.ProgramSpec{name: spec.Programs[name]})
			c, err := ebpf.NewCollectionWithOptions(ps, ebpf.CollectionOptions{MapReplacements: maps.Maps, Cache: cache})
			if err != nil {
				errs[i] = err
				return
			}
			progs[i] = c.DetachProgram(name)
			c.Close()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, prog := range progs {
			prog.Close()
		}
		return err
	}
	fields := map[string]**ebpf.Program{
		"on_sys_enter": &objs.OnSysEnter, "on_sys_exit": &objs.OnSysExit,
		"on_sys_enter_raw": &objs.OnSysEnterRaw, "on_sys_exit_raw": &objs.OnSysExitRaw,
		// the raw handlers with stacks stand in for the raw ones
		"on_sys_enter_stack": &objs.OnSysEnterRaw, "on_sys_exit_stack": &objs.OnSysExitRaw,
		"on_process_exit": &objs.OnProcessExit, "on_process_fork": &objs.OnProcessFork,
		"on_signal_deliver": &objs.OnSignalDeliver, "on_sched_switch": &objs.OnSchedSwitch,
		"on_signal_generate": &objs.OnSignalGenerate, "on_procinfo": &objs.OnProcinfo,
		"flush_cpu": &objs.FlushCpu,
	}
	for i, name := range names {
		*fields[name] = progs[i]
	}
	if err := maps.Assign(&objs.ProbeMaps); err != nil {
		objs.ProbePrograms.Close()
		return err
	}
	if err := maps.Assign(&objs.ProbeVariables); err != nil {
		objs.Close()
		return err
	}
	return nil
}

// onlyPrograms copies what a load needs: the maps of spec, and programs.
func onlyPrograms(spec *ebpf.CollectionSpec, programs map[string]*ebpf.ProgramSpec) *ebpf.CollectionSpec {
	s := *spec
	s.Programs = programs
	return s.Copy()
}

// rawStacks reports whether raw records copy user stacks or loaded
// objects, which only the on_sys_*_stack handlers encode.
func rawStacks(raw []event.RawSyscall) bool {
	for _, rs := range raw {
		for _, c := range append(slices.Clip(rs.Enter), rs.Exit...) {
			if c.Kind == event.RawUserStack || c.Kind == event.RawLinkMap {
				return true
			}
		}
	}
	return false
}

// rawStackCopy returns the user stack copy raw records list, if any.
func rawStackCopy(raw []event.RawSyscall) (event.RawCopy, bool) {
	for _, rs := range raw {
		for _, c := range append(slices.Clip(rs.Enter), rs.Exit...) {
			if c.Kind == event.RawUserStack {
				return c, true
			}
		}
	}
	return event.RawCopy{}, false
}

// configure fills the descriptor, route, pid and comm maps.
func (p *probe) configure(opts Options) error {
	descs, err := buildDescs()
	if err != nil {
		return err
	}
	// One batch per map: a system call per entry was most of the
	// configuration's time.
	all := make(map[uint32]ProbeEdesc, len(descs))
	for t, d := range descs {
		all[uint32(t)] = d
	}
	if opts.Raw != nil {
		raw, err := buildRawDescs(opts.Raw)
		if err != nil {
			return err
		}
		if c, ok := rawStackCopy(opts.Raw); ok {
			// signal deliveries with the stack after their parameters
			d := descs[event.SignalDelivE]
			d.P[d.Nparams].Src, d.P[d.Nparams].Conv, d.P[d.Nparams].Width = srcUStack, uint8(c.N), uint8(c.N>>8)
			d.Nparams++
			raw[signalStackDesc] = d
		}
		for k, d := range raw {
			all[k] = d
		}
	}
	keys := slices.Sorted(maps.Keys(all))
	vals := make([]ProbeEdesc, len(keys))
	for i, k := range keys {
		vals[i] = all[k]
	}
	if _, err := p.objs.Descs.BatchUpdate(keys, vals, nil); err != nil {
		return fmt.Errorf("live: descriptors: %w", err)
	}
	if err := p.writeRoutes(opts); err != nil {
		return err
	}
	for _, pid := range opts.PIDs {
		if err := p.objs.Traced.Put(uint32(pid), uint8(1)); err != nil {
			return fmt.Errorf("live: trace pid %d: %w", pid, err)
		}
	}
	for _, id := range opts.Cgroups {
		if err := p.objs.CgroupIds.Put(id, uint8(1)); err != nil {
			return fmt.Errorf("live: cgroup %d: %w", id, err)
		}
	}
	for _, c := range opts.Comms {
		var k ProbeCommKey
		for i := 0; i < len(c) && i < 15; i++ {
			k.C[i] = int8(c[i])
		}
		if err := p.objs.Comms.Put(k, uint8(1)); err != nil {
			return fmt.Errorf("live: comm %q: %w", c, err)
		}
	}
	return nil
}

func (p *probe) addCgroup(id uint64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("live: capture closed")
	}
	if err := p.objs.CgroupIds.Put(id, uint8(1)); err != nil {
		return fmt.Errorf("live: keep cgroup %d: %w", id, err)
	}
	// Verdicts cached in the kernel from the old set are now stale.
	p.cgroupsGen++
	if err := p.objs.CgroupsGen.Set(p.cgroupsGen); err != nil {
		return fmt.Errorf("live: set cgroups_gen: %w", err)
	}
	return nil
}

func (p *probe) rejectCgroup(id uint64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("live: capture closed")
	}
	if err := p.objs.CgroupRejected.Put(id, uint8(1)); err != nil {
		return fmt.Errorf("live: reject cgroup %d: %w", id, err)
	}
	p.cgroupsGen++
	if err := p.objs.CgroupsGen.Set(p.cgroupsGen); err != nil {
		return fmt.Errorf("live: set cgroups_gen: %w", err)
	}
	return nil
}

func (p *probe) addPID(pid int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("live: capture closed")
	}
	if err := p.objs.Traced.Put(uint32(pid), uint8(1)); err != nil {
		return fmt.Errorf("live: trace pid %d: %w", pid, err)
	}
	if !p.pids {
		if err := p.objs.FilterPids.Set(uint32(1)); err != nil {
			return fmt.Errorf("live: enable pid filter: %w", err)
		}
		p.pids = true
	}
	return nil
}

// flushCPUs asks every CPU to send its partial batch. offline is called for
// each CPU the kernel cannot run the flush on (offline or absent CPUs); a
// CPU busy with an interrupted writer is simply tried again next time.
func (p *probe) flushCPUs(offline func(cpu int)) {
	for cpu := 0; cpu < p.ncpu && !p.done.Load(); cpu++ {
		_, err := p.objs.FlushCpu.Run(&ebpf.RunOptions{CPU: uint32(cpu), Flags: unix.BPF_F_TEST_RUN_ON_CPU})
		if err != nil && (errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ERANGE)) {
			offline(cpu)
		}
	}
}

// counters returns the per-CPU loss counters, indexed [slot][cpu].
func (p *probe) counters() [drMax][]uint64 {
	var out [drMax][]uint64
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return out
	}
	for slot := uint32(0); slot < drMax; slot++ {
		var v []uint64
		if err := p.objs.Drops.Lookup(slot, &v); err == nil {
			out[slot] = v
		}
	}
	return out
}

// recursionMisses returns how often the kernel skipped a program because it
// was already running on that CPU (the previous run was preempted).
func (p *probe) recursionMisses() uint64 {
	var n uint64
	for _, prog := range []*ebpf.Program{p.objs.OnSysEnter, p.objs.OnSysExit, p.objs.OnSysEnterRaw, p.objs.OnSysExitRaw, p.objs.OnProcessExit,
		p.objs.OnSchedSwitch, p.objs.OnSignalDeliver, p.objs.OnSignalGenerate, p.objs.OnProcinfo} {
		if prog == nil {
			continue
		}
		if st, err := prog.Stats(); err == nil {
			n += st.RecursionMisses
		}
	}
	return n
}

func (p *probe) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.done.Store(true)
	var first error
	for _, l := range p.links {
		if err := l.Close(); err != nil && first == nil {
			first = err
		}
	}
	if p.rd != nil {
		if err := p.rd.Close(); err != nil && first == nil {
			first = err
		}
	}
	if err := p.objs.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// writeRoutes writes the routing table and the procexit and signal
// switches for opts' event filters.
func (p *probe) writeRoutes(opts Options) error {
	routes, keepExit, keepSignal := buildFilters(opts)
	keys := make([]uint32, len(routes))
	for nr := range keys {
		keys[nr] = uint32(nr)
	}
	if _, err := p.objs.Routes.BatchUpdate(keys, routes[:], nil); err != nil {
		return fmt.Errorf("live: routes: %w", err)
	}
	if err := p.objs.KeepProcexit.Set(b2u(keepExit)); err != nil {
		return fmt.Errorf("live: set keep_procexit: %w", err)
	}
	if err := p.objs.KeepSignal.Set(b2u(keepSignal)); err != nil {
		return fmt.Errorf("live: set keep_signal: %w", err)
	}
	return nil
}

// setEventTypes rewrites the routes of a running capture for new event
// types.
func (p *probe) setEventTypes(s *Source, types []event.Type) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("live: capture closed")
	}
	opts := s.opts
	opts.EventTypes, opts.Syscalls = types, nil
	if err := p.writeRoutes(opts); err != nil {
		return err
	}
	s.opts.EventTypes, s.opts.Syscalls = types, nil
	return nil
}
