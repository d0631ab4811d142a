// SPDX-License-Identifier: Apache-2.0

package netacct

import "testing"

func TestCgroup2Mount(t *testing.T) {
	for _, tc := range []struct{ name, mountinfo, want string }{
		{"hybrid", `25 1 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
31 25 0:27 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
`, "/sys/fs/cgroup/unified"},
		{"unified", "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw\n", "/sys/fs/cgroup"},
		// a container's view of a sub-tree is not the root
		{"subtree only", "40 30 0:30 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n", ""},
		{"escaped", `41 30 0:30 / /mnt/cg\040two rw - cgroup2 cgroup2 rw` + "\n", "/mnt/cg two"},
		{"none", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", ""},
	} {
		if got := cgroup2Mount(tc.mountinfo); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
