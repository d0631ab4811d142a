// SPDX-License-Identifier: Apache-2.0

// Package syntax is the one filter grammar of ferret: sysdig 0.29.3's filter
// scanner and parser, with sysdig's error messages and positions. It turns
// the text into a tree (Expr: groups of items, each a check or a nested
// group, joined by and/or with "not" OR-ed into the operator; mixing "and"
// and "or" in one group is an error) and knows nothing of fields: a
// compiler validates fields and values while the scanner reads them through
// Hooks, so that errors come out in scan order. Eval runs a group with the
// language's left-to-right semantics over a caller's check evaluation.
//
// internal/filter compiles the tree against the field registry for events;
// internal/netacct compiles it for the flow keys of ferret net, so both
// read one language the same way.
//
// syntax is a leaf (layer 0): it imports the standard library only.
package syntax
