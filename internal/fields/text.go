// SPDX-License-Identifier: Apache-2.0

package fields

import "strconv"

// AppendText appends the text rendering of the field's current value, as
// sysdig prints it in -p output. ext must have just returned true from
// Extract with v.
func AppendText(buf []byte, c *Ctx, ext Extractor, v *Value) []byte {
	if t, ok := ext.(Texter); ok {
		return t.Text(c, v, buf)
	}
	return AppendValue(buf, v)
}

// AppendValue appends the plain text rendering of v.
func AppendValue(buf []byte, v *Value) []byte {
	switch v.Kind {
	case KindString:
		return append(buf, v.Str...)
	case KindInt64:
		return strconv.AppendInt(buf, v.Int, 10)
	case KindUint64, KindRelTime, KindAbsTime, KindPort:
		return strconv.AppendUint(buf, v.Uint, 10)
	case KindBool:
		if v.Uint != 0 || v.Int != 0 {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case KindDouble:
		return strconv.AppendFloat(buf, v.Float, 'f', 1, 64) // sysdig prints DOUBLE fields with %.1f
	case KindBytes:
		return append(buf, v.Bytes...)
	case KindIPAddr:
		return appendIP(buf, v.Bytes)
	case KindIPNet:
		return appendIP(buf, v.Bytes)
	case KindL4Proto:
		return append(buf, l4Name(uint8(v.Uint))...)
	case KindSockFamily:
		return strconv.AppendUint(buf, v.Uint, 10)
	}
	return append(buf, v.Str...)
}

func l4Name(p uint8) string {
	switch p {
	case 2:
		return "tcp"
	case 3:
		return "udp"
	case 4:
		return "icmp"
	case 5:
		return "raw"
	}
	return "<NA>"
}

func appendIP(buf []byte, ip []byte) []byte {
	if len(ip) == 4 {
		for i, b := range ip {
			if i > 0 {
				buf = append(buf, '.')
			}
			buf = strconv.AppendUint(buf, uint64(b), 10)
		}
		return buf
	}
	if len(ip) == 16 {
		return append(buf, ipv6String(ip)...)
	}
	return buf
}

func ipv6String(ip []byte) string { return netIP(ip).String() }
