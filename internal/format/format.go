// SPDX-License-Identifier: Apache-2.0

package format

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/ferret-observability/ferret/internal/fields"
)

// Default line formats.
const (
	// Default is the event line on a non-terminal.
	Default = "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"
	// DefaultTTY is the coloured line used when stdout is a terminal.
	DefaultTTY = "*%evt.num %evt.outputtime %evt.cpu \x1b[01;32m%proc.name\x1b[00m (\x1b[01;36m%proc.pid\x1b[00m.%thread.tid) %evt.dir \x1b[01;34m%evt.type\x1b[00m %evt.info"
	// Container is the -pc line.
	Container = "*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"
	// Kubernetes is the -pk line.
	Kubernetes = "*%evt.num %evt.outputtime %evt.cpu %k8s.pod.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"
	// Mesos is the -pm line.
	Mesos = "*%evt.num %evt.outputtime %evt.cpu %mesos.task.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"
)

// Registry is what a format needs from the field registry.
type Registry interface {
	Lookup(s string) (name, arg string, consumed int, ok bool)
	Compile(name, arg string) (fields.Extractor, error)
	// Field returns a field's metadata; fields it does not know are
	// compiled with the argument Lookup found.
	Field(name string) (*fields.Field, bool)
}

// maxWidth bounds %N field widths.
const maxWidth = 1 << 16

type item struct {
	lit string // literal text before the field (may be empty)
	tok string // field token as written ("proc.aname[1]"), "" for a trailing literal
	ext fields.Extractor
	// printed is ext when it renders its own text (fields.Printed).
	printed fields.Printed
	width   int // 0 = natural width
	// layout: the value may hold a payload whose -A rendering keeps its
	// line feeds; every other control byte of a value prints as '.'.
	layout bool
}

// Format is a compiled -p format string. A Format is not safe for
// concurrent use: it keeps reusable buffers.
type Format struct {
	src   string
	items []item
	// optional is true when the format starts with '*': missing values print
	// as <NA> (text) or null (JSON) instead of suppressing the line.
	optional bool
	// json: item indexes ordered by key, duplicates removed.
	keys []int

	vals []fields.Value
	ok   []bool
	tmp  []byte
	err  error // a field sysdig cannot render stopped the output
}

// Compile parses a format string (escape sequences already translated)
// against reg (fields.Default when nil). Errors carry sysdig's messages.
func Compile(s string, reg Registry) (*Format, error) {
	if reg == nil {
		reg = fields.Default
	}
	f := &Format{src: s}
	rest := s
	if len(rest) > 0 && rest[0] == '*' {
		f.optional = true
		rest = rest[1:]
	}
	lit := make([]byte, 0, 16)
	for i := 0; i < len(rest); {
		c := rest[i]
		if c != '%' {
			lit = append(lit, c)
			i++
			continue
		}
		if i+1 >= len(rest) {
			return nil, fmt.Errorf("invalid formatting syntax: formatting cannot end with a %%")
		}
		j := i + 1
		width := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			if width < maxWidth {
				width = width*10 + int(rest[j]-'0')
			}
			j++
		}
		width = min(width, maxWidth)
		if j == len(rest) {
			return nil, fmt.Errorf("invalid formatting syntax: formatting cannot end with a number")
		}
		// sysdig's messages name the format from the field on, after
		// the width
		name, arg, n, ok := reg.Lookup(rest[j:])
		if !ok {
			return nil, fmt.Errorf("invalid formatting token %s", rest[j:])
		}
		tok := rest[j : j+n]
		fd, known := reg.Field(name)
		if known {
			// sysdig's checks, with its messages naming the rest of the
			// format from the field on.
			if fd.Flags&fields.FlagNoFormat != 0 {
				return nil, fmt.Errorf("%s is filter only and cannot be used as a display field", rest[j:])
			}
			a, m, msg := fields.FormatArg(fd, rest[j:])
			if msg != "" {
				return nil, errors.New(msg)
			}
			arg, n, tok = a, m, rest[j:j+m]
			if m == 0 {
				// the field without argument, and its name shown
				// again as literal text; the field covered no text,
				// so its -j key is empty
				tok = ""
			}
		}
		var ext fields.Extractor
		var err error
		if known && arg == "" && fd.Flags&fields.FlagArgRequired != 0 {
			// an argument the field's syntax accepts as empty names
			// nothing: no value
			ext = fields.None
		} else {
			ext, err = reg.Compile(name, arg)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid formatting token %s", rest[j:])
		}
		printed, _ := ext.(fields.Printed)
		f.items = append(f.items, item{lit: string(lit), tok: tok, ext: ext, printed: printed, width: width, layout: fields.KeepsLineBreaks(name)})
		lit = lit[:0]
		i = j + n
	}
	if len(lit) > 0 {
		f.items = append(f.items, item{lit: string(lit)})
	}
	for i := range f.items {
		if f.items[i].ext != nil {
			f.keys = append(f.keys, i)
		}
	}
	sort.SliceStable(f.keys, func(a, b int) bool { return f.items[f.keys[a]].tok < f.items[f.keys[b]].tok })
	// A repeated key shows the value of its last occurrence (sysdig
	// assigns each token's value to its key in turn).
	out := f.keys[:0]
	for i, k := range f.keys {
		if i+1 < len(f.keys) && f.items[k].tok == f.items[f.keys[i+1]].tok {
			continue
		}
		out = append(out, k)
	}
	f.keys = out
	f.vals = make([]fields.Value, len(f.items))
	f.ok = make([]bool, len(f.items))
	return f, nil
}

