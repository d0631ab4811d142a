// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"strconv"

	"github.com/ferret-observability/ferret/internal/event"
)

// sendmmsg and recvmmsg: their struct mmsghdr arrays (a msghdr and the
// msg_len the kernel stores, 64 bytes each) as strace prints them. When the
// call returns the probe copies the first elements of the array, each with
// its msg_len and data (RawMsghdr with Unit 4, up to event.RawMmsgMax and
// the room in the record); recvmmsg also the array as passed (its
// msg_namelen) and the timeout.

func mmsgCopies(recv bool) []customCopy {
	var cs []customCopy
	if recv {
		// the array as the caller passed it, the timeout
		cs = append(cs, customCopy{1, argKind{copy: event.RawArgLen, n: 1, unit: 64}},
			customCopy{4, argKind{copy: event.RawFixed, n: 16}})
	}
	cs = append(cs, customCopy{1, argKind{copy: event.RawMsghdr, n: event.RawMmsgMax, unit: 4, exit: true}})
	if recv {
		// the time left, shown in the result
		cs = append(cs, customCopy{4, argKind{copy: event.RawFixed, n: 16, exit: true}})
	}
	return cs
}

// appendMmsgLeft appends recvmmsg's " (left {tv_sec=0, tv_nsec=999994259})".
func appendMmsgLeft(b []byte, c *rcall) []byte {
	p := mmsgParam(c.exit, event.RawExitCopies+1)
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

// mmsgElems splits the elements of a RawMsghdr copy with Unit 4 into
// their msg_len and msghdr copies.
func mmsgElems(p []byte) (lens []uint64, msgs [][]byte) {
	for len(p) >= 8 {
		n := int(u32(p, 0))
		if n < 4 || n > len(p)-4 {
			break
		}
		lens = append(lens, u32(p, 4))
		msgs = append(msgs, p[8:4+n])
		p = p[4+n:]
	}
	return lens, msgs
}

func printMmsg(recv bool) func(r *renderer, c *rcall) {
	return func(r *renderer, c *rcall) {
		argKinds["fd"].print(r, c, 0)
		if c.exit == nil {
			// strace prints the rest when the call returns
			r.split = len(r.b) + 2
			return
		}
		r.sep()
		vlen := uint64(uint32(c.args[2]))
		// elements shown: recvmmsg's received ones, sendmmsg's sent ones
		// (all of them when it failed); msg_len for the ones sent or
		// received
		n := vlen
		lens, msgs := mmsgElems(mmsgParam(c.exit, event.RawExitCopies))
		withLen, show := c.succeeded(), true
		switch {
		case recv && !c.succeeded():
			r.b = appendPtr(r.b, c.args[1])
			show = false
		case c.succeeded():
			n = min(n, uint64(c.ret))
		}
		var in []byte
		if recv {
			in = mmsgParam(c.enter, event.RawEnterCopies)
		}
		if show {
			if c.args[1] == 0 || len(msgs) == 0 && n > 0 {
				r.b = appendPtr(r.b, c.args[1])
			} else {
				r.b = append(r.b, '[')
				for k := 0; uint64(k) < n; k++ {
					if k > 0 {
						r.b = append(r.b, ", "...)
					}
					if k == r.maxElems() || k >= len(msgs) {
						r.b = append(r.b, "..."...)
						break
					}
					m, ok := parseMsg(msgs[k])
					if !ok {
						r.b = append(r.b, "..."...)
						break
					}
					msgLen := int64(-1)
					if withLen {
						msgLen = int64(lens[k])
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
