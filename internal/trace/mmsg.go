// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// sendmmsg and recvmmsg: their struct mmsghdr arrays (a msghdr and the
// msg_len the kernel stores, 64 bytes each) as strace prints them. The
// probe copies the first mmsgMax elements each with its data (RawMsghdr of
// element k) and the array itself (RawArgLen, for msg_len and
// recvmmsg's msg_namelen).

const mmsgMax = 8

func mmsgCopies(recv bool) []customCopy {
	var cs []customCopy
	hdrs := argKind{copy: event.RawArgLen, n: 1, unit: 64, exit: true}
	if recv {
		// the array as the caller passed it, the timeout
		cs = append(cs, customCopy{1, argKind{copy: event.RawArgLen, n: 1, unit: 64}},
			customCopy{4, argKind{copy: event.RawFixed, n: 16}})
	}
	for k := 0; k < mmsgMax; k++ {
		cs = append(cs, customCopy{1, argKind{copy: event.RawMsghdr, n: uint16(k), exit: recv}})
	}
	cs = append(cs, customCopy{1, hdrs})
	if recv {
		// the time left, shown in the result
		cs = append(cs, customCopy{4, argKind{copy: event.RawFixed, n: 16, exit: true}})
	}
	return cs
}

// appendMmsgLeft appends recvmmsg's " (left {tv_sec=0, tv_nsec=999994259})".
func appendMmsgLeft(b []byte, c *rcall) []byte {
	p := mmsgParam(c.exit, event.RawExitCopies+mmsgMax+1)
	if c.args[4] == 0 || len(p) < 16 {
		return b
	}
	b = append(b, " (left "...)
	b = appendTimespec(b, p)
	return append(b, ')')
}

// mmsgParam returns parameter k of the record (nil when absent).
func mmsgParam(e *event.Event, k int) []byte {
	if e == nil || !e.HasParam(k) {
		return nil
	}
	return e.Param(k)
}

func printMmsg(recv bool) func(r *renderer, c *rcall) {
	return func(r *renderer, c *rcall) {
		argKinds["fd"].print(r, c, 0)
		r.sep()
		vlen := uint64(uint32(c.args[2]))
		// elements shown: recvmmsg's received ones, sendmmsg's sent ones
		// (all of them while it runs or when it failed)
		n := vlen
		var msgs func(k int) []byte
		var hdrs []byte
		if recv {
			if !c.succeeded() {
				r.b = appendPtr(r.b, c.args[1])
				n = 0
			} else {
				n = uint64(c.ret)
				msgs = func(k int) []byte { return mmsgParam(c.exit, event.RawExitCopies+k) }
				hdrs = mmsgParam(c.exit, event.RawExitCopies+mmsgMax)
			}
		} else {
			msgs = func(k int) []byte { return mmsgParam(c.enter, event.RawEnterCopies+k) }
			if c.succeeded() {
				n = min(n, uint64(c.ret))
				hdrs = mmsgParam(c.exit, event.RawExitCopies)
			}
		}
		var in []byte
		if recv {
			in = mmsgParam(c.enter, event.RawEnterCopies)
		}
		if msgs != nil {
			if c.args[1] == 0 || len(msgs(0)) == 0 && n > 0 {
				r.b = appendPtr(r.b, c.args[1])
			} else {
				r.b = append(r.b, '[')
				for k := 0; uint64(k) < n; k++ {
					if k > 0 {
						r.b = append(r.b, ", "...)
					}
					if k == r.maxElems() || k >= mmsgMax {
						r.b = append(r.b, "..."...)
						break
					}
					m, ok := parseMsg(msgs(k))
					if !ok {
						r.b = append(r.b, "..."...)
						break
					}
					msgLen := int64(-1)
					if 64*k+60 <= len(hdrs) {
						msgLen = int64(u32(hdrs, 64*k+56))
					}
					userNamelen := int64(-1)
					if recv && 64*k+12 <= len(in) {
						userNamelen = int64(int32(u32(in, 64*k+8)))
					}
					r.b = append(r.b, "{msg_hdr="...)
					size := int64(-1)
					if recv {
						size = max(msgLen, 0)
					}
					r.appendMsghdr(m, userNamelen, size)
					if msgLen >= 0 {
						r.b = append(r.b, ", msg_len="...)
						r.b = strconv.AppendInt(r.b, msgLen, 10)
					}
					r.b = append(r.b, '}')
				}
				r.b = append(r.b, ']')
			}
		}
		r.sep()
		r.b = strconv.AppendUint(r.b, vlen, 10)
		r.sep()
		r.b = appendBitsX(r.b, uint64(uint32(c.args[3])), msgBits, r.style)
		if recv {
			r.sep()
			p := mmsgParam(c.enter, event.RawEnterCopies+1)
			if c.args[4] == 0 || len(p) < 16 {
				r.b = appendPtr(r.b, c.args[4])
			} else {
				r.b = appendTimespec(r.b, p)
			}
		}
	}
}
