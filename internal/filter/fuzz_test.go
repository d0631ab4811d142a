// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/fields"
)

// FuzzCompile compiles against the built-in fields and evaluates on a
// read event over a connected socket: nothing may panic.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`evt.type=open`, `evt.num in (1,2,3)`, `fd.net=10.0.0.0/8`, `fd.ip=::1`,
		`fd.name pmatch (/etc, /usr)`, `fd.name glob /etc/[a-z]*`, `evt.around[1]=1`,
		`proc.aname=sshd`, `evt.failed=true`, `fd.sport=http`, `evt.rawarg.res<0`,
		`evt.num contains 1`, `not (evt.num=1 or evt.num=2)`,
	} {
		f.Add(s)
	}
	var ctx *fields.Ctx
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := Compile(s, fields.Default)
		if err != nil {
			return
		}
		if ctx == nil {
			ctx = sockCtx(t, event.FDIPv4Sock, "10.0.0.79", "1.2.3.4", 43210, 80)
		}
		flt.Match(ctx)
		_ = KernelHints(flt)
		_ = flt.Fields()
	})
}

func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"*hosts", "/etc/hosts"}, {"[a-", "a"}, {"[[:alpha:]]*", "x"}, {`\`, `\`}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 64 || len(s) > 256 {
			return
		}
		glob(pat, s)
	})
}
