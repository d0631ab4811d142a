// SPDX-License-Identifier: Apache-2.0

package zabbix

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Item is one value for one item of one host. Clock is the value's Unix
// time in seconds; 0 leaves it to the server (time of arrival).
type Item struct {
	Host  string
	Key   string
	Value string
	Clock int64
}

const headerLen = 13

// maxResponse bounds what is read back from a server.
const maxResponse = 1 << 20

// AppendRequest appends a complete sender packet (header and JSON) for
// items to dst. When sent is not zero the request carries it as "clock"
// and "ns", as zabbix_sender does when values have timestamps.
func AppendRequest(dst []byte, items []Item, sent time.Time) []byte {
	start := len(dst)
	dst = append(dst, "ZBXD\x01\x00\x00\x00\x00\x00\x00\x00\x00"...)
	dst = append(dst, `{"request":"sender data","data":[`...)
	for i, it := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"host":`...)
		dst = appendString(dst, it.Host)
		dst = append(dst, `,"key":`...)
		dst = appendString(dst, it.Key)
		dst = append(dst, `,"value":`...)
		dst = appendString(dst, it.Value)
		if it.Clock != 0 {
			dst = append(dst, `,"clock":`...)
			dst = strconv.AppendInt(dst, it.Clock, 10)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if !sent.IsZero() {
		dst = append(dst, `,"clock":`...)
		dst = strconv.AppendInt(dst, sent.Unix(), 10)
		dst = append(dst, `,"ns":`...)
		dst = strconv.AppendInt(dst, int64(sent.Nanosecond()), 10)
	}
	dst = append(dst, '}')
	binary.LittleEndian.PutUint64(dst[start+5:], uint64(len(dst)-start-headerLen))
	return dst
}

// appendString writes s as a JSON string the way Zabbix does: quote,
// backslash and control characters escaped, everything else (including
// '/' and non-ASCII UTF-8) as is. Invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				dst = append(dst, c)
			}
		}
		i++
	}
	return append(dst, '"')
}

// Response is a server's answer to a sender request.
type Response struct {
	Response  string  // "success" or "failed"
	Info      string  // the raw info line
	Processed int     // values accepted
	Failed    int     // values rejected (unknown host or item, bad type...)
	Total     int     // values received
	Seconds   float64 // time the server spent
}

// ErrProtocol marks a malformed answer from the server.
var ErrProtocol = errors.New("zabbix: protocol error")

// ReadResponse reads one framed answer from r.
func ReadResponse(r io.Reader) (Response, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return Response{}, fmt.Errorf("zabbix: read response header: %w", err)
	}
	n, err := parseHeader(h[:])
	if err != nil {
		return Response{}, err
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return Response{}, fmt.Errorf("zabbix: read response body: %w", err)
	}
	return ParseResponse(body)
}

func parseHeader(h []byte) (int, error) {
	if string(h[:4]) != "ZBXD" {
		return 0, fmt.Errorf("%w: bad signature %q", ErrProtocol, h[:4])
	}
	if h[4]&0x02 != 0 {
		return 0, fmt.Errorf("%w: compressed answers are not supported", ErrProtocol)
	}
	n := binary.LittleEndian.Uint64(h[5:13])
	if h[4]&0x04 != 0 { // large packet: 4-byte lengths are in use differently
		return 0, fmt.Errorf("%w: large packets are not supported", ErrProtocol)
	}
	if n > maxResponse {
		return 0, fmt.Errorf("%w: answer of %d bytes is too large", ErrProtocol, n)
	}
	return int(n), nil
}

// ParseResponse decodes the JSON body of an answer, including the counts in
// its info line ("processed: 1; failed: 0; total: 1; seconds spent: 0.000055").
func ParseResponse(body []byte) (Response, error) {
	var raw struct {
		Response string `json:"response"`
		Info     string `json:"info"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return Response{}, fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	r := Response{Response: raw.Response, Info: raw.Info}
	if raw.Response != "success" {
		if raw.Info == "" {
			return r, fmt.Errorf("zabbix: server answered %q", raw.Response)
		}
		return r, fmt.Errorf("zabbix: server answered %q: %s", raw.Response, raw.Info)
	}
	seen := 0
	for _, part := range strings.Split(raw.Info, ";") {
		name, val, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		var err error
		switch name {
		case "processed":
			r.Processed, err = strconv.Atoi(val)
			seen++
		case "failed":
			r.Failed, err = strconv.Atoi(val)
			seen++
		case "total":
			r.Total, err = strconv.Atoi(val)
			seen++
		case "seconds spent":
			r.Seconds, err = strconv.ParseFloat(val, 64)
		}
		if err != nil {
			return r, fmt.Errorf("%w: info %q: %v", ErrProtocol, raw.Info, err)
		}
	}
	if seen < 3 {
		return r, fmt.Errorf("%w: info %q lacks processed/failed/total", ErrProtocol, raw.Info)
	}
	return r, nil
}
