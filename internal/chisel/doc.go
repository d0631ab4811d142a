// SPDX-License-Identifier: Apache-2.0

// Package chisel runs sysdig-compatible Lua chisels: script discovery over
// the chisel directories and the embedded built-in chisels, argument
// handling, the six callbacks, the chisel/evt/sysdig API tables, helper
// library loading through require, the -cl listing and -i descriptions.
//
// Use:
//
//	c, used, err := chisel.Load(name, operandsAfterName, chisel.Options{...})
//	// operandsAfterName[used:] are the filter words
//	err = c.Init()                 // on_init, before the source is opened
//	engine.New(src, opts, c).Loop() // c is an engine.Consumer and engine.Clock
//	c.Close()
//
// chisel.List and chisel.Info write the -cl and -i output. Errors meant for
// the user are *Error values whose text is the exact message to print
// (exit status 1).
//
// Search path, first match wins: $FERRET_CHISEL_DIR and $SYSDIG_CHISEL_DIR
// entries, ./chisels/, ~/.chisels/, then the scripts embedded from lua/.
// A file in a directory therefore overrides a built-in of the same name,
// and pointing FERRET_CHISEL_DIR at sysdig's chisel directory runs sysdig's
// own scripts (with their common.lua, dkjson.lua, ...). The built-ins use
// only ferret's helper libraries (ferret_*.lua), which are never listed.
//
// The Lua VM is gopher-lua (Lua 5.1) patched where chisels rely on LuaJIT
// behaviour: C printf semantics for string.format, the %g pattern class,
// pairs() visiting key 0 first, "%.14g" number rendering.
//
// Two extensions: chisel.sum_by(key_handles, value_handle [, scale]) keeps
// a sum per key tuple in Go for every event that reaches the chisel, and
// chisel.take_sums(h) hands it over as a Lua table (key: the tostring()
// renderings joined by "\1\1") and starts afresh. The top chisels use it
// instead of an on_event callback, which costs a Lua call per event.
// Likewise chisel.log_histogram(value_handle, buckets, decades) counts
// events into log10-scale buckets of a number field, handed over by
// chisel.take_histogram(h) as an array (the spectrogram uses it).
//
// chisel sits in layer 5: it may import engine, filter, format, fields,
// state and event, and must not import export, view, tui or app.
package chisel
