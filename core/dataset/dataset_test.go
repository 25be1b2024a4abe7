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
	want := []Example{{"Up, strongly", Neutral}, {"Down", Negative}, {"Flat", Positive}}
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
