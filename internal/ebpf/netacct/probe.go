// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/hist"
	"github.com/ferret-observability/ferret/internal/netacct"
)

// DefaultMaxFlows is the default capacity of the flow map.
const DefaultMaxFlows = 16384

// Options configure a Probe.
type Options struct {
	MaxFlows int // flow map capacity; 0 means DefaultMaxFlows
	// Latency also times the send and receive system calls (sendto,
	// sendmsg, sendmmsg, recvfrom, recvmsg, recvmmsg) per process, in the
	// kernel, into histograms read by Latencies.
	Latency bool
	// PerCallFold makes every TCP call fold its socket's counters into the
	// flow map, as when the kernel refuses socket storage iterators.
	PerCallFold bool
}

// Probe is the loaded and attached accounting programs.
type Probe struct {
	objs     NetacctObjects
	links    []link.Link
	fold     *link.Iter // folds sockets' pending TCP counters into flows
	iter     bool       // fold is used (else calls fold their own counters)
	maxFlows int
	warnings []string
	raw      map[netacct.FlowKey]NetacctFlowKey
	latency  bool
	// retired holds the histograms of processes that exited, whose kernel
	// entries were removed.
	retired map[netacct.LatencyKey]*netacct.Latency
}

// stats slots, as in bpf/netacct/netacct.bpf.c.
const (
	stCalls = iota
	stFlowFull
	stSockFull
	stNoPeer
	stTCPFull
)

// Open loads the programs and attaches them. It needs CAP_BPF and
// CAP_PERFMON (or root).
func Open(opts Options) (*Probe, error) {
	spec, err := LoadNetacct()
	if err != nil {
		return nil, fmt.Errorf("netacct: load spec: %w", err)
	}
	p := &Probe{maxFlows: opts.MaxFlows, raw: map[netacct.FlowKey]NetacctFlowKey{}}
	if p.maxFlows <= 0 {
		p.maxFlows = DefaultMaxFlows
	}
	spec.Maps["flows"].MaxEntries = uint32(p.maxFlows)
	if err := spec.Variables["nat_bounds"].Set(hist.NativeBounds()); err != nil {
		return nil, fmt.Errorf("netacct: native histogram bounds: %w", err)
	}
	if opts.PerCallFold || !iteratorsAllowed() {
		// Without the iterator, calls fold their own counters. The
		// generated object set names fold_all: an empty program that is
		// never attached takes its place.
		if err := spec.Variables["fold_per_call"].Set(uint8(1)); err != nil {
			return nil, fmt.Errorf("netacct: per-call fold: %w", err)
		}
		spec.Programs["fold_all"] = &ebpf.ProgramSpec{
			Name: "fold_all", Type: ebpf.SocketFilter, License: "GPL",
			Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
		}
		if !opts.PerCallFold {
			p.warnings = append(p.warnings, perCallFoldWarning)
		}
	} else {
		p.iter = true
	}
	if err := spec.LoadAndAssign(&p.objs, nil); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("netacct: load programs: %+v", ve)
		}
		return nil, fmt.Errorf("netacct: load programs: %w", err)
	}
	for _, prog := range []*ebpf.Program{p.objs.OnSend, p.objs.OnRecv, p.objs.OnState} {
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("netacct: attach %s: %w", prog, err)
		}
		p.links = append(p.links, l)
	}
	if p.iter {
		fold, err := link.AttachIter(link.IterOptions{Program: p.objs.FoldAll, Map: p.objs.Socks})
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("netacct: attach socket storage iterator: %w", err)
		}
		p.fold = fold
		p.links = append(p.links, fold)
	}
	if opts.Latency {
		if err := p.attachLatency(); err != nil {
			p.Close()
			return nil, err
		}
	}
	if err := p.attachCgroup(); err != nil {
		// Everything else still counts; such datagrams go under an
		// unknown peer.
		p.warnings = append(p.warnings, fmt.Sprintf("peers of unconnected UDP sockets unknown: %v", err))
	}
	return p, nil
}

const perCallFoldWarning = "socket storage iterators refused by the kernel: TCP calls fold their own counters (costlier; bytes read only by splice are counted at the next call or close)"

