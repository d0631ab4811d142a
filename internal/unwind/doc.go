// SPDX-License-Identifier: Apache-2.0

// Package unwind turns a copy of a task's user registers and stack, taken
// at a system call (event.RawUserStack), into the call stack strace -k
// prints: each frame's mapping (from /proc/PID/maps, read by ReadMaps),
// its file offset and the symbol before it. For a process that has
// exited, ObjectMaps rebuilds the mappings from the objects the dynamic
// linker had loaded (event.RawLinkMap). Frames are found with the
// call frame information of each binary's .eh_frame (parsed with
// go-delve's dwarf/frame, once per file, cached; as libdw, only in
// binaries with a PT_GNU_EH_FRAME segment), else with the frame pointer;
// symbols come from .symtab, else .dynsym (debug/elf): the nearest at or
// before the address, the first in the table of those at one address.
// Unwinding stops where the CFI says the return address is undefined (the
// outermost frame), where a needed word lies outside the copied stack, or
// after a frame whose address is in no mapping.
//
// unwind is a leaf: it imports the standard library and delve's dwarf/frame
// only.
package unwind
