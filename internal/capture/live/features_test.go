// SPDX-License-Identifier: Apache-2.0

package live

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestProbeKernel: this machine's kernel has all three features the probe
// needs, and the tp_btf probe finds it the way loading the probe does.
func TestProbeKernel(t *testing.T) {
	testutil.RequireRoot(t)
	f := ProbeKernel()
	for name, err := range map[string]error{"BTF": f.BTF, "ring buffer": f.RingBuf, "tp_btf": f.TpBTF} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