// Err returns the error that stopped the output: a field sysdig cannot
// render (sysdig ends the run with it).
func (f *Format) Err() error { return f.err }

// String returns the format's source text.
func (f *Format) String() string { return f.src }

// Optional reports whether the format starts with '*'.
func (f *Format) Optional() bool { return f.optional }

// extract fills f.vals; false when a value is missing and the format is not
// optional (the event is not printed).
func (f *Format) extract(c *fields.Ctx, json bool) bool {
	for i := range f.items {
		it := &f.items[i]
		if it.ext == nil {
			continue
		}
		f.ok[i] = it.ext.Extract(c, &f.vals[i])
		if p := it.printed; p != nil && f.ok[i] {
			var err error
			f.ok[i], err = p.Print(c, &f.vals[i], json)
			if err != nil {
				f.err = err
				return false
			}
		}
		if !f.ok[i] && !f.optional {
			return false
		}
	}
	return true
}

// Append appends the text rendering of the current event (without a
// trailing newline). It reports false, leaving buf unchanged, when a field
// has no value and the format does not start with '*'.
func (f *Format) Append(buf []byte, c *fields.Ctx) ([]byte, bool) {
	if !f.extract(c, false) {
		return buf, false
	}
	for i := range f.items {
		it := &f.items[i]
		buf = append(buf, it.lit...)
		if it.ext == nil {
			continue
		}
		start := len(buf)
		if f.ok[i] {
			buf = fields.AppendText(buf, c, it.ext, &f.vals[i])
			if !fields.Plain(buf[start:]) {
				// Values print as C strings (up to a NUL), as in sysdig.
				if j := bytes.IndexByte(buf[start:], 0); j >= 0 {
					buf = buf[:start+j]
				}
				fields.Sanitize(buf[start:], it.layout || f.vals[i].Kind == fields.KindBytes)
			}
		} else {
			buf = append(buf, "<NA>"...)
		}
		if it.width > 0 {
			buf = fitWidth(buf, start, it.width)
		}
	}
	return buf, true
}

// fitWidth pads or cuts buf[start:] to exactly w bytes.
func fitWidth(buf []byte, start, w int) []byte {
	n := len(buf) - start
	if n > w {
		return buf[:start+w]
	}
	for ; n < w; n++ {
		buf = append(buf, ' ')
	}
	return buf
}

// AppendJSON appends the current event as one JSON object with sorted keys
// (without a trailing newline). It reports false when the event is not
// printed (see Append).
func (f *Format) AppendJSON(buf []byte, c *fields.Ctx) ([]byte, bool) {
	if !f.extract(c, true) {
		return buf, false
	}
	buf = append(buf, '{')
	for n, i := range f.keys {
		it := &f.items[i]
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = AppendJSONString(buf, it.tok)
		buf = append(buf, ':')
		if !f.ok[i] {
			buf = append(buf, "null"...)
			continue
		}
		buf = f.appendJSONValue(buf, c, it, &f.vals[i])
	}
	return append(buf, '}'), true
}

