// SPDX-License-Identifier: Apache-2.0

package filter

import (
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/fields"
)

// Expected texts come from sysdig 0.29.3 runs on the same inputs.
func TestCompileErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`evt.type in (open,bogus)`, `filter error at position 22: unknown event type bogus`},
		{`evt.type in (bogus,open)`, `filter error at position 17: unknown event type bogus`},
		{`evt.type=opn`, `filter error at position 12: unknown event type opn`},
		{`(evt.type=opn)`, `filter error at position 12: unknown event type opn`},
		{`evt.type = opn`, `filter error at position 14: unknown event type opn`},
		{`evt.type=opn and (`, `filter error at position 12: unknown event type opn`},
		{`evt.type==open`, `filter error at position 14: unknown event type =open`},
		{`evt.type startswith op`, `filter error at position 22: unknown event type op`},
		{`evt.type=io_uring_setup`, `filter error at position 23: unknown event type io_uring_setup`},
		{`evt.type=NA`, `filter error at position 11: unknown event type NA`},
		{`evt.type=`, `filter error at position 9: unknown event type `},
		{`evt.type in ()`, `filter error at position 12: unknown event type `},
		{`evt.type in (open,)`, `filter error at position 17: unknown event type `},
		{`evt.num=0xd3`, `filter error at position 12: 0xd3 is not a valid number`},
		{`evt.num=0xd3 and evt.num=1`, `filter error at position 12: 0xd3 is not a valid number`},
		{`evt.num=`, `filter error at position 8:  is not a valid number`},
		{`evt.num =`, `filter error at position 9:  is not a valid number`},
		{`evt.num = ""`, `filter error at position 11:  is not a valid number`},
		{`evt.num=211abc`, `filter error at position 14: 211abc is not a valid number`},
		{`evt.num>211.5`, `filter error at position 13: 211.5 is not a valid number`},
		{`evt.num in (211,300`, `filter error at position 20: expected either ')' or ',' after a value inside the 'in' clause`},
		{`evt.num in (211 300)`, `filter error at position 16: expected either ')' or ',' after a value inside the 'in' clause`},
		{`evt.num in (211,300,`, `filter error at position 20:  is not a valid number`},
		{`evt.num in ()`, `filter error at position 11:  is not a valid number`},
		{`evt.num in (,211)`, `filter error at position 11:  is not a valid number`},
		{`evt.num pmatch (211)`, `filter error at position 16: pmatch requires all charbuf arguments`},
		{`evt.failed=yes`, `filter error at position 14: filter error: unrecognized boolean value yes`},
		{`evt.is_io=1`, `filter error at position 11: filter error: unrecognized boolean value 1`},
		{`evt.type=open and !fd.name contains lib`, `filter error at position 18: filter error: unrecognized field  at pos 18`},
		{`a=b and c=d or e=f`, `filter error at position 1: filter error: unrecognized field a at pos 0`},
		{`evt.numx=211`, `filter error at position 8: filter error: unrecognized field evt.numx at pos 0`},
		{`evt.num=211 orr evt.num=212`, `filter error at position 15: filter error: unrecognized field r at pos 14`},
		{`evt.num=211 and "evt.num"=212`, `filter error at position 25: filter error: unrecognized field evt.num" at pos 16`},
		{`fd.net=2001:4860::/32`, `filter error at position 21: unrecognized IPv6 address 2001:4860::/32`},
		{`fd.net=10.0.0.1`, `filter error at position 15: unrecognized IP network 10.0.0.1`},
		{`fd.net==10.0.0.0/8`, `filter error at position 18: unrecognized IP address =10.0.0.0/8`},
		{`fd.net=10.0.0.0/33`, `filter error at position 18: invalid netmask 33`},
		{`fd.cip=bogus`, `filter error at position 12: unrecognized IPv6 address bogus`},
		{`fd.cip=1.2.3`, `filter error at position 12: unrecognized IPv4 address 1.2.3`},
		{`fd.cip contains 10`, `filter error at position 18: unrecognized IPv6 address 10`},
		{`fd.sport=bogus`, `filter error at position 14: unrecognized protocol bogus`},
		{`fd.sport=-1`, `filter error at position 11: unrecognized protocol -1`},
		{`evt.around[1534527348514632619]>1`, `filter error at position 33: evt.around supports only '=' comparison operator`},
		{`evt.around[abc]=1`, `filter error at position 15: abc is not a valid number`},
		{`evt.around=1`, `filter error at position 10: filter syntax error: evt.around`},
		{`evt.arg[x]=1`, `filter error at position 10: x is not a valid number`},
		{`evt.argx=1`, `filter error at position 8: filter syntax error: evt.argx`},
		{`evt.arg.nam=1`, `filter error at position 11: unknown event argument nam`},
		{`evt.rawarg.nam=1`, `filter error at position 14: unknown event argument nam`},
		{`evt.rawarg[1]=4`, `filter error at position 13: evt.arg fields must be expressed explicitly`},
		{`evt.rawarg[x]=4`, `filter error at position 13: evt.arg fields must be expressed explicitly`},
		{`evt.type.isopn=1`, `filter error at position 14: filter syntax error: evt.type.isopn`},
		{`evt.type.is.=1`, `filter error at position 12: filter error: unrecognized field evt.type.is. at pos 0`},
		{`evt.type.is=1`, `filter error at position 11: filter syntax error: evt.type.is`},
		{`proc.aname[x]=1`, `filter error at position 13: filter error: unrecognized field proc.aname[x] at pos 0`},
		{`proc.anamex=1`, `filter error at position 11: filter error: unrecognized field proc.anamex at pos 0`},
		{`evt.arg.name[1]=x`, `filter error at position 15: filter error: unrecognized field evt.arg.name[1] at pos 0`},
		{`evt.arg.'flags contains O_CLOEXEC`, `filter error at position 14: unknown event argument 'flags`},
		{`evt.arg.namex=1`, `filter error at position 13: filter error: unrecognized field evt.arg.namex at pos 0`},
		{`evt.rawarg.fd=x`, `filter error at position 15: x is not a valid number`},
	}
	for _, tt := range tests {
		_, err := Compile(tt.in, nil)
		if err == nil {
			t.Errorf("Compile(%q) succeeded, want %q", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Compile(%q)\n got %q\nwant %q", tt.in, err.Error(), tt.want)
		}
	}
}

