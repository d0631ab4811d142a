// SPDX-License-Identifier: Apache-2.0

package app

import (
	"os"
	"testing"
)

// TestDevNullIsNotTerminal guards the output path: /dev/null is a character
// device, but output sent there must be buffered and uncoloured like a pipe.
func TestDevNullIsNotTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Fatal("/dev/null taken for a terminal")
	}
}
