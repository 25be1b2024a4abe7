package scorer

import (
	"os"
	"strings"
	"testing"
)

func TestShippedTaxonomy(t *testing.T) {
	data, err := os.ReadFile("../../weights/risk-taxonomy.json")
	if err != nil {
		t.Fatal(err)
	}
	tax, err := ParseTaxonomy(data)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tax.Categories); n < 8 || n > 12 {
		t.Errorf("%d categories, the product promises 8 to 12", n)
	}
}

func TestParseTaxonomyRejects(t *testing.T) {
	ok := `{"id":"credit","label":"Credit","description":"d","examples":["a","b"]}`
	for _, tc := range []struct{ json, want string }{
		{`{`, "risk taxonomy"},
		{`{"categories":[]}`, "0 categories"},
		{`{"categories":[{"id":"Credit!","label":"x","description":"d","examples":["a","b"]}]}`, "must match"},
		{`{"categories":[` + ok + `,` + ok + `]}`, "appears twice"},
		{`{"categories":[{"id":"x","description":"d","examples":["a","b"]}]}`, "needs a label"},
		{`{"categories":[{"id":"x","label":"X","description":"d","examples":["a"]}]}`, "at least two examples"},
	} {
		if _, err := ParseTaxonomy([]byte(tc.json)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.json, err, tc.want)
		}
	}
}
