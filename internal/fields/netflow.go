// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/netacct"
)

// The net.* fields describe the flow records of `ferret top`'s network
// views: one per process and remote peer counted by `ferret net`'s kernel
// accounting (internal/netacct), handed to a view at the end of each
// sample with the process as the record's thread (Ctx.Flow). Events have
// no value for them.

func flowNum(name, desc string, f func(r *netacct.FlowRate) uint64) Field {
	return simple(name, "UINT64", desc, func(c *Ctx, v *Value) bool {
		if c.Flow == nil {
			return false
		}
		return setUint(v, KindUint64, f(c.Flow))
	})
}

func flowStr(name, desc string, f func(r *netacct.FlowRate, b []byte) []byte) Field {
	return strField(name, "CHARBUF", desc, func(c *Ctx, b []byte) ([]byte, bool) {
		if c.Flow == nil {
			return b, false
		}
		return f(c.Flow, b), true
	})
}

// appendPeer appends a flow's peer as ip:port ([ip]:port for IPv6), or
// "unknown" (a datagram socket whose destination was not seen).
func appendPeer(b []byte, k *netacct.FlowKey) []byte {
	a := k.Addr.Unmap()
	if !a.IsValid() {
		return append(b, "unknown"...)
	}
	if a.Is6() {
		b = append(b, '[')
		b = a.AppendTo(b)
		b = append(b, ']')
	} else {
		b = a.AppendTo(b)
	}
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(k.Port), 10)
}

func init() {
	Register(&Class{Name: "net", Order: 76,
		Desc: "Network traffic per process and remote peer from the kernel's socket accounting of ferret net (ferret extension): the flow records of ferret top's netprocs and netpeers views, one per process and peer at the end of each refresh; events have no value for these fields.",
		Fields: []Field{
			flowStr("net.flow", "the flow: process id, protocol and peer, e.g. '1234 tcp 10.0.0.1:443'.", func(r *netacct.FlowRate, b []byte) []byte {
				b = strconv.AppendUint(b, uint64(r.Key.PID), 10)
				b = append(b, ' ')
				b = append(b, r.Key.Proto.String()...)
				b = append(b, ' ')
				return appendPeer(b, &r.Key)
			}),
			flowStr("net.peer", "remote end of the flow, ip:port ('unknown' for datagrams whose destination was not seen).", func(r *netacct.FlowRate, b []byte) []byte {
				return appendPeer(b, &r.Key)
			}),
			flowStr("net.l4proto", "transport protocol of the flow (tcp, udp).", func(r *netacct.FlowRate, b []byte) []byte {
				return append(b, r.Key.Proto.String()...)
			}),
			flowNum("net.bytes.in", "bytes received from the peer since the previous refresh.", func(r *netacct.FlowRate) uint64 { return r.Delta.RxBytes }),
			flowNum("net.bytes.out", "bytes sent to the peer since the previous refresh.", func(r *netacct.FlowRate) uint64 { return r.Delta.TxBytes }),
			flowNum("net.bytes", "bytes exchanged with the peer since the previous refresh.", func(r *netacct.FlowRate) uint64 { return r.Delta.Bytes() }),
			flowNum("net.calls", "send and receive calls on the flow since the previous refresh.", func(r *netacct.FlowRate) uint64 { return r.Delta.TxCalls + r.Delta.RxCalls }),
			flowNum("net.total.in", "bytes received from the peer since ferret top started.", func(r *netacct.FlowRate) uint64 { return r.Total.RxBytes }),
			flowNum("net.total.out", "bytes sent to the peer since ferret top started.", func(r *netacct.FlowRate) uint64 { return r.Total.TxBytes }),
			flowNum("net.total", "bytes exchanged with the peer since ferret top started.", func(r *netacct.FlowRate) uint64 { return r.Total.Bytes() }),
		}})
}
