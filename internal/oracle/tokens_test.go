// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"bytes"
	"os/exec"
	"sync"
	"testing"

	"github.com/ferret-observability/ferret/internal/testutil"
)

// formatTokens are -p formats and filters that exercise each field's own
// argument syntax: positions, keys after a dot, keys in brackets, malformed
// and missing arguments, and fields sysdig refuses in formats. (sysdig
// stops with "wrong event type" on evt.rawarg of a parameter that some
// events lack, so evt.rawarg.res stands for the dot form.)
var formatTokens = []string{
	"*A%evt.arg[0]B", "*A%evt.arg[ 1]B", "*A%evt.arg[+1]B", "*A%evt.arg[-1]B", "*A%evt.arg[abc]B",
	"*A%evt.arg[1 ]B", "*A%evt.arg[0x1]B", "*A%evt.arg[B", "*A%evt.arg.fdB", "*A%evt.arg.xB",
	"*A%evt.arg.name.xB", "*A%evt.argB", "*A%evt.rawarg.resB", "*A%evt.rawarg[0]B", "*A%evt.rawarg.xB",
	"*A%evt.around[5]B", "*A%evt.around.xB", "*A%evt.around[abc]B", "*A%evt.aroundB",
	"*A%evt.type.is.openB", "*A%evt.type.is.|", "*A%evt.type.is..x|", "*A%evt.type.is[0]B", "*A%evt.type.isB",
	"*A%thread.cgroup.cpuacct|", "*A%thread.cgroup.|", "*A%thread.cgroup.a.b.|", "*A%thread.cgroup[0]B",
	"*A%k8s.pod.label.app|", "*A%k8s.pod.label.|", "*A%k8s.pod.label[0]B", "*A%k8s.pod.label.app.kubernetes.io/nameB",
	"*A%k8s.pod.label.a,b|", "*A%mesos.task.label.a.b/cB",
	"*A%container.mount[0]B", "*A%container.mount[]B", "*A%container.mount.xB", "*A%container.mount[0|",
	"*A%container.mount.source[0]B", "*A%container.mount.source.xB",
	"*A%proc.aname[1]B", "*A%proc.aname[abc]B", "*A%proc.aname[-2]B", "*A%proc.aname[ 1]B", "*A%proc.anameB",
	"*A%proc.aname", "*A%proc.apid", "*A%proc.aname x", "*A%proc.apid.x",
	"*A%proc.aname[2B", "*A%proc.aname.xB", "*A%proc.apid[x]B", "*A%proc.apid[1]x]B",
	"*A%span.tag[abc]B", "*A%span.tag.xB", "*A%span.arg.xB", "*A%span.enterarg[x]B", "*A%span.tagB",
	"*A%span.rawtimeB", "*A%span.rawparenttime", "*A%span.arg.", "*A%span.arg. B", "*A%span.duration.fortag", "*A%span.duration.fortag[1]B",
	"*A%span.idtag.x", "*A%span.idtag", "*A%span.countxB", "*A%span.count.fortag[x]", "*A%span.childcount.fortag.x B",
	"*A%evtin.span.tag[0]B", "*A%evtin.span.tag.fdB", "*A%evtin.span.tag.xB", "*A%evtin.span.arg[abc]B",
	"*A%fd.portB", "*A%fd.ip", "*A%fd.cnet[0]", "*A%fd.proto", "*A%fd.sportB",
	"*A%proc.is_container_liveness_probe %proc.is_container_readiness_probe",
	"*%evt.num %evt.count %evt.count.exit %evt.count.error %evt.count.error.file %evt.count.error.net",
}

var filterTokens = []string{
	"thread.cgroup[0]=x", "container.mount.x=y", "evt.around.x=1", "evt.type.is[0]=1", "evt.type.is.=1",
	"proc.aname[abc]=x", "proc.aname=sysdig", "k8s.pod.label.app.kubernetes.io=x", "thread.cgroup.cpu.x=y", "evtin.span.tag.x=1", "evt.arg[-1]=3", "evt.arg.x=3",
	"evt.rawarg[0]=1", "span.tag.x=1",
}

// TestFieldArgumentsLikeSysdig compares exit status, output and error text
// of both tools for each token, on a reference trace.
func TestFieldArgumentsLikeSysdig(t *testing.T) {
	testutil.RequireTool(t, "sysdig")
	sysdig, _ := exec.LookPath("sysdig")
	ferret := testutil.FerretBinary(t)
	trace := testutil.Reference(t, "traces", "sample.scap")
	run := func(bin string, args ...string) (string, int) {
		cmd := exec.Command(bin, append([]string{"-r", trace, "-n", "60"}, args...)...)
		cmd.Env = append(cmd.Environ(), "TZ=UTC")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		st := 0
		if ee, ok := err.(*exec.ExitError); ok {
			st = ee.ExitCode()
		} else if err != nil {
			t.Error(err) // not Fatal: called from the checking goroutines
		}
		return out.String(), st
	}
	check := func(args ...string) {
		var got string
		var gs int
		done := make(chan struct{})
		go func() { got, gs = run(ferret, args...); close(done) }()
		want, ws := run(sysdig, args...)
		<-done
		if ws != gs || want != got {
			t.Errorf("%q: sysdig exit %d, ferret exit %d\nsysdig: %.300q\nferret: %.300q", args, ws, gs, want, got)
		}
	}
	var all [][]string
	for _, tok := range formatTokens {
		all = append(all, []string{"-p", tok})
	}
	for _, f := range filterTokens {
		all = append(all, []string{f})
	}
	next := make(chan []string)
	var wg sync.WaitGroup
	for w := 0; w < *flagJobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for args := range next {
				check(args...)
			}
		}()
	}
	for _, a := range all {
		next <- a
	}
	close(next)
	wg.Wait()
}
