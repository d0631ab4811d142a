// SPDX-License-Identifier: Apache-2.0

// Package filter implements sysdig 0.29.3's filter language: parsing (in
// internal/filter/syntax, with sysdig's error messages and positions; the
// tree's types are aliased here), compilation against the field
// registry, evaluation on the current event, thread-table mode for chisels
// and the analysis that lets a live source drop events in the kernel.
//
// Grammar (0.29.3 has no precedence between "and" and "or": mixing them in
// one group is an error; "not" is a flag OR-ed into the next item's
// operator, so "not not X" is "not X"):
//
//	filter   = group .
//	group    = item { boolop item } .
//	item     = { "not" } ( "(" group ")" | check ) .
//	boolop   = "and" | "or" .
//	check    = field cmpop value
//	         | field "exists"
//	         | field listop "(" value { "," value } ")" .
//	cmpop    = "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "icontains"
//	         | "startswith" | "endswith" | "glob" .
//	listop   = "in" | "pmatch" | "intersects" .
//	field    = { byte - ( blank | "(" | ")" | "!" | "=" | "<" | ">" ) } .
//	value    = bare | '"' quoted ( '"' | "'" ) | "'" quoted ( '"' | "'" ) .
//	bare     = { byte - ( blank | "(" | ")" ) } .          (also "," in lists)
//	escape   = "\\" | "\" '"' | "\x" hex hex .               (other "\c" kept)
//
// Keywords and operators need no surrounding blanks and keywords may even
// contain blanks ("a n d"), as in sysdig's scanner. "intersects" is never
// reached because "in" is tried first; "==" reads as "=" followed by a value
// starting with "=". A value that cannot be extracted for an event makes
// every comparison false, "!=" included.
//
// Values are validated at compile time: evt.type names against the event
// and syscall tables, booleans (true/false), decimal numbers, IPv4/IPv6
// addresses, IPv4 networks, ports (numbers or service names).
//
// API: Parse gives the syntax tree (*Expr) without consulting fields;
// Compile validates against a fields.Registry and returns a *Filter whose
// Match evaluates the current event of a fields.Ctx without allocating.
// Some operators are only rejected while evaluating (as in sysdig): Match
// then returns false and Err reports the message. ThreadTable compiles for
// chisels' get_thread_table (only thread, process, fd, user, group and
// container fields). KernelHints derives the event types, pids, tids and
// comm names an event needs to possibly match, for in-kernel dropping;
// Fields and UsesOnly describe which fields a filter reads.
//
// fd.ip, fd.net, fd.port and fd.proto compare both ends of the event's
// socket as stored in the fd table ('!=': neither end equals), proc.aname
// and proc.apid without index compare every ancestor (any may match),
// evt.around[T]=D keeps events within D ms of timestamp T.
//
// filter is a layer-3 package: it imports internal/fields, internal/event
// and its syntax subpackage (and the standard library) only. It must not import format, engine,
// chisel or anything above, nor any capture package.
package filter
