// SPDX-License-Identifier: Apache-2.0

package live

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrPrivilege is wrapped by errors from Open when the process lacks the
// capabilities needed to load BPF programs.
var ErrPrivilege = errors.New("live capture needs root or CAP_BPF+CAP_PERFMON")

const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// CheckPrivileges reports whether the process may load and attach the probe.
// The error wraps ErrPrivilege and says what is missing.
func CheckPrivileges() error {
	eff, err := effectiveCaps()
	if err != nil {
		if os.Geteuid() == 0 {
			return nil
		}
		return fmt.Errorf("%w: %v", ErrPrivilege, err)
	}
	has := func(c uint) bool { return eff&(1<<c) != 0 }
	if has(capSysAdmin) || (has(capBPF) && has(capPerfmon)) {
		return nil
	}
	var missing []string
	if !has(capBPF) {
		missing = append(missing, "CAP_BPF")
	}
	if !has(capPerfmon) {
		missing = append(missing, "CAP_PERFMON")
	}
	return fmt.Errorf("%w: euid %d lacks %s", ErrPrivilege, os.Geteuid(), strings.Join(missing, "+"))
}

func effectiveCaps() (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff in /proc/self/status")
}
