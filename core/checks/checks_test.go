package checks

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"finscore/core/scorer"
)

// taxonomyIDs reads the risk category ids from the shipped taxonomy.
func taxonomyIDs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../weights/risk-taxonomy.json")
	if err != nil {
		t.Fatal(err)
	}
	tax, err := scorer.ParseTaxonomy(data)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range tax.Categories {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestGenerate(t *testing.T) {
	cases := Generate()
	if len(cases) < 400 {
		t.Errorf("Generate gives %d cases, want at least 400", len(cases))
	}
	if again := Generate(); !reflect.DeepEqual(cases, again) {
		t.Error("Generate gives different cases on a second call")
	}

	ids := taxonomyIDs(t)
	perTest := map[string]int{}
	kindOf := map[string]string{}
	texts := map[string]map[string]bool{}
	var order []string
	for i, c := range cases {
		if err := c.validate(); err != nil {
			t.Errorf("case %d of %q: %v", i, c.Test, err)
		}
		if perTest[c.Test] == 0 {
			order = append(order, c.Test)
			texts[c.Test] = map[string]bool{}
			kindOf[c.Test] = c.Kind
		}
		perTest[c.Test]++
		if kindOf[c.Test] != c.Kind {
			t.Errorf("test %q mixes kinds %s and %s", c.Test, kindOf[c.Test], c.Kind)
		}
		if !strings.HasPrefix(c.Test, c.Kind+" ") {
			t.Errorf("test %q does not start with its kind %s", c.Test, c.Kind)
		}
		for _, s := range []string{c.Text, c.Other} {
			if strings.ContainsAny(s, "{}") {
				t.Errorf("test %q: unfilled slot in %q", c.Test, s)
			}
		}
		if texts[c.Test][c.Text] {
			t.Errorf("test %q: text %q appears twice", c.Test, c.Text)
		}
		texts[c.Test][c.Text] = true
		for _, id := range c.Categories {
			if !slices.Contains(ids, id) {
				t.Errorf("test %q: category %q is not in the taxonomy %v", c.Test, id, ids)
			}
		}
		switch c.Kind {
		case MFT:
			if c.Other != "" || c.Direction != "" {
				t.Errorf("MFT case %q has a perturbation", c.Text)
			}
			if len(c.Categories) > 0 && c.Sentiment != "negative" {
				t.Errorf("risk case %q expects sentiment %q, want negative", c.Text, c.Sentiment)
			}
		case INV, DIR:
			if c.Other == c.Text {
				t.Errorf("%s case %q is not perturbed", c.Kind, c.Text)
			}
			if c.Kind == DIR && c.Direction == RiskDown && len(c.Categories) != 1 {
				t.Errorf("negated-risk case %q names %d categories, want 1", c.Text, len(c.Categories))
			}
		}
	}
	if n := len(order); n < 15 || n > 25 {
		t.Errorf("%d tests, want 15 to 25", n)
	}
	for _, name := range order {
		if perTest[name] < 12 {
			t.Errorf("test %q has %d cases, want at least 12", name, perTest[name])
		}
	}
	for _, id := range ids {
		if perTest["MFT risk "+id] == 0 {
			t.Errorf("no MFT for risk category %q", id)
		}
	}
}

// Every template must fill without leftovers from any filling, so that a
// slot typo cannot hide behind the fillings Generate happens to use.
func TestTemplatesFill(t *testing.T) {
	var texts []string
	for _, m := range mftTests {
		for _, tp := range m.templates {
			texts = append(texts, tp.text)
		}
	}
	for _, d := range dirTests {
		for _, p := range d.pairs {
			texts = append(texts, p.text, p.other)
		}
	}
	for _, tp := range texts {
		for i := range 2 * len(companies) {
			if s := fillerAt(i).fill(tp); strings.ContainsAny(s, "{}") {
				t.Fatalf("template %q fills to %q", tp, s)
			}
		}
	}
}

func TestFillNumbersAgree(t *testing.T) {
	f := fillerAt(0) // 63.8 grown by 12%
	got := f.fill("{lo} {hi} {pct} {amt} {period} {period-adj}")
	want := "EUR 63.8m EUR 71.5m 12 EUR 120m the second quarter second-quarter"
	if got != want {
		t.Errorf("fill = %q, want %q", got, want)
	}
	for i, n := range numbers {
		if n.pct <= 10 {
			t.Errorf("numbers[%d] changes by %d%%, want more than 10%% so that the change is material", i, n.pct)
		}
	}
}

// fake answers Classify from a table; a text not in it is neutral with no
// risk.
type fake struct {
	answers map[string]outcome
	calls   [][]string
	err     error
	short   bool // answer one text too few
}

func (f *fake) Classify(texts []string) ([]scorer.Sentiment, []scorer.SentenceRisk, error) {
	f.calls = append(f.calls, texts)
	if f.err != nil {
		return nil, nil, f.err
	}
	var sents []scorer.Sentiment
	var risks []scorer.SentenceRisk
	for _, t := range texts {
		o, ok := f.answers[t]
		if !ok {
			o = says("neutral", 0, 0.05)
		}
		sents = append(sents, o.sentiment)
		risks = append(risks, o.risk)
	}
	if f.short {
		return sents[1:], risks[1:], nil
	}
	return sents, risks, nil
}

// says builds an outcome: a label, a signal, a risk score and the flagged
// categories (strongest first, each scored a little below the last).
func says(label string, signal, risk float64, categories ...string) outcome {
	o := outcome{
		sentiment: scorer.Sentiment{Label: label, Signal: signal},
		risk:      scorer.SentenceRisk{Score: risk, Categories: []scorer.CategoryScore{}},
	}
	for i, id := range categories {
		o.risk.Categories = append(o.risk.Categories, scorer.CategoryScore{ID: id, Score: risk - 0.01*float64(i)})
	}
	return o
}

func TestRunChecksEachKind(t *testing.T) {
	answers := map[string]outcome{
		"Sales rose.":          says("positive", 0.8, 0.05),
		"Sales fell.":          says("negative", -0.6, 0.40, "earnings"),
		"Sales fell sharply.":  says("negative", -0.7, 0.50, "earnings"),
		"Sales fell a bit.":    says("negative", -0.6, 0.40, "earnings"),
		"Bonds defaulted.":     says("negative", -0.9, 0.95, "credit", "liquidity"),
		"No default occurred.": says("positive", 0.3, 0.30),
		"Default was avoided.": says("positive", 0.2, 0.70, "credit"),
		"Sales rose in Q3.":    says("positive", 0.7, 0.05),
		"Sales rose in Q4.":    says("neutral", 0.1, 0.05),
		"Debt rose 10%.":       says("negative", -0.5, 0.60, "credit", "earnings"),
		"Debt rose 12%.":       says("negative", -0.5, 0.60, "earnings", "credit"),
		"AGM on 3 May.":        says("neutral", 0, 0.05),
		"AGM on 3 May; fire.":  says("neutral", -0.1, 0.12, "operational"),
		"AGM on 3 May; rain.":  says("neutral", 0, 0.10),
	}
	tests := []struct {
		c    Case
		pass bool
	}{
		{Case{Test: "MFT a", Kind: MFT, Text: "Sales rose.", Sentiment: "positive", NoRisk: true}, true},
		{Case{Test: "MFT a", Kind: MFT, Text: "Sales fell.", Sentiment: "positive"}, false},
		{Case{Test: "MFT a", Kind: MFT, Text: "Bonds defaulted.", Sentiment: "negative", Categories: []string{"credit", "liquidity"}}, true},
		{Case{Test: "MFT a", Kind: MFT, Text: "Bonds defaulted.", Categories: []string{"credit", "legal"}}, false},
		{Case{Test: "MFT a", Kind: MFT, Text: "Sales fell.", NoRisk: true}, false},
		{Case{Test: "INV b", Kind: INV, Text: "Sales rose.", Other: "Sales rose in Q3."}, true},
		{Case{Test: "INV b", Kind: INV, Text: "Sales rose in Q3.", Other: "Sales rose in Q4."}, false},                   // label changed
		{Case{Test: "INV b", Kind: INV, Text: "Debt rose 10%.", Other: "Debt rose 12%."}, false},                         // strongest category changed
		{Case{Test: "INV b", Kind: INV, Text: "Sales fell.", Other: "Sales fell sharply."}, true},                        // same label, same strongest
		{Case{Test: "DIR c", Kind: DIR, Text: "Sales fell.", Other: "Sales fell sharply.", Direction: SignalDown}, true}, // -0.6 → -0.7
		{Case{Test: "DIR c", Kind: DIR, Text: "Sales fell.", Other: "Sales fell a bit.", Direction: SignalDown}, true},   // equal, margin 0
		{Case{Test: "DIR c", Kind: DIR, Text: "Sales fell.", Other: "Sales fell a bit.", Direction: SignalDown, Margin: 0.05}, false},
		{Case{Test: "DIR c", Kind: DIR, Text: "Sales fell sharply.", Other: "Sales fell.", Direction: SignalDown}, false},
		{Case{Test: "DIR c", Kind: DIR, Text: "Sales fell.", Other: "Sales rose.", Direction: SignalUp, Margin: 1.4}, true},
		{Case{Test: "DIR c", Kind: DIR, Text: "Sales fell.", Other: "Sales rose.", Direction: SignalUp, Margin: 1.5}, false},
		{Case{Test: "DIR d", Kind: DIR, Text: "Bonds defaulted.", Other: "No default occurred.", Direction: RiskDown, Margin: 0.1, Categories: []string{"credit"}}, true},
		{Case{Test: "DIR d", Kind: DIR, Text: "Bonds defaulted.", Other: "Default was avoided.", Direction: RiskDown, Margin: 0.1, Categories: []string{"credit"}}, false}, // credit still flagged
		{Case{Test: "DIR d", Kind: DIR, Text: "Bonds defaulted.", Other: "Default was avoided.", Direction: RiskDown, Margin: 0.1}, true},
		{Case{Test: "DIR d", Kind: DIR, Text: "AGM on 3 May.", Other: "AGM on 3 May; fire.", Direction: RiskUp}, true},
		{Case{Test: "DIR d", Kind: DIR, Text: "AGM on 3 May.", Other: "AGM on 3 May; fire.", Direction: RiskUp, Margin: 0.1}, false}, // 0.05 → 0.12
		{Case{Test: "DIR d", Kind: DIR, Text: "AGM on 3 May.", Other: "AGM on 3 May; rain.", Direction: RiskUp, Margin: 0.05}, true},
	}
	for _, tt := range tests {
		t.Run(tt.c.Test+" "+tt.c.Text+" → "+tt.c.Other, func(t *testing.T) {
			rep, err := Run(&fake{answers: answers}, []Case{tt.c})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Passed == 1; got != tt.pass {
				t.Errorf("passed = %v, want %v (report %+v)", got, tt.pass, rep.Tests)
			}
			if !tt.pass && (len(rep.Tests[0].Failures) != 1 || !strings.Contains(rep.Tests[0].Failures[0], tt.c.Text)) {
				t.Errorf("failures = %q, want one naming %q", rep.Tests[0].Failures, tt.c.Text)
			}
		})
	}

	// All at once: the per-test and overall counts.
	var all []Case
	for _, tt := range tests {
		all = append(all, tt.c)
	}
	f := &fake{answers: answers}
	rep, err := Run(f, all)
	if err != nil {
		t.Fatal(err)
	}
	want := []TestResult{
		{Test: "MFT a", Kind: MFT, Cases: 5, Passed: 2, PassRate: 0.4},
		{Test: "INV b", Kind: INV, Cases: 4, Passed: 2, PassRate: 0.5},
		{Test: "DIR c", Kind: DIR, Cases: 6, Passed: 3, PassRate: 0.5},
		{Test: "DIR d", Kind: DIR, Cases: 6, Passed: 4, PassRate: 4.0 / 6},
	}
	for i := range rep.Tests {
		rep.Tests[i].Failures = nil
	}
	if !reflect.DeepEqual(rep.Tests, want) {
		t.Errorf("tests = %+v, want %+v", rep.Tests, want)
	}
	if rep.Cases != 21 || rep.Passed != 11 || rep.PassRate != 11.0/21 {
		t.Errorf("overall %d of %d (%v), want 11 of 21", rep.Passed, rep.Cases, rep.PassRate)
	}
	if len(f.calls) != 1 || len(f.calls[0]) != len(answers) {
		t.Errorf("Classify called %d times with %d texts, want once with each of the %d distinct texts", len(f.calls), len(f.calls[0]), len(answers))
	}
}

func TestRunKeepsFiveFailures(t *testing.T) {
	var cases []Case
	for _, text := range []string{"a.", "b.", "c.", "d.", "e.", "f.", "g."} {
		cases = append(cases, Case{Test: "MFT x", Kind: MFT, Text: text, Sentiment: "positive"})
	}
	rep, err := Run(&fake{}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed != 0 || len(rep.Tests[0].Failures) != maxFailures {
		t.Errorf("passed %d with %d failures kept, want 0 with %d", rep.Passed, len(rep.Tests[0].Failures), maxFailures)
	}
}

func TestRunGenerated(t *testing.T) {
	cases := Generate()
	f := &fake{}
	rep, err := Run(f, cases)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, r := range rep.Tests {
		sum += r.Cases
	}
	if rep.Cases != len(cases) || sum != len(cases) {
		t.Errorf("report counts %d cases (%d over tests), want %d", rep.Cases, sum, len(cases))
	}
	for _, call := range f.calls {
		if len(call) > classifyChunk {
			t.Errorf("Classify called with %d texts, more than %d", len(call), classifyChunk)
		}
	}
	// The fake says neutral with no risk to everything: every INV case
	// passes, and so does each neutral no-risk MFT.
	for _, r := range rep.Tests {
		if r.Kind == INV && r.Passed != r.Cases {
			t.Errorf("%s: %d of %d pass on a constant scorer, want all", r.Test, r.Passed, r.Cases)
		}
		if strings.HasPrefix(r.Test, "MFT risk ") && r.Passed != 0 {
			t.Errorf("%s: %d pass on a scorer that flags nothing, want 0", r.Test, r.Passed)
		}
	}
}

func TestRunErrors(t *testing.T) {
	good := []Case{{Test: "MFT x", Kind: MFT, Text: "a.", Sentiment: "neutral"}}
	tests := []struct {
		name  string
		s     *fake
		cases []Case
		want  string
	}{
		{"classify fails", &fake{err: errors.New("boom")}, good, "boom"},
		{"short answer", &fake{short: true}, good, "gave 0 sentiments"},
		{"unknown kind", &fake{}, []Case{{Test: "X", Kind: "XYZ", Text: "a."}}, "kind"},
		{"no text", &fake{}, []Case{{Test: "MFT x", Kind: MFT, Sentiment: "neutral"}}, "no text"},
		{"bad label", &fake{}, []Case{{Test: "MFT x", Kind: MFT, Text: "a.", Sentiment: "bullish"}}, "bullish"},
		{"expects nothing", &fake{}, []Case{{Test: "MFT x", Kind: MFT, Text: "a."}}, "expects nothing"},
		{"risk and no risk", &fake{}, []Case{{Test: "MFT x", Kind: MFT, Text: "a.", NoRisk: true, Categories: []string{"credit"}}}, "no risk"},
		{"no other", &fake{}, []Case{{Test: "INV x", Kind: INV, Text: "a."}}, "perturbed"},
		{"bad direction", &fake{}, []Case{{Test: "DIR x", Kind: DIR, Text: "a.", Other: "b.", Direction: "up"}}, "direction"},
		{"bad margin", &fake{}, []Case{{Test: "DIR x", Kind: DIR, Text: "a.", Other: "b.", Direction: SignalUp, Margin: -1}}, "margin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(tt.s, tt.cases)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRunEmpty(t *testing.T) {
	rep, err := Run(&fake{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 0 || rep.PassRate != 0 || len(rep.Tests) != 0 {
		t.Errorf("empty run = %+v", rep)
	}
}

func TestSubset(t *testing.T) {
	cases := Generate()
	count := func(cs []Case) map[string]int {
		m := map[string]int{}
		for _, c := range cs {
			m[c.Test]++
		}
		return m
	}
	full := count(cases)
	for _, k := range []int{-1, 0, 1, 2, 5, 1000} {
		sub := Subset(cases, k)
		got := count(sub)
		for name, n := range full {
			want := n
			if k > 1 {
				want = (n + k - 1) / k
			}
			if got[name] != want {
				t.Errorf("Subset(k=%d) keeps %d cases of %q, want %d", k, got[name], name, want)
			}
		}
		// Order is kept: sub is a subsequence of cases.
		j := 0
		for _, c := range cases {
			if j < len(sub) && reflect.DeepEqual(c, sub[j]) {
				j++
			}
		}
		if j != len(sub) {
			t.Errorf("Subset(k=%d) reorders the cases", k)
		}
	}
	// Every k-th case of a test: the 1st, (k+1)-th, ...
	small := []Case{
		{Test: "MFT a", Text: "a0"}, {Test: "MFT b", Text: "b0"}, {Test: "MFT a", Text: "a1"},
		{Test: "MFT a", Text: "a2"}, {Test: "MFT b", Text: "b1"}, {Test: "MFT a", Text: "a3"},
	}
	var texts []string
	for _, c := range Subset(small, 2) {
		texts = append(texts, c.Text)
	}
	if want := []string{"a0", "b0", "a2"}; !slices.Equal(texts, want) {
		t.Errorf("Subset(k=2) = %v, want %v", texts, want)
	}
}