// iteratorsAllowed reports whether the kernel loads a socket storage map
// iterator program (a security policy may refuse tracing programs of this
// kind while allowing tracepoints).
func iteratorsAllowed() bool {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ebpf.Tracing, AttachType: ebpf.AttachTraceIter, AttachTo: "bpf_sk_storage_map",
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		return false
	}
	prog.Close()
	return true
}

// Warnings lists what could not be enabled.
func (p *Probe) Warnings() []string { return p.warnings }

// attachCgroup attaches the hooks that name the peers of unconnected UDP
// sockets to the root of the cgroup v2 hierarchy (mounting it privately when
// the machine has not), so they run for every process.
func (p *Probe) attachCgroup() error {
	root, unmount, err := cgroup2Root()
	if err != nil {
		return fmt.Errorf("cgroup v2 hierarchy for the hooks: %w", err)
	}
	defer unmount()
	var attached []link.Link
	for _, h := range []struct {
		typ  ebpf.AttachType
		prog *ebpf.Program
	}{
		{ebpf.AttachCGroupUDP4Sendmsg, p.objs.OnSendmsg4}, {ebpf.AttachCGroupUDP6Sendmsg, p.objs.OnSendmsg6},
		{ebpf.AttachCGroupUDP4Recvmsg, p.objs.OnRecvmsg4}, {ebpf.AttachCGroupUDP6Recvmsg, p.objs.OnRecvmsg6},
	} {
		l, err := link.AttachCgroup(link.CgroupOptions{Path: root, Attach: h.typ, Program: h.prog})
		if err != nil {
			for _, l := range attached {
				l.Close()
			}
			return fmt.Errorf("attach %s to cgroup %s: %w", h.prog, root, err)
		}
		attached = append(attached, l)
	}
	p.links = append(p.links, attached...)
	return nil
}

// cgroup2Root returns where the cgroup v2 hierarchy is mounted, mounting it
// on a temporary directory if it is nowhere; unmount undoes that.
func cgroup2Root() (root string, unmount func(), err error) {
	if mi, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		if root := cgroup2Mount(string(mi)); root != "" {
			return root, func() {}, nil
		}
	}
	dir, err := os.MkdirTemp("", "ferret-cgroup2-")
	if err != nil {
		return "", nil, err
	}
	if err := unix.Mount("cgroup2", dir, "cgroup2", 0, ""); err != nil {
		os.Remove(dir)
		return "", nil, fmt.Errorf("no cgroup2 mount, and mounting one failed: %w", err)
	}
	return dir, func() {
		unix.Unmount(dir, unix.MNT_DETACH)
		os.Remove(dir)
	}, nil
}

// cgroup2Mount finds the mount point of the root of the cgroup v2
// hierarchy in /proc/self/mountinfo.
func cgroup2Mount(mountinfo string) string {
	for _, line := range strings.Split(mountinfo, "\n") {
		// id parent major:minor root mountpoint options [optional...] - fstype source super-options
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 1 || g[0] != "cgroup2" || f[3] != "/" {
			continue
		}
		return unescapeMount(f[4])
	}
	return ""
}

// unescapeMount undoes the octal escapes (\040 for a space) of mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Close detaches and unloads everything.
func (p *Probe) Close() error {
	var errs []error
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	p.links = nil
	errs = append(errs, p.objs.Close())
	return errors.Join(errs...)
}

func commString(c [16]int8) string {
	b := make([]byte, 0, 16)
	for _, v := range c {
		if v == 0 {
			break
		}
		b = append(b, byte(v))
	}
	return string(b)
}

func addrOf(family uint8, a [16]uint8) netip.Addr {
	var ip netip.Addr
	switch family {
	case unix.AF_INET:
		ip = netip.AddrFrom4([4]byte(a[:4]))
	case unix.AF_INET6:
		ip = netip.AddrFrom16(a)
	default:
		return netip.Addr{}
	}
	if ip.IsUnspecified() {
		return netip.Addr{}
	}
	return ip
}

func flowKey(k *NetacctFlowKey) netacct.FlowKey {
	return netacct.FlowKey{
		PID: k.Tgid, Comm: commString(k.Comm), Addr: addrOf(k.Family, k.Addr),
		Port: k.Port, Proto: netacct.Proto(k.Proto),
	}
}

