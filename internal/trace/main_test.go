// SPDX-License-Identifier: Apache-2.0

package trace

import (
	"fmt"
	"os"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestMain keeps the descriptors the test binary inherited (flock(1)'s
// lock when the suite runs under it) from the traced commands: their
// opens then number from 3, whatever runs the tests, as the tests expect
// of both strace and ferret. TestLiveInheritedDescriptors hands its
// commands extra descriptors on purpose.
func TestMain(m *testing.M) {
	if err := testutil.CloseInheritedOnExec(); err != nil {
		fmt.Fprintln(os.Stderr, "trace tests:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
