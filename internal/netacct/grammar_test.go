// SPDX-License-Identifier: Apache-2.0

package netacct_test

import (
	"testing"

	"github.com/ferret-observability/ferret/internal/fields"
	"github.com/ferret-observability/ferret/internal/filter"
	"github.com/ferret-observability/ferret/internal/netacct"
)

// TestSameGrammarAsFilter checks that `ferret net FILTER` reads its filter
// as `ferret FILTER` does: what one refuses as a syntax error the other
// refuses with the same message, and what one accepts the other accepts.
func TestSameGrammarAsFilter(t *testing.T) {
	for _, expr := range []string{
		"proc.name=a or proc.name=b and proc.name=c",
		"proc.name=a and proc.name=b or proc.name=c",
		"(proc.name=a or proc.name=b) and proc.name=c",
		"proc.name=a or (proc.name=b and proc.name=c)",
		"not proc.name=a and not (fd.rport=1 or fd.rport=2)",
		"proc.name=a and not not proc.name=b",
		"(proc.name=a",
		"proc.name=a)",
		"proc.name=a and",
		"proc.name in (a, 'b', \"c\")",
		"proc.name in (a, b",
		"proc.name='x",
		"proc.name",
		"fd.rport exists",
		"proc.name=",
		"bogus.field=1",
	} {
		_, nerr := netacct.ParseFilter(expr)
		_, ferr := filter.Compile(expr, fields.Default)
		if (nerr == nil) != (ferr == nil) {
			t.Errorf("%q: ferret net says %v, ferret says %v", expr, nerr, ferr)
			continue
		}
		if nerr != nil && expr != "bogus.field=1" && nerr.Error() != ferr.Error() {
			t.Errorf("%q: ferret net says %q, ferret says %q", expr, nerr, ferr)
		}
	}
}
