// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"bufio"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/ferret-observability/ferret/internal/fields"
)

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// parseInt parses a signed decimal number the way sysdig does for INTn
// fields: out-of-range values saturate at 64 bits and are then cut to the
// field's width.
func parseInt(s string, bits int) (int64, bool) {
	mag, neg, over, ok := fields.ScanDigits(s)
	if !ok {
		return 0, false
	}
	var v int64
	switch {
	case neg && (over || mag > 1<<63):
		v = math.MinInt64
	case neg:
		v = -int64(mag)
	case over || mag > math.MaxInt64:
		v = math.MaxInt64
	default:
		v = int64(mag)
	}
	switch bits {
	case 8:
		v = int64(int8(v))
	case 16:
		v = int64(int16(v))
	case 32:
		v = int64(int32(v))
	}
	return v, true
}

// parseUint parses an unsigned decimal number like strtoull: a minus sign
// negates modulo 2^64, overflow saturates; the result is cut to the width.
func parseUint(s string, bits int) (uint64, bool) {
	mag, neg, over, ok := fields.ScanDigits(s)
	if !ok {
		return 0, false
	}
	v := mag
	if neg && !over {
		v = -mag
	}
	switch bits {
	case 8:
		v = uint64(uint8(v))
	case 16:
		v = uint64(uint16(v))
	case 32:
		v = uint64(uint32(v))
	}
	return v, true
}

func parseBool(s string) (uint64, bool) {
	switch s {
	case "true":
		return 1, true
	case "false":
		return 0, true
	}
	return 0, false
}

// parsePort accepts a decimal port number (cut to 16 bits) or a service
// name from /etc/services.
func parsePort(s string) (uint64, bool) {
	if s == "" {
		return 0, true
	}
	if strings.Trim(s, "0123456789") == "" {
		v, _ := parseUint(s, 16)
		return v, true
	}
	p, ok := services()[s]
	return uint64(p), ok
}

var (
	svcOnce sync.Once
	svcMap  map[string]uint16
)

// services returns the service name table: /etc/services when readable,
// plus a few common names so that filters behave alike on minimal systems.
func services() map[string]uint16 {
	svcOnce.Do(func() {
		svcMap = map[string]uint16{
			"ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80,
			"pop3": 110, "ntp": 123, "imap": 143, "snmp": 161, "ldap": 389, "https": 443,
			"imaps": 993, "pop3s": 995, "mysql": 3306, "postgresql": 5432,
		}
		f, err := os.Open("/etc/services")
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			fs := strings.Fields(line)
			if len(fs) < 2 {
				continue
			}
			port, _, ok := strings.Cut(fs[1], "/")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(port, 10, 16)
			if err != nil {
				continue
			}
			for _, name := range append(fs[:1], fs[2:]...) {
				if _, dup := svcMap[name]; !dup {
					svcMap[name] = uint16(n)
				}
			}
		}
	})
	return svcMap
}

// parseIP parses an address literal: dotted IPv4 when the text has a '.',
// IPv6 otherwise. It returns 4 or 16 bytes, or the error text.
func parseIP(s string) ([]byte, string) {
	if strings.IndexByte(s, '.') >= 0 {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return nil, "unrecognized IPv4 address " + s
		}
		b := a.As4()
		return b[:], ""
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return nil, "unrecognized IPv6 address " + s
	}
	b := a.As16()
	return b[:], ""
}

// parseNet parses an IPv4 network "a.b.c.d/n" or, as sysdig 0.29.3 does,
// a plain IPv6 address (IPv6 CIDR notation is rejected). mask is nil for
// IPv6.
func parseNet(s string) (ip, mask []byte, msg string) {
	if strings.IndexByte(s, '.') >= 0 {
		addr, bits, ok := strings.Cut(s, "/")
		if !ok {
			return nil, nil, "unrecognized IP network " + s
		}
		a, err := netip.ParseAddr(addr)
		if err != nil || !a.Is4() {
			return nil, nil, "unrecognized IP address " + s
		}
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > 32 {
			return nil, nil, "invalid netmask " + bits
		}
		b := a.As4()
		m := uint32(0)
		if n > 0 {
			m = ^uint32(0) << (32 - n)
		}
		return b[:], []byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}, ""
	}
	ip, msg = parseIP(s)
	return ip, nil, msg
}

// splitPath returns the non-empty '/'-separated components of p.
func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// pathHasPrefix reports whether the components of path start with comps.
func pathHasPrefix(path string, comps []string) bool {
	i := 0
	for _, want := range comps {
		for i < len(path) && path[i] == '/' {
			i++
		}
		if i >= len(path) {
			return false
		}
		j := i
		for j < len(path) && path[j] != '/' {
			j++
		}
		if path[i:j] != want {
			return false
		}
		i = j
	}
	return true
}

// containsFold is an ASCII case-insensitive strings.Contains.
func containsFold(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		if equalFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// glob matches s against a shell pattern like fnmatch(3) without flags:
// '*' and '?' also match '/', "[...]" sets support ranges, '!'/'^'
// negation and [:class:] names, and a backslash quotes the next byte.
func glob(pat, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) || px < len(pat) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					if ok, n := matchSet(pat[px:], s[sx]); n > 0 {
						if ok {
							px += n
							sx++
							continue
						}
					} else if s[sx] == '[' {
						px++
						sx++
						continue
					}
				}
			case '\\':
				if px+1 < len(pat) {
					if sx < len(s) && s[sx] == pat[px+1] {
						px += 2
						sx++
						continue
					}
				} else if sx < len(s) && s[sx] == '\\' {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			starS++
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	return true
}

// matchSet matches c against the bracket expression at the start of p. n
// is the length of the expression, 0 when it is not terminated.
func matchSet(p string, c byte) (bool, int) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	match := false
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return match != neg, i + 1
		}
		first = false
		if p[i] == '[' && i+1 < len(p) && p[i+1] == ':' {
			if end := strings.Index(p[i+2:], ":]"); end >= 0 {
				if classMatch(p[i+2:i+2+end], c) {
					match = true
				}
				i += end + 4
				continue
			}
		}
		lo := p[i]
		if lo == '\\' && i+1 < len(p) {
			i++
			lo = p[i]
		}
		i++
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi = p[i+1]
			if hi == '\\' && i+2 < len(p) {
				hi = p[i+2]
				i++
			}
			i += 2
		}
		if lo <= c && c <= hi {
			match = true
		}
	}
	return false, 0
}

func classMatch(name string, c byte) bool {
	switch name {
	case "alpha":
		return (c|0x20) >= 'a' && (c|0x20) <= 'z'
	case "digit":
		return c >= '0' && c <= '9'
	case "alnum":
		return (c|0x20) >= 'a' && (c|0x20) <= 'z' || c >= '0' && c <= '9'
	case "upper":
		return c >= 'A' && c <= 'Z'
	case "lower":
		return c >= 'a' && c <= 'z'
	case "space":
		return isSpace(c)
	case "blank":
		return c == ' ' || c == '\t'
	case "punct":
		return c > ' ' && c < 0x7f && !((c|0x20) >= 'a' && (c|0x20) <= 'z' || c >= '0' && c <= '9')
	case "print":
		return c >= ' ' && c < 0x7f
	case "graph":
		return c > ' ' && c < 0x7f
	case "cntrl":
		return c < ' ' || c == 0x7f
	case "xdigit":
		return c >= '0' && c <= '9' || (c|0x20) >= 'a' && (c|0x20) <= 'f'
	}
	return false
}
