// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"strconv"
	"time"
)

func (c *Ctx) clock(ts uint64) time.Time {
	t := time.Unix(int64(ts/1e9), int64(ts%1e9))
	if c.tzSet {
		return t.In(time.FixedZone("", int(c.utcOffset)))
	}
	return t
}

// appendClock appends "15:04:05.nnnnnnnnn" (withNS) or "15:04:05".
func (c *Ctx) appendClock(b []byte, ts uint64, withNS bool) []byte {
	t := c.clock(ts)
	h, m, s := t.Clock()
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, m)
	b = append(b, ':')
	b = append2(b, s)
	if withNS {
		b = append(b, '.')
		b = append9(b, ts%1e9)
	}
	return b
}

// appendDate appends "2006-01-02 ".
func (c *Ctx) appendDate(b []byte, ts uint64) []byte {
	y, mo, d := c.clock(ts).Date()
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, '-')
	b = append2(b, int(mo))
	b = append(b, '-')
	b = append2(b, d)
	return b
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10%10), byte('0'+v%10)) }

func append9(b []byte, v uint64) []byte {
	var t [9]byte
	for i := 8; i >= 0; i-- {
		t[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, t[:]...)
}

// appendSecNS appends "sec.nnnnnnnnn".
func appendSecNS(b []byte, ns uint64) []byte {
	b = strconv.AppendUint(b, ns/1e9, 10)
	b = append(b, '.')
	return append9(b, ns%1e9)
}

// appendLatencyHuman renders a duration as evt.latency.human does.
func appendLatencyHuman(b []byte, ns uint64) []byte {
	switch {
	case ns < 1000:
		b = strconv.AppendUint(b, ns, 10)
		return append(b, "ns"...)
	case ns < 10000:
		return append(appendFixed2(b, ns, 1000), "us"...)
	case ns < 1000000:
		// from 10 of a unit on, whole units only (truncated)
		return append(strconv.AppendUint(b, ns/1000, 10), "us"...)
	case ns < 10000000:
		return append(appendFixed2(b, ns, 1000000), "ms"...)
	case ns < 1000000000:
		return append(strconv.AppendUint(b, ns/1000000, 10), "ms"...)
	}
	return append(appendFixed2(b, ns, 1000000000), 's')
}

// appendFixed2 appends v/unit with two decimals, truncated.
func appendFixed2(b []byte, v, unit uint64) []byte {
	b = strconv.AppendUint(b, v/unit, 10)
	f := v % unit * 100 / unit
	return append(b, '.', byte('0'+f/10), byte('0'+f%10))
}
