// SPDX-License-Identifier: Apache-2.0

package app

import (
	"github.com/ferret-observability/ferret/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// containerFormats are the container and Kubernetes fields compared with
// sysdig on captures that carry container metadata.
var containerFormats = []string{
	"*%evt.num %container.id %container.name %container.type %container.image %container.image.id",
	"*%evt.num %container.image.repository %container.image.tag %container.image.digest %container.privileged",
	"*%evt.num %container.mounts",
	"*%evt.num %container.mount[0] %container.mount.source[1] %container.mount.dest[2] %container.mount.mode[0] %container.mount.rdwr[1] %container.mount.propagation[0]",
	"*%evt.num %container.mount.source[/etc/hosts] %container.mount.source[/etc/*] %container.mount[/var/run/*] %container.mount[/var/lib/kubelet/pods/*] %container.mount.dest[/var/lib/*] %container.mount.dest[/etc/hosts]",
	"*%evt.num %container.healthcheck %container.liveness_probe %container.readiness_probe",
	"*%evt.num %k8s.pod.name %k8s.ns.name %k8s.pod.id %k8s.pod.labels",
	"%evt.num %container.name %proc.name",
}

// TestContainerReplayAgainstSysdig replays the real Kubernetes captures of
// the reference material (read in place) with ferret and with the
// installed sysdig 0.29.3 and compares the container fields, the -pc
// lines, container filters and lscontainers.
func TestContainerReplayAgainstSysdig(t *testing.T) {
	sysdig, err := exec.LookPath("sysdig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sysdig not installed")
		}
		t.Skip("sysdig not installed")
	}
	files, _ := filepath.Glob(filepath.Join(testutil.TracesExtra(t), "*.scap"))
	if len(files) == 0 {
		t.Skip("no extra traces")
	}
	for _, f := range files {
		name := filepath.Base(f)
		var cases [][]string
		for _, fm := range containerFormats {
			cases = append(cases, []string{"-r", f, "-p", fm})
		}
		cases = append(cases,
			[]string{"-r", f, "-pc", "evt.num<400 and not evt.type in (clone, fork, vfork)"},
			[]string{"-r", f, "-p", "%evt.num %proc.name", "container.name contains ticket-server and evt.type=switch"},
			[]string{"-r", f, "-p", "%evt.num %proc.name", "container.id!=host and evt.type=writev"},
			[]string{"-r", f, "-p", "%evt.num %evt.type", "evt.type=container"},
		)
		for _, args := range cases {
			want, err := exec.Command(sysdig, args...).Output()
			if err != nil {
				t.Fatalf("%s: sysdig %q: %v", name, args, err)
			}
			got, rc := runCLI(t, ".", args)
			if rc != 0 {
				t.Fatalf("%s: ferret %q: rc %d: %s", name, args, rc, got)
			}
			if got != string(want) {
				t.Errorf("%s %q differs from sysdig: %s", name, args[2:], firstDiff(got, string(want)))
			}
		}
		// lscontainers: the same table; sysdig's row order follows a hash
		// table, ferret's the container id.
		want, err := exec.Command(sysdig, "-r", f, "-c", "lscontainers").Output()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := runCLI(t, ".", []string{"-r", f, "-c", "lscontainers"})
		if sortLines(got) != sortLines(string(want)) {
			t.Errorf("%s: lscontainers differs:\n%s\nsysdig:\n%s", name, got, want)
		}
	}
}

func sortLines(s string) string {
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}
