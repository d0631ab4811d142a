// SPDX-License-Identifier: Apache-2.0

package getopt

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSize parses a byte count with an optional K, M or G suffix (powers
// of 1024).
func ParseSize(s string) (int, error) {
	mul := 1
	switch {
	case strings.HasSuffix(s, "K"), strings.HasSuffix(s, "k"):
		mul, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mul, s = 1<<20, s[:len(s)-1]
	case strings.HasSuffix(s, "G"), strings.HasSuffix(s, "g"):
		mul, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid size")
	}
	return n * mul, nil
}
