package scorer_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"finscore/core/scorer"
)

func TestScoreReportIsConsistent(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	text := "Acme Corp. missed its interest payment and Moody's cut the rating to junk. " +
		"Hackers stole customer data in a ransomware attack.\nThe board meets on Tuesday."
	var progress []int
	r, err := s.Score(text, scorer.Options{Explain: true, Progress: func(done, total int) { progress = append(progress, done, total) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sentences) != 3 || !slices.Equal(progress, []int{0, 3, 3, 3}) {
		t.Fatalf("%d sentences, progress %v", len(r.Sentences), progress)
	}
	for i, st := range r.Sentences {
		if text[st.Start:st.End] != st.Text {
			t.Errorf("sentence %d offsets [%d,%d) do not give its text", i, st.Start, st.End)
		}
		var sum float64
		for _, p := range st.Sentiment.Probs {
			sum += p
		}
		if math.Abs(sum-1) > 1e-9 || math.Abs(st.Sentiment.Signal-(st.Sentiment.Probs["positive"]-st.Sentiment.Probs["negative"])) > 1e-12 {
			t.Errorf("sentence %d sentiment %+v", i, st.Sentiment)
		}
		if len(st.Drivers) == 0 || len(st.Drivers) > 5 || st.Windows != 1 || st.UnexplainedWords != 0 {
			t.Errorf("sentence %d has %d drivers, %d windows, %d words not tried", i, len(st.Drivers), st.Windows, st.UnexplainedWords)
		}
		for _, d := range st.Drivers {
			if text[d.Start:d.End] != d.Word || d.Start < st.Start || d.End > st.End {
				t.Errorf("driver %+v is not in sentence %d", d, i)
			}
		}
	}
	// The pretrained encoder with the taxonomy's prototypes already tells
	// these risks apart.
	cats := map[string]bool{}
	for _, c := range r.Risk.Categories {
		cats[c.ID] = true
		for _, e := range c.Evidence {
			if e < 0 || e >= len(r.Sentences) {
				t.Errorf("category %s cites sentence %d", c.ID, e)
			}
		}
	}
	t.Logf("risk %+v\nsummary %q", r.Risk, r.Summary)
	if !cats["credit"] || !cats["operational"] || r.Risk.Level == "low" {
		t.Errorf("risk categories %v, level %s", cats, r.Risk.Level)
	}
	if !strings.Contains(r.Summary, "risk") || !strings.Contains(r.Summary, "3 sentences") {
		t.Errorf("summary %q", r.Summary)
	}
}

func TestScoreOneSentenceEqualsDocument(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Score("  Profit warning hits shares  ", scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sentences) != 1 || r.Sentences[0].Sentiment.Label != r.Sentiment.Label || r.Sentences[0].Sentiment.Signal != r.Sentiment.Signal {
		t.Errorf("document %+v, sentence %+v", r.Sentiment, r.Sentences)
	}
	if r.Sentences[0].Start != 2 || r.Sentences[0].Text != "Profit warning hits shares" {
		t.Errorf("sentence %+v", r.Sentences[0])
	}
}
