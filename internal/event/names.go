// SPDX-License-Identifier: Apache-2.0

package event

import "strings"

// FlagsString names the bits of v that names define, in table order,
// joined by "|"; names with a zero value never match. It returns "" when no
// name matches.
func FlagsString(v uint64, names []FlagName) string {
	var parts []string
	for _, f := range names {
		if f.Value != 0 && v&uint64(f.Value) == uint64(f.Value) {
			parts = append(parts, f.Name)
		}
	}
	return strings.Join(parts, "|")
}
