// SPDX-License-Identifier: Apache-2.0

// Command genevents turns the event specification (internal/event/spec/events.json)
// into the Go event table (internal/event/table_gen.go) and the C header of event
// ids and syscall routing used by the BPF probe (bpf/include/events_gen.h).
//
// The specification is the single source of truth for event ids, names,
// categories, flags and parameters; nothing else is edited by hand.
package main
