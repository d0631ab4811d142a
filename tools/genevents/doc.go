// SPDX-License-Identifier: Apache-2.0

// Command genevents turns the event specification (internal/event/spec/events.json)
// into the Go event table with a named constant per event type
// (internal/event/table_gen.go: EvOpenE, EvOpenX, ...) and the C header of event
// ids and syscall routing used by the BPF probe (bpf/include/events_gen.h,
// FE_OPEN_E, ...). It also keeps the specification itself one event (and one
// syscall route) per line, rewriting it when it is not, so that diffs read.
//
// The specification is the single source of truth for event ids, names,
// categories, flags and parameters; nothing else is edited by hand.
package main
