package dataset

import (
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	in := "id,text,label\n1,\"Up, strongly\",2\n2,Down,0\n3,Flat,1\n"
	ex, err := ReadCSV(strings.NewReader(in), "text", "label", TwitterLabel)
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{{Text: "Up, strongly", Label: Neutral, Row: 1}, {Text: "Down", Label: Negative, Row: 2}, {Text: "Flat", Label: Positive, Row: 3}}
	if len(ex) != 3 || ex[0] != want[0] || ex[1] != want[1] || ex[2] != want[2] {
		t.Errorf("got %v", ex)
	}
	ex, err = ReadCSV(strings.NewReader("title,lab\nA,Positive\nB,mixed\nC,neutral\n"), "title", "lab", NamedLabel)
	if err != nil || len(ex) != 2 || ex[0].Label != Positive || ex[1].Label != Neutral {
		t.Errorf("named labels: %v, %v", ex, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "reading header"},
		{"text\nx\n", `lacks column`},
		{"text,label\nx,7\n", "row 2: unknown label \"7\""},
		{"text,label\nx,1\n\"y,1\n", "extraneous"},
		{"text,label\n\xff,1\n", "row 2: text is not valid UTF-8"},
	} {
		if _, err := ReadCSV(strings.NewReader(tc.in), "text", "label", TwitterLabel); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	var ex []Example
	for i := 0; i < 100; i++ {
		ex = append(ex, Example{Text: string(rune('a' + i%26)), Label: i % 3})
	}
	a, b := Split(ex, 0.1, 1)
	c, d := Split(ex, 0.1, 1)
	if len(a) != 90 || len(b) != 10 || a[0] != c[0] || b[9] != d[9] {
		t.Errorf("split %d/%d, not deterministic", len(a), len(b))
	}
	if got := Counts(ex); got != [3]int{34, 33, 33} {
		t.Errorf("counts %v", got)
	}
}

func TestLoadCorpus(t *testing.T) {
	c, err := LoadCorpus("../../weights/training-data")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("train %d %v, dev %d %v, twitter test %d, sentfin test %d",
		len(c.Train), Counts(c.Train), len(c.Dev), Counts(c.Dev), len(c.TwitterTest), len(c.SEntFiNTest))
	if len(c.TwitterTest) != 2388 {
		t.Errorf("twitter test has %d rows, want 2388", len(c.TwitterTest))
	}
	seen := map[string]string{}
	for name, set := range map[string][]Example{"train": c.Train, "dev": c.Dev, "twitter test": c.TwitterTest, "sentfin test": c.SEntFiNTest} {
		for _, e := range set {
			if other, ok := seen[e.Text]; ok && other != name {
				t.Fatalf("%q is in both %s and %s", e.Text, other, name)
			}
			seen[e.Text] = name
		}
	}
}

func TestNGramIndex(t *testing.T) {
	ix := NewNGramIndex([]string{
		"Net sales rose to EUR 80.2m from EUR 71.5m a year earlier, the company said.",
		"Short text.",
	}, 8)
	if g, i, ok := ix.Shared("In 2025, net sales rose to EUR 80.2m from EUR 65m."); !ok || i != 0 || g != "net sales rose to eur 80 2m from" {
		t.Errorf("shared %q %d %v", g, i, ok)
	}
	if _, _, ok := ix.Shared("Net sales rose to EUR 90m from EUR 71.5m a year earlier."); ok {
		t.Error("no 8 words in a row are shared, but an overlap was found")
	}
	if got := NGrams("One two three", 8); len(got) != 0 {
		t.Errorf("short text has n-grams %q", got)
	}
	if got := NormalizeText("Shares FELL 5% — see https://t.co/x!"); got != "shares fell 5 see" {
		t.Errorf("NormalizeText: %q", got)
	}
}

func TestReadLabelledCSV(t *testing.T) {
	cats := []string{"credit", "market"}
	in := "\uFEFFid,text,sentiment,categories,level\n" +
		"a,Shares plunged 20%.,negative,market,high\n" +
		"b,The AGM is on 4 May.,neutral,,none\n" +
		"c,Bonds defaulted and shares fell.,,credit|market,high\n"
	rows, err := ReadLabelledCSV(strings.NewReader(in), cats)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Sentiment != Negative || rows[1].Categories != nil || rows[2].Sentiment != NoSentiment ||
		len(rows[2].Categories) != 2 || !rows[0].Risk || rows[0].ID != "a" {
		t.Errorf("rows %+v", rows)
	}
	for _, tc := range []struct{ in, want string }{
		{"text,level\nx,none\n", `lacks column "categories"`},
		{"text,categories,level\nx,fraud,high\n", `record 1: unknown risk category "fraud"`},
		{"text,categories,level\nx,credit,none\n", "with level none"},
		{"text,categories,level\nx,,severe\n", `unknown level "severe"`},
		{"text,categories,level\n,,none\n", "empty"},
		{"text,sentiment,categories,level\nx,great,,none\n", `unknown label "great"`},
	} {
		if _, err := ReadLabelledCSV(strings.NewReader(tc.in), cats); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestReadDocuments(t *testing.T) {
	cats := []string{"credit", "market"}
	in := `{"id":"d1","kind":"news","text":"A. B.","sentiment":"negative","risk_level":"high","top_categories":["credit"]}` + "\n"
	docs, err := ReadDocuments(strings.NewReader(in), cats)
	if err != nil || len(docs) != 1 || docs[0].TopCategories[0] != "credit" {
		t.Fatalf("%+v %v", docs, err)
	}
	bad := `{"id":"d2","text":"A.","sentiment":"negative","risk_level":"none","top_categories":["credit"]}`
	if _, err := ReadDocuments(strings.NewReader(bad), cats); err == nil || !strings.Contains(err.Error(), "d2") {
		t.Errorf("category with level none: %v", err)
	}
	if _, err := ReadDocuments(strings.NewReader("{"), cats); err == nil {
		t.Error("broken JSON: no error")
	}
}
