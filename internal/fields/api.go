// SPDX-License-Identifier: Apache-2.0

package fields

// This file is the contract between the field registry and its users
// (filter, format, chisel, view, tui). Implementations live beside it.

// Kind is the type of a field's value, as sysdig's -lv lists it.
type Kind uint8

// Value kinds.
const (
	KindString     Kind = iota // CHARBUF, FSPATH, ...
	KindInt64                  // INT8..INT64, ERRNO, FD, PID
	KindUint64                 // UINT8..UINT64, flags
	KindBool                   // BOOL
	KindRelTime                // durations in ns
	KindAbsTime                // ns since epoch
	KindIPAddr                 // 4 or 16 bytes in Bytes
	KindIPNet                  // address+prefix in Bytes
	KindBytes                  // BYTEBUF: evt.buffer, evt.arg.data
	KindDouble                 // DOUBLE
	KindPort                   // PORT
	KindL4Proto                // L4PROTO: prints tcp/udp/...
	KindSockFamily             // SOCKFAMILY
)

// Value is one extracted field value. Which members are set depends on Kind:
// Str for strings (and always for the text rendering when Text is set),
// Int for signed kinds, Uint for unsigned kinds and times, Float for doubles,
// Bytes for buffers and IP addresses. Values are reused between events by the
// caller: an extractor must overwrite every member it relies on.
type Value struct {
	Kind  Kind
	Int   int64
	Uint  uint64
	Float float64
	Str   string
	Bytes []byte
}

// Extractor extracts one compiled field (name plus argument) from the
// current event. Extract reports false when the field has no value for the
// event (sysdig's "missing value": <NA> with '*', line skipped otherwise,
// every comparison false in filters).
type Extractor interface {
	Extract(c *Ctx, v *Value) bool
}

// Texter is implemented by extractors whose text rendering is not the plain
// rendering of their Value (e.g. evt.arg.* show "4(<u>)", evt.time shows a
// clock time while its JSON value is the integer timestamp).
type Texter interface {
	Text(c *Ctx, v *Value, buf []byte) []byte
}

// Printed is implemented by extractors whose value in -p output is not
// the one filters and chisels see: sysdig renders it through the type the
// field was declared with. Print turns v, as Extract left it, into the
// printed value (json tells -j output), reports false when sysdig prints
// no value, and returns the error sysdig stops the run with when it cannot
// render the type at all.
type Printed interface {
	Print(c *Ctx, v *Value, json bool) (bool, error)
}

// Multi is implemented by extractors that can have several values for one
// event (proc.aname or proc.apid without an index: every ancestor). A filter
// comparison holds when it holds for any value; Each calls fn with each
// value until fn returns true, and reports whether one did.
type Multi interface {
	Each(c *Ctx, v *Value, fn func(*Value) bool) bool
}
