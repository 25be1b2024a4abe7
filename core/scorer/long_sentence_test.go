package scorer_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"finscore/core/scorer"
)

// longSentence is one sentence of more than the model's 128 tokens that
// says nothing risky.
const longSentence = "The company, which was founded in Zurich in 1962 and now employs about " +
	"eleven thousand people in forty countries across Europe, Asia and the Americas, said on Tuesday " +
	"that its board of directors had reviewed the annual report, the remuneration policy, the " +
	"sustainability targets for the coming decade and the schedule of the general meeting, which " +
	"will take place in the spring at the usual venue near the lake, where shareholders will also " +
	"hear the chairman speak about the history of the firm, its founders and the new headquarters " +
	"building that opened last autumn next to the old factory by the river"

// bankruptcy is a clause that, alone, reads as credit risk.
const bankruptcy = " and warned it may default on its bonds and file for bankruptcy"

func tokens(t *testing.T, s *scorer.Scorer, text string) int {
	t.Helper()
	ids, err := s.Embedder().Tokenizer.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

func hasCategory(r scorer.SentenceRisk, id string) bool {
	return slices.ContainsFunc(r.Categories, func(c scorer.CategoryScore) bool { return c.ID == id })
}

// TestLongSentenceIsReadToTheEnd is issue 10's reproduction: a clause past
// the model's 128th token must change the sentence's risk.
func TestLongSentenceIsReadToTheEnd(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := tokens(t, s, longSentence); n <= 128 || n > 150 {
		t.Fatalf("the long sentence has %d tokens, want a little more than 128", n)
	}
	clause, err := s.Score(strings.TrimPrefix(bankruptcy, " and "), scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasCategory(clause.Sentences[0].Risk, "credit") {
		t.Fatalf("the clause alone is not credit risk: %+v", clause.Sentences[0].Risk)
	}
	plain, err := s.Score(longSentence+".", scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	warned, err := s.Score(longSentence+bankruptcy+".", scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Sentences) != 1 || len(warned.Sentences) != 1 {
		t.Fatalf("%d and %d sentences, want one each", len(plain.Sentences), len(warned.Sentences))
	}
	p, w := plain.Sentences[0], warned.Sentences[0]
	t.Logf("without the clause: %d windows, risk %+v\nwith it: %d windows, risk %+v", p.Windows, p.Risk, w.Windows, w.Risk)
	if hasCategory(p.Risk, "credit") {
		t.Errorf("the sentence without the clause is already credit risk: %+v", p.Risk)
	}
	if !hasCategory(w.Risk, "credit") || w.Risk.Score <= p.Risk.Score || w.Risk.Level == "none" {
		t.Errorf("the bankruptcy clause past token 128 does not make the sentence credit risk: %+v", w.Risk)
	}
	if p.Windows != 2 || w.Windows != 2 {
		t.Errorf("windows %d and %d, want 2 for a sentence of %d tokens", p.Windows, w.Windows, tokens(t, s, w.Text))
	}
}

// TestShortSentenceIsOnePass checks that a sentence that fits the model is
// read in one window and gets exactly the numbers of one pass of the
// encoder and the heads over it.
func TestShortSentenceIsOnePass(t *testing.T) {
	b := testBundle(t)
	s, err := scorer.FromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	text := "Moody's cut the rating to junk after the company missed an interest payment, and the shares fell 12%."
	r, err := s.Score(text, scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, embs, err := s.Embedder().Embed([]string{text})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := scorer.LoadSentimentHead(b, s.Embedder().Dim())
	if err != nil {
		t.Fatal(err)
	}
	rh, err := scorer.LoadRiskHead(b, s.Embedder().Dim())
	if err != nil {
		t.Fatal(err)
	}
	st := r.Sentences[0]
	if len(r.Sentences) != 1 || st.Windows != 1 {
		t.Fatalf("%d sentences, %d windows", len(r.Sentences), st.Windows)
	}
	for i, p := range sh.Probs(embs[0]) {
		if got := st.Sentiment.Probs[sh.Spec.Labels[i]]; got != p {
			t.Errorf("P(%s) = %v, one pass gives %v", sh.Spec.Labels[i], got, p)
		}
	}
	risk := rh.Probs(embs[0])
	if want := slices.Max(risk); st.Risk.Score != want {
		t.Errorf("risk score %v, one pass gives %v", st.Risk.Score, want)
	}
	for _, c := range st.Risk.Categories {
		i := slices.IndexFunc(rh.Spec.Categories, func(k scorer.Category) bool { return k.ID == c.ID })
		if c.Score != risk[i] {
			t.Errorf("category %s: %v, one pass gives %v", c.ID, c.Score, risk[i])
		}
	}
	if want := rh.Level(embs[0], len(st.Risk.Categories) > 0); st.Risk.Level != want {
		t.Errorf("level %s, one pass gives %s", st.Risk.Level, want)
	}
}

// TestClassifyReadsLongTextsInWindows checks that Classify, which eval
// uses, scores a long text as Score scores the same sentence.
func TestClassifyReadsLongTextsInWindows(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"Shares fell.", longSentence + bankruptcy}
	sents, risks, err := s.Classify(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		r, err := s.Score(text, scorer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		st := r.Sentences[0]
		if !reflect.DeepEqual(st.Sentiment, sents[i]) || !reflect.DeepEqual(st.Risk, risks[i]) {
			t.Errorf("text %d: Classify gives %+v %+v, Score %+v %+v", i, sents[i], risks[i], st.Sentiment, st.Risk)
		}
	}
}

// TestExplainLongSentenceIsCapped checks that explaining a sentence of 500
// words reads at most 128 windows again (4 batches, asked about through
// Stop, after the sentence's own batch) and says how many words it did not
// try.
func TestExplainLongSentenceIsCapped(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Fields(longSentence + bankruptcy)
	for len(words) < 500 {
		words = append(words, words[:min(len(words), 500-len(words))]...)
	}
	text := strings.Join(words, " ")
	batches := 0
	r, err := s.Score(text, scorer.Options{Explain: true, Stop: func() bool { batches++; return false }})
	if err != nil {
		t.Fatal(err)
	}
	st := r.Sentences[0]
	t.Logf("%d tokens, %d windows, %d batches, %d words not tried, drivers %+v", tokens(t, s, text), st.Windows, batches, st.UnexplainedWords, st.Drivers)
	if len(r.Sentences) != 1 || st.Windows < 5 {
		t.Fatalf("%d sentences, %d windows", len(r.Sentences), st.Windows)
	}
	if batches > 1+128/32 {
		t.Errorf("%d batches of the model, want at most 5", batches)
	}
	if st.UnexplainedWords < 500-128 || st.UnexplainedWords >= 500 {
		t.Errorf("%d of 500 words not tried, want 372 or more, fewer than 500", st.UnexplainedWords)
	}
	if len(st.Drivers) == 0 || len(st.Drivers) > 5 {
		t.Errorf("%d drivers", len(st.Drivers))
	}
	for _, d := range st.Drivers {
		if text[d.Start:d.End] != d.Word {
			t.Errorf("driver %+v is not at its offsets", d)
		}
	}
}

// BenchmarkExplain explains one sentence of 25, 500 and 4,000 words.
func BenchmarkExplain(b *testing.B) {
	s, err := scorer.FromBundle(testBundle(b))
	if err != nil {
		b.Fatal(err)
	}
	words := strings.Fields(longSentence + bankruptcy)
	for _, n := range []int{25, 500, 4000} {
		text := make([]string, n)
		for i := range text {
			text[i] = words[i%len(words)]
		}
		b.Run(fmt.Sprintf("words=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Score(strings.Join(text, " "), scorer.Options{Explain: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
