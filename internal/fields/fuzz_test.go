// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/event"
)

// FuzzEventRender decodes arbitrary records, runs them through the state
// machine and extracts every registered field: nothing may panic.
func FuzzEventRender(f *testing.F) {
	var b event.Builder
	f.Add(append([]byte(nil), b.Reset(newestType(f, "read", false)).I64(5).Raw([]byte("hello")).Bytes(1, 42)...))
	f.Add(append([]byte(nil), b.Reset(newestType(f, "connect", false)).I64(0).Raw([]byte{2, 1, 2, 3, 4, 0, 1, 5, 6, 7, 8, 0, 2}).Bytes(2, 42)...))
	f.Add(append([]byte(nil), b.Reset(newestType(f, "poll", true)).Raw([]byte{1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0}).I64(0).Bytes(3, 42)...))
	var exts []Extractor
	for _, c := range Default.Classes() {
		for i := range c.Fields {
			fl := &c.Fields[i]
			arg := ""
			if fl.Flags&FlagArgRequired != 0 {
				arg = "fd"
				if fl.Flags&FlagArgIndex != 0 && fl.Flags&FlagArgKey == 0 {
					arg = "0"
				}
			}
			if e, err := Compile(fl.Name, arg); err == nil {
				exts = append(exts, e)
			}
		}
	}
	for _, s := range []string{"evt.arg[0]", "evt.arg[3]", "proc.aname[2]", "evt.rawarg.res"} {
		if e, err := CompileToken(s); err == nil {
			exts = append(exts, e)
		}
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		var ev event.Event
		if err := ev.Decode(rec); err != nil {
			return
		}
		st := testState()
		c := NewCtx(st)
		for _, buf := range []BufFormat{BufNormal, BufHexASCII} {
			c.Buf = buf
			st.Update(&ev)
			c.Ev = &ev
			_ = c.AppendArgs(nil)
			var v Value
			for _, e := range exts {
				if e.Extract(c, &v) {
					_ = AppendText(nil, c, e, &v)
				}
			}
		}
	})
}
