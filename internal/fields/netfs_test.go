// SPDX-License-Identifier: Apache-2.0

package fields

import "testing"

func TestNetfsFieldsRegistered(t *testing.T) {
	for _, name := range []string{"fd.mnt.type", "fd.mnt.point", "fd.mnt.source", "fd.mnt.isnet"} {
		f, ok := Default.Field(name)
		if !ok {
			t.Errorf("%s not registered", name)
			continue
		}
		ex, err := Compile(name, "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var v Value
		if ex.Extract(&Ctx{}, &v) {
			t.Errorf("%s has a value without an fd", name)
		}
		if got, _, n, ok := Lookup(name + "=x"); !ok || got != name || n != len(name) {
			t.Errorf("Lookup(%s) = %s %d %v (kind %v)", name, got, n, ok, f.Kind)
		}
	}
}
