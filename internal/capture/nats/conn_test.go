// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct{ in, server, subject, err string }{
		{"nats://h", "nats://h:4222", "", ""},
		{"nats://h:1234/ferret.web1", "nats://h:1234", "ferret.web1", ""},
		{"nats://u:p@h/ferret.>", "nats://u:p@h:4222", "ferret.>", ""},
		{"tls://h:4443/a.*.c", "tls://h:4443", "a.*.c", ""},
		{"nats://[::1]:4222/x", "nats://[::1]:4222", "x", ""},
		{"http://h/x", "", "", "scheme"},
		{"nats:///x", "", "", "no host"},
		{"nats://h/a..b", "", "", "empty token"},
		{"nats://h/a.>.b", "", "", "last token"},
		{"nats://h/a.b*", "", "", "whole tokens"},
		{"nats://h/a b", "", "", "space"},
		{"nats://h/a?x=1", "", "", "query"},
	} {
		got, err := ParseURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want an error saying %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.Server != tc.server || got.Subject != tc.subject {
			t.Errorf("%s: %+v %v, want %s %s", tc.in, got, err, tc.server, tc.subject)
		}
	}
	if Redact("nats://u:secret@h:4222") != "nats://u:xxx@h:4222" {
		t.Errorf("Redact: %s", Redact("nats://u:secret@h:4222"))
	}
}

// FuzzParseURL: any address parses or is refused with an error; a parsed
// one names a host and a valid subject, and parses again the same.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"nats://h:4222/ferret.>", "tls://u:p@[::1]/a.*.b", "nats://h/a..b", "nats://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseURL(s)
		if err != nil {
			return
		}
		if tg.Subject != "" {
			if err := checkSubject(tg.Subject); err != nil {
				t.Fatalf("%q: subject %q accepted: %v", s, tg.Subject, err)
			}
		}
		again, err := ParseURL(tg.Server + "/" + tg.Subject)
		if tg.Subject != "" && (err != nil || again != tg) {
			t.Fatalf("%q: %+v parses again as %+v %v", s, tg, again, err)
		}
	})
}
