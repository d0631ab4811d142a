// SPDX-License-Identifier: Apache-2.0

package view

import (
	"encoding/json"
	"testing"
)

// FuzzFromInfo feeds arbitrary view_info tables (as JSON) to the
// definition reader and the table compiler: errors, never panics.
func FuzzFromInfo(f *testing.F) {
	for _, d := range Builtin()[:6] {
		b, _ := json.Marshal(d)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x","columns":[{"field":"proc.pid","is_key":true},{"field":"evt.count","aggregation":"SUM"}]}`))
	f.Add([]byte(`{"id":"x","view_type":"list","columns":[{"field":"evt.type","is_key":true}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var info map[string]any
		if json.Unmarshal(b, &info) != nil {
			return
		}
		d, err := FromInfo(info, "fuzz")
		if err != nil {
			return
		}
		if tb, err := NewTable(d.WithTag("default"), Options{}); err == nil {
			tb.Sample()
			tb.Info(d, "")
		}
	})
}