func (f *Format) appendJSONValue(buf []byte, c *fields.Ctx, it *item, v *fields.Value) []byte {
	switch v.Kind {
	case fields.KindInt64:
		return strconv.AppendInt(buf, v.Int, 10)
	case fields.KindUint64, fields.KindRelTime, fields.KindAbsTime, fields.KindPort, fields.KindSockFamily:
		return strconv.AppendUint(buf, v.Uint, 10)
	case fields.KindBool:
		if v.Uint != 0 || v.Int != 0 {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case fields.KindDouble:
		return appendJSONFloat(buf, v.Float)
	}
	f.tmp = fields.AppendText(f.tmp[:0], c, it.ext, v)
	if j := bytes.IndexByte(f.tmp, 0); j >= 0 {
		f.tmp = f.tmp[:j] // a C string, as in text output
	}
	return AppendJSONBytes(buf, f.tmp)
}

func appendJSONFloat(buf []byte, x float64) []byte {
	if x == float64(int64(x)) && x < 1e15 && x > -1e15 {
		return strconv.AppendInt(buf, int64(x), 10)
	}
	return strconv.AppendFloat(buf, x, 'g', 17, 64)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string literal, escaping like
// sysdig's JSON writer: quote, backslash and the short control escapes;
// other control characters and every non-ASCII character as \uXXXX
// (UTF-8 decoded leniently, invalid sequences as \ufffd, characters
// outside the BMP as surrogate pairs).
func AppendJSONString(buf []byte, s string) []byte { return appendJSONStr(buf, s) }

// JSONText is a string that encoding/json writes as AppendJSONString does
// (as sysdig's jsoncpp escapes it: control bytes and non-ASCII characters
// as \uXXXX), so that no byte that could drive a terminal is printed.
type JSONText string

// MarshalJSON implements json.Marshaler.
func (s JSONText) MarshalJSON() ([]byte, error) { return AppendJSONString(nil, string(s)), nil }

// AppendJSONBytes is AppendJSONString for a byte slice.
func AppendJSONBytes(buf []byte, s []byte) []byte { return appendJSONStr(buf, s) }

func appendJSONStr[T string | []byte](buf []byte, s T) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			buf = append(buf, '\\', '"')
			continue
		case '\\':
			buf = append(buf, '\\', '\\')
			continue
		case '\b':
			buf = append(buf, '\\', 'b')
			continue
		case '\f':
			buf = append(buf, '\\', 'f')
			continue
		case '\n':
			buf = append(buf, '\\', 'n')
			continue
		case '\r':
			buf = append(buf, '\\', 'r')
			continue
		case '\t':
			buf = append(buf, '\\', 't')
			continue
		}
		if c >= 0x20 && c < 0x80 {
			buf = append(buf, c)
			continue
		}
		cp, n := decodeLenient(s, i)
		i += n - 1
		if cp < 0x10000 {
			buf = appendU16(buf, cp)
		} else {
			cp -= 0x10000
			buf = appendU16(buf, (cp>>10)+0xD800)
			buf = appendU16(buf, (cp&0x3FF)+0xDC00)
		}
	}
	return append(buf, '"')
}

func appendU16(buf []byte, v uint32) []byte {
	return append(buf, '\\', 'u', hexDigits[v>>12&15], hexDigits[v>>8&15], hexDigits[v>>4&15], hexDigits[v&15])
}

// decodeLenient decodes one character at s[i] the way sysdig's JSON writer
// does: lead bytes decide the length, continuation bytes are not checked,
// overlong forms, surrogates and truncated sequences give U+FFFD.
func decodeLenient[T string | []byte](s T, i int) (uint32, int) {
	const repl = 0xFFFD
	b := uint32(s[i])
	left := len(s) - i
	switch {
	case b < 0x80:
		return b, 1
	case b < 0xE0:
		if left < 2 {
			return repl, 1
		}
		cp := (b&0x1F)<<6 | uint32(s[i+1])&0x3F
		if cp < 0x80 {
			return repl, 2
		}
		return cp, 2
	case b < 0xF0:
		if left < 3 {
			return repl, 1
		}
		cp := (b&0x0F)<<12 | (uint32(s[i+1])&0x3F)<<6 | uint32(s[i+2])&0x3F
		if (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x800 {
			return repl, 3
		}
		return cp, 3
	case b < 0xF8:
		if left < 4 {
			return repl, 1
		}
		cp := (b&0x07)<<18 | (uint32(s[i+1])&0x3F)<<12 | (uint32(s[i+2])&0x3F)<<6 | uint32(s[i+3])&0x3F
		if cp < 0x10000 {
			return repl, 4
		}
		return cp, 4
	}
	return repl, 1
}
