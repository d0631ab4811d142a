// SPDX-License-Identifier: Apache-2.0

package netacct

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/ferret-observability/ferret/internal/netacct"
)

// DefaultMaxFlows is the default capacity of the flow map.
const DefaultMaxFlows = 16384

// Options configure a Probe.
type Options struct {
	MaxFlows int // flow map capacity; 0 means DefaultMaxFlows
	// UDPPeers attributes every datagram read from an unconnected UDP
	// socket to its source by tracing recvfrom/recvmsg/sendto/sendmsg.
	// Enabling any syscall tracepoint puts every syscall of the machine on
	// the kernel's slower traced path, so it is off by default; without
	// it such datagrams are attributed when the kernel copies them through
	// skb_copy_datagram_iter (non-linear buffers) and otherwise counted
	// under an unknown peer. Sends are attributed either way.
	UDPPeers bool
}

// Probe is the loaded and attached accounting programs.
type Probe struct {
	objs     NetacctObjects
	links    []link.Link
	maxFlows int
	raw      map[netacct.FlowKey]NetacctFlowKey
	warnings []string
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
	if err := spec.LoadAndAssign(&p.objs, nil); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("netacct: load programs: %+v", ve)
		}
		return nil, fmt.Errorf("netacct: load programs: %w", err)
	}
	for _, prog := range []*ebpf.Program{p.objs.OnSend, p.objs.OnRecv, p.objs.OnState, p.objs.OnDevQueue, p.objs.OnCopy, p.objs.OnSpaceAdjust} {
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("netacct: attach %s: %w", prog, err)
		}
		p.links = append(p.links, l)
	}
	var sys []link.Link
	// Peers of unconnected datagram sockets come from the syscall
	// tracepoints, which need tracefs; without them such sends are counted
	// under an unknown peer.
	syscalls := []struct {
		name string
		prog *ebpf.Program
	}{
		{"sys_enter_sendto", p.objs.OnSendto}, {"sys_enter_sendmsg", p.objs.OnSendmsg},
		{"sys_enter_recvfrom", p.objs.OnRecvfromEnter}, {"sys_exit_recvfrom", p.objs.OnRecvfromExit},
		{"sys_enter_recvmsg", p.objs.OnRecvmsgEnter}, {"sys_exit_recvmsg", p.objs.OnRecvmsgExit},
	}
	if !opts.UDPPeers {
		syscalls = nil
	}
	for _, tp := range syscalls {
		l, err := attachSyscallTP(tp.name, tp.prog)
		if err != nil {
			// All or none: a recvfrom entry without its exit would
			// leave received bytes pending.
			for _, l := range sys {
				l.Close()
			}
			sys = nil
			p.warnings = append(p.warnings, fmt.Sprintf("peers of unconnected UDP sockets unknown: %v", err))
			break
		}
		sys = append(sys, l)
	}
	p.links = append(p.links, sys...)
	return p, nil
}

func attachSyscallTP(name string, prog *ebpf.Program) (link.Link, error) {
	l, err := link.Tracepoint("syscalls", name, prog, nil)
	if err == nil {
		return l, nil
	}
	if _, serr := os.Stat("/sys/kernel/tracing/events"); serr == nil {
		return nil, err
	}
	if merr := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, ""); merr != nil {
		return nil, fmt.Errorf("%w (mount tracefs: %v)", err, merr)
	}
	return link.Tracepoint("syscalls", name, prog, nil)
}

// Warnings lists features that could not be enabled.
func (p *Probe) Warnings() []string { return p.warnings }

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

// Flows appends the cumulative counters of every flow map entry to dst
// (per-CPU values summed).
func (p *Probe) Flows(dst []netacct.Flow) ([]netacct.Flow, error) {
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