func TestCompileAccepts(t *testing.T) {
	for _, in := range []string{
		`evt.type=mkdirat`, `evt.type=pread64`, `evt.type=syscall`, `evt.type=container`,
		`evt.type=procinfo`, `evt.type=<unknown>`, `evt.type contains open`, `evt.type>open`,
		`syscall.type=opn`, `evt.num=+211`, `evt.num=-1`, `evt.num=99999999999999999999`,
		`evt.num=-0`, `evt.num exists`, `fd.sport=http`, `fd.sport=65616`, `fd.sport=`,
		`fd.net=2001:4860::`, `fd.net=10.0.0.0/8`, `evt.res=FOO`, `evt.failed>false`,
		`evt.num contains 21`, `evt.around[1534527348514632619]=1`,
		`evt.rawarg.fd contains 4`, `evt.rawarg.res<0`,
	} {
		if _, err := Compile(in, nil); err != nil {
			t.Errorf("Compile(%q): %v", in, err)
		}
	}
}

func TestThreadTable(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`proc.name=sshd`, true},
		{`fd.type=ipv4 and proc.pid=1`, true},
		{`user.name=root or container.name=host`, true},
		{`evt.rawtime>0`, true},
		{`evt.type=open`, false},
		{`evt.num=1`, false},
	}
	for _, tt := range tests {
		_, err := Compile(tt.in, fields.Default, ThreadTable())
		if (err == nil) != tt.ok {
			t.Errorf("Compile(%q, ThreadTable) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && err.Error() != "filter error at position "+itoaPos(tt.in)+": the given filter is not supported for thread table filtering" {
			t.Errorf("Compile(%q, ThreadTable) error %q", tt.in, err)
		}
	}
}

// itoaPos returns the position after the first field token of s.
func itoaPos(s string) string {
	n := 0
	for n < len(s) && !strings.ContainsRune(" \t\n\r()!=<>", rune(s[n])) {
		n++
	}
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