// foldSockets moves the TCP traffic still counted in sockets into the flow
// map.
func (p *Probe) foldSockets() error {
	if p.fold == nil {
		return nil // calls fold their own counters
	}
	r, err := p.fold.Open()
	if err != nil {
		return fmt.Errorf("netacct: fold socket counters: %w", err)
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("netacct: fold socket counters: %w", err)
	}
	return nil
}

// Flows appends the cumulative counters of every flow map entry to dst
// (per-CPU values summed).
func (p *Probe) Flows(dst []netacct.Flow) ([]netacct.Flow, error) {
	if err := p.foldSockets(); err != nil {
		return dst, err
	}
	var (
		k    NetacctFlowKey
		vals []NetacctFlowVal
	)
	clear(p.raw)
	it := p.objs.Flows.Iterate()
	for it.Next(&k, &vals) {
		f := netacct.Flow{Key: flowKey(&k)}
		for _, v := range vals {
			f.TxBytes += v.TxBytes
			f.RxBytes += v.RxBytes
			f.TxCalls += v.TxCalls
			f.RxCalls += v.RxCalls
			f.Conns += v.Conns
		}
		p.raw[f.Key] = k
		dst = append(dst, f)
	}
	if err := it.Err(); err != nil {
		return dst, fmt.Errorf("netacct: read flows: %w", err)
	}
	return dst, nil
}

// Delete removes entries returned by the last Flows call (stale ones) and
// returns their values at the moment of deletion, so counts that arrived
// after the read are not lost.
func (p *Probe) Delete(keys []netacct.FlowKey) ([]netacct.Flow, error) {
	var (
		errs []error
		out  []netacct.Flow
		vals []NetacctFlowVal
	)
	for _, fk := range keys {
		k, ok := p.raw[fk]
		if !ok {
			continue
		}
		if err := p.objs.Flows.LookupAndDelete(&k, &vals); err != nil {
			if !errors.Is(err, ebpf.ErrKeyNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		f := netacct.Flow{Key: fk}
		for _, v := range vals {
			f.TxBytes += v.TxBytes
			f.RxBytes += v.RxBytes
			f.TxCalls += v.TxCalls
			f.RxCalls += v.RxCalls
			f.Conns += v.Conns
		}
		out = append(out, f)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("netacct: delete stale flows: %w", errors.Join(errs...))
	}
	return out, nil
}

// TCPClosed is what TCP itself counted for the closed connections of one
// process and peer: payload bytes sent (without retransmissions), received
// and acknowledged, and the number of connections.
type TCPClosed struct {
	Key                   netacct.FlowKey
	Sent, Received, Acked uint64
	Closed                uint64
}

// TCPClosed reads the closed-connection counters.
func (p *Probe) TCPClosed() ([]TCPClosed, error) {
	var (
		k   NetacctFlowKey
		v   NetacctTcpVal
		out []TCPClosed
	)
	it := p.objs.TcpClosed.Iterate()
	for it.Next(&k, &v) {
		out = append(out, TCPClosed{Key: flowKey(&k), Sent: v.Sent, Received: v.Received, Acked: v.Acked, Closed: v.Closed})
	}
	if err := it.Err(); err != nil {
		return out, fmt.Errorf("netacct: read tcp counters: %w", err)
	}
	return out, nil
}

// Stats reads the health counters. Entries is the number of flows seen by
// the last Flows call.
func (p *Probe) Stats() (netacct.KernelStats, error) {
	sum := func(slot uint32) (uint64, error) {
		var vals []uint64
		if err := p.objs.Stats.Lookup(&slot, &vals); err != nil {
			return 0, err
		}
		var n uint64
		for _, v := range vals {
			n += v
		}
		return n, nil
	}
	var s netacct.KernelStats
	var err error
	for slot, dst := range map[uint32]*uint64{stCalls: &s.Calls, stFlowFull: &s.FlowMapFull, stSockFull: &s.SockMapFull, stNoPeer: &s.NoPeer, stTCPFull: &s.TCPMapFull} {
		if *dst, err = sum(slot); err != nil {
			return s, fmt.Errorf("netacct: read stats: %w", err)
		}
	}
	s.Entries = len(p.raw)
	s.MaxEntries = p.maxFlows
	return s, nil
}

// attachLatency attaches the call-timing programs to the send and receive
// syscalls' tracepoints.
func (p *Probe) attachLatency() error {
	o := &p.objs
	for _, t := range []struct {
		name string
		prog *ebpf.Program
	}{
		{"sys_enter_sendto", o.LatEnterSendto}, {"sys_exit_sendto", o.LatExitSendto},
		{"sys_enter_sendmsg", o.LatEnterSendmsg}, {"sys_exit_sendmsg", o.LatExitSendmsg},
		{"sys_enter_sendmmsg", o.LatEnterSendmmsg}, {"sys_exit_sendmmsg", o.LatExitSendmmsg},
		{"sys_enter_recvfrom", o.LatEnterRecvfrom}, {"sys_exit_recvfrom", o.LatExitRecvfrom},
		{"sys_enter_recvmsg", o.LatEnterRecvmsg}, {"sys_exit_recvmsg", o.LatExitRecvmsg},
		{"sys_enter_recvmmsg", o.LatEnterRecvmmsg}, {"sys_exit_recvmmsg", o.LatExitRecvmmsg},
	} {
		l, err := link.Tracepoint("syscalls", t.name, t.prog, nil)
		if err != nil {
			return fmt.Errorf("netacct: attach call timing to syscalls/%s: %w", t.name, err)
		}
		p.links = append(p.links, l)
	}
	p.latency = true
	p.retired = map[netacct.LatencyKey]*netacct.Latency{}
	return nil
}

// latOps names the op field of lat_key.
var latOps = [...]string{"send", "recv"}

// Latencies returns the cumulative call-time histograms per program name
// and direction, sorted by program then op (nil when Latency was not
// asked for). Entries of processes that have exited are moved out of the
// kernel map into the totals kept here.
func (p *Probe) Latencies() ([]netacct.Latency, error) {
	if !p.latency {
		return nil, nil
	}
	sums := map[netacct.LatencyKey]*netacct.Latency{}
	for k, h := range p.retired {
		c := *h
		sums[k] = &c
	}
	add := func(k *NetacctLatKey, vals []NetacctLatVal) {
		if int(k.Op) >= len(latOps) {
			return
		}
		key := netacct.LatencyKey{Program: commString(k.Comm), Op: latOps[k.Op]}
		h := sums[key]
		if h == nil {
			h = new(netacct.Latency)
			sums[key] = h
		}
		addLat(h, vals)
	}
	var (
		k     NetacctLatKey
		vals  []NetacctLatVal
		gone  []NetacctLatKey
		alive = map[uint32]bool{}
	)
	it := p.objs.Lats.Iterate()
	for it.Next(&k, &vals) {
		add(&k, vals)
		live, ok := alive[k.Tgid]
		if !ok {
			_, err := os.Stat("/proc/" + strconv.FormatUint(uint64(k.Tgid), 10))
			live = err == nil
			alive[k.Tgid] = live
		}
		if !live {
			gone = append(gone, k)
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("netacct: read call times: %w", err)
	}
	// A process that is gone makes no more calls: its last values are
	// final. They move to the retired totals.
	for i := range gone {
		k := &gone[i]
		var final []NetacctLatVal
		if err := p.objs.Lats.LookupAndDelete(k, &final); err != nil {
			continue
		}
		key := netacct.LatencyKey{Program: commString(k.Comm), Op: latOps[k.Op]}
		h := p.retired[key]
		if h == nil {
			h = new(netacct.Latency)
			p.retired[key] = h
		}
		addLat(h, final)
	}
	out := make([]netacct.Latency, 0, len(sums))
	for k, h := range sums {
		h.LatencyKey = k
		out = append(out, *h)
	}
	netacct.SortLatencies(out)
	return out, nil
}

// addLat adds per-CPU kernel histograms to l.
func addLat(l *netacct.Latency, vals []NetacctLatVal) {
	h := &l.Hist
	for i := range vals {
		v := &vals[i]
		for b, n := range v.Count {
			h.Counts[b] += n
			h.Count += n
		}
		h.Sum += float64(v.Sum)
		for b, n := range v.Nat {
			l.Native[b] += n
		}
		l.NativeZero += v.NatZero
	}
}
